"""The accepted pack set, frozen: copies of its pack directories, what every worker loads.

Workers load packs from disk when they start and when told to reload. Left to read the live
directories, a worker restarted after a crash would load whatever is on disk at that moment:
after a refused reload (or an edit nobody reloaded yet) it would serve a different set than its
siblings. So the supervisor copies the pack directories once at start and once per reload, and
hands the workers the copy: a reload checks exactly the files it will serve, and a restarted
worker loads the set the others serve. A refused copy is deleted; an accepted one replaces the old.

The supervisor does not import the packs' machinery: finding the installed packs' directories
asks only their entry points (pack __init__ modules of a few lines).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .supervisor import ServerConfig


class FrozenPacks:
    """Numbered copies of pack sets under one temporary directory, removed by `close`."""

    def __init__(self, root: str | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="policyhub-packs-", dir=root))
        self._count = 0

    def freeze(self, config: "ServerConfig") -> "ServerConfig":
        """`config` loading a copy of the packs it finds on disk now (installed and --pack-path).

        A path that is no directory is passed on as it is: loading it fails as it would have.
        """
        from ..packs.plugins import installed_pack_paths

        directories = list(installed_pack_paths()) if config.installed_packs else []
        directories += [Path(p).resolve() for p in config.pack_paths]
        self._count += 1
        target = self.root / f"set-{self._count}"
        frozen: list[str] = []
        origins: list[tuple[str, str]] = []
        for index, directory in enumerate(dict.fromkeys(directories)):
            if not directory.is_dir():
                frozen.append(str(directory))
                continue
            copy = target / f"{index:03d}-{directory.name}"
            shutil.copytree(directory, copy, ignore=shutil.ignore_patterns("__pycache__"))
            frozen.append(str(copy))
            origins.append((str(copy), str(directory)))
        # Findings name the directory an operator edits, not its copy.
        return replace(config, pack_paths=tuple(frozen), installed_packs=False, pack_origins=tuple(origins))

    def discard(self, config: "ServerConfig") -> None:
        """Delete a frozen set's copies (one that was refused, or replaced by a newer one)."""
        for path in config.pack_paths:
            copy = Path(path)
            if self.root in copy.parents:
                shutil.rmtree(copy.parent, ignore_errors=True)  # the set's own folder

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
