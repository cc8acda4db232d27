"""Shared rule libraries: found through the `policyhub_rule_libraries` hook, named by packs.

policyhub registers its own libraries (`policyhub.rules.libraries`) as a plugin of the same
hook that installed distributions implement, the way datasette registers its default plugins:
a pack cannot tell a built-in library from an installed one.
"""

from __future__ import annotations

import functools

from ..rules.hookspecs import RuleLibrary


class LibraryError(ValueError):
    pass


@functools.lru_cache(maxsize=1)
def available() -> dict[str, RuleLibrary]:
    """Every registered library by name (the plugin manager's answer, read once per process)."""
    from .plugins import plugin_manager

    found: dict[str, RuleLibrary] = {}
    for result in plugin_manager().hook.policyhub_rule_libraries():
        for library in result or ():
            if library.name in found and found[library.name] != library:
                raise LibraryError(f"two plugins register the rule library {library.name!r}")
            found[library.name] = library
    return found
