"""The set of loaded packs, and which one governs a request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Mapping

import structlog

from ..domain.errors import NoPackInForce, PackLoadError, PackNotFound
from .integrity import PackLock
from .pack import Pack, load_pack
from .plugins import installed_pack_paths

log = structlog.get_logger(__name__)


class PackRegistry:
    def __init__(self, packs: Iterable[Pack]) -> None:
        self._packs: dict[str, list[Pack]] = {}
        # resolve()'s answers, per (locality, day): the set of packs never changes after this.
        self._resolved: dict[tuple[str, dt.date], Pack] = {}
        for pack in packs:
            versions = self._packs.setdefault(pack.id, [])
            if any(p.version == pack.version for p in versions):
                raise PackLoadError(str(pack.directory), [f"{pack.ref} is provided twice"])
            versions.append(pack)
        for versions in self._packs.values():
            versions.sort(key=lambda p: p.version_key, reverse=True)

    @classmethod
    def discover(
        cls,
        extra_paths: Iterable[str | Path] = (),
        installed: bool = True,
        lock: PackLock | None = None,
        strict: bool = False,
        origins: Mapping[str, str] | None = None,
    ) -> "PackRegistry":
        """Load the installed packs (entry points) and those in `extra_paths`.

        A pack that does not load (or, with a `lock`, does not match its pinned digests) is
        logged and left out and the others are served; with `strict`, any such pack refuses
        the whole set (PackLoadError listing every finding), as a reload requires. With `strict`
        and a `lock`, a pack the lock pins that was not found refuses the set too: the lock
        names the whole set to serve. `origins` maps a copied pack directory to the one it was
        copied from, which findings name.
        """
        paths = list(installed_pack_paths()) if installed else []
        paths += [Path(p).resolve() for p in extra_paths]
        packs, findings = [], []
        for path in dict.fromkeys(paths):
            try:
                packs.append(load_pack(path, lock))
            except PackLoadError as exc:
                origin = (origins or {}).get(str(path), str(path))
                log.error("pack_load_failed", path=origin, findings=exc.findings)
                findings += [f"{origin}: {finding}" for finding in exc.findings]
        if strict and lock is not None:
            loaded = {p.ref for p in packs}
            findings += [f"{ref}: locked, but not loaded" for ref in sorted(set(lock.packs) - loaded)]
        try:
            if strict and findings:
                raise PackLoadError("pack set", findings)
            return cls(packs)
        except PackLoadError:
            for pack in packs:
                pack.close()
            raise

    def close(self) -> None:
        """Free every pack's engine ruleset; only once no request uses this registry."""
        for pack in self.packs():
            pack.close()

    def packs(self, locality: str | None = None) -> list[Pack]:
        found = [p for versions in self._packs.values() for p in versions]
        if locality:
            found = [p for p in found if p.locality == locality]
        return sorted(found, key=lambda p: (p.id, p.version_key))

    def get(self, ref: str) -> Pack:
        """A pack by id (its newest version) or by id@version."""
        pack_id, _, version = ref.partition("@")
        versions = self._packs.get(pack_id)
        if not versions:
            raise PackNotFound(f"no pack {pack_id!r}; loaded: {', '.join(sorted(self._packs)) or 'none'}")
        if not version:
            return versions[0]
        for pack in versions:
            if pack.version == version:
                return pack
        have = ", ".join(p.version for p in versions)
        raise PackNotFound(f"no version {version} of pack {pack_id!r}; loaded versions: {have}")

    def resolve(self, locality: str, day: dt.date) -> Pack:
        """The newest pack of `locality` whose effective period contains `day`."""
        found = self._resolved.get((locality, day))
        if found is not None:
            return found
        candidates = [p for p in self.packs(locality)]
        in_force = [p for p in candidates if p.in_force(day)]
        if in_force:
            found = max(in_force, key=lambda p: (p.effective_from, p.version_key))
            if len(self._resolved) < 65536:  # bounded: callers choose the keys
                self._resolved[(locality, day)] = found
            return found
        if not candidates:
            raise NoPackInForce(f"no pack for locality {locality!r}")
        periods = "; ".join(f"{p.ref} in force {p.period_text()}" for p in candidates)
        raise NoPackInForce(f"no pack of locality {locality!r} is in force on {day.isoformat()}: {periods}")
