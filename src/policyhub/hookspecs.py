"""The hooks a policyhub plugin can implement.

A policy pack is a distribution that registers a module under the entry point group
`policyhub.packs`; that module implements the hooks below with `@hookimpl`:

    # policy_packs/yuyao_2011/__init__.py
    from pathlib import Path
    from policyhub.hookspecs import hookimpl

    @hookimpl
    def policyhub_pack_paths():
        return [Path(__file__).parent]
"""

from __future__ import annotations

from pathlib import Path

import pluggy

PROJECT = "policyhub"
ENTRY_POINT_GROUP = "policyhub.packs"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def policyhub_pack_paths() -> list[str | Path]:
    """Return the directories of the packs this plugin provides.

    Each directory holds a pack: `pack.yaml` (the manifest), `thresholds.yaml`, `rules/*.py`
    and `fixtures/*.yaml`. The service loads every directory returned by every plugin; a pack
    that fails to load is reported and not served. Several versions of one pack may be
    provided (as separate directories); requests get the newest in force unless they name one.
    """
