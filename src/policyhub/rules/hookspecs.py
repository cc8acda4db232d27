"""The hooks a policyhub plugin can implement.

A policy pack is a distribution that registers a module under the entry point group
`policyhub.packs`; that module implements the hooks below with `@hookimpl`:

    # policy_packs/yuyao_2011/__init__.py
    from pathlib import Path
    from policyhub.rules import hookimpl

    @hookimpl
    def policyhub_pack_paths():
        return [Path(__file__).parent]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pluggy

PROJECT = "policyhub"
ENTRY_POINT_GROUP = "policyhub.packs"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class RuleLibrary:
    name: str  # dotted, e.g. core.ballot
    rule_files: tuple[Path, ...]  # rules.yaml files: facts, conditions and rules
    derives: tuple[Callable, ...] = ()  # @derive measure functions making the facts they read
    description: str = ""


@hookspec
def policyhub_pack_paths() -> list[str | Path]:  # type: ignore[empty-body]  # a spec: pluggy calls the plugins' implementations, never this body
    """Return the directories of the packs this plugin provides.

    Each directory holds a pack: `pack.yaml` (the manifest), `thresholds.yaml`, `rules/*.py`
    and `fixtures/*.yaml`. The service loads every directory returned by every plugin; a pack
    that fails to load is reported and not served. Several versions of one pack may be
    provided (as separate directories); requests get the newest in force unless they name one.
    """


@hookspec
def policyhub_rule_libraries() -> list:  # type: ignore[empty-body]  # a spec: pluggy calls the plugins' implementations, never this body
    """Return the shared rule libraries this plugin provides (`RuleLibrary` above).

    A library is rules as data (its rules.yaml files) and the measure functions (`@derive`) that
    make the facts they read, under a dotted name such as `core.ballot`. A pack takes a library by
    naming it in pack.yaml (`uses: [core.ballot]`); its rules then run, and are reported, as the
    pack's own. policyhub's own libraries are registered through this hook too
    (`policyhub.rules.libraries`), exactly as a third-party plugin's would be.
    """
