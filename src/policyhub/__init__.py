"""policyhub: checks party-building paperwork against the local regulation in force."""

__version__ = "0.1.0"
