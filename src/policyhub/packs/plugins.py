"""The plugin manager: discovers installed pack distributions through their entry points."""

from __future__ import annotations

import importlib
from pathlib import Path

import pluggy

from ..rules import hookspecs

DEFAULT_PLUGINS = ("policyhub.rules.libraries",)


def plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:  # policyhub's own rule libraries, registered like any plugin's
        manager.register(importlib.import_module(name), name)
    if load_entry_points:
        manager.load_setuptools_entrypoints(hookspecs.ENTRY_POINT_GROUP)
    return manager


def installed_pack_paths(manager: pluggy.PluginManager | None = None) -> list[Path]:
    manager = manager or plugin_manager()
    paths: list[Path] = []
    for result in manager.hook.policyhub_pack_paths():
        paths.extend(Path(p).resolve() for p in result or [])
    return sorted(set(paths))
