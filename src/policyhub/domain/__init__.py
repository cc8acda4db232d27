"""The vocabulary every layer shares: code lists, field checks, errors, case files."""
