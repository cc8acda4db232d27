"""For pack authors: pack check, pack new, fixture cases and their runner, coverage, the pytest plugin, regulation texts."""
