"""Pack integrity: every file of a pack pinned by its SHA-256 in a lock file.

`policyhub pack lock` writes the lock for the packs it loads; a server started with
`--lock-file` checks each pack directory against it *before* importing any rule script, so a
pack whose files were changed, added or removed after locking never runs. The lock is JSON:

    {"lock_version": 1,
     "packs": {"yuyao_2011@1.0.0": {"digest": "sha256:…", "files": {"pack.yaml": "sha256:…", …}}}}

`digest` covers the sorted (path, file digest) list, so it changes with any file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

LOCK_VERSION = 1
# Written by Python or packaging tools, never part of a pack's content.
_IGNORED_DIRS = {"__pycache__", "build", "dist"}
_IGNORED_SUFFIXES = (".pyc", ".pyo")


def pack_contents(directory: Path) -> dict[str, bytes]:
    """{relative posix path: bytes} for every content file of a pack directory."""
    files = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part in _IGNORED_DIRS or part.endswith(".egg-info") or part.startswith(".")
               for part in relative.parts):
            continue
        if path.is_file() and not path.name.endswith(_IGNORED_SUFFIXES):
            files[relative.as_posix()] = path.read_bytes()
    return files


def file_digests(contents: dict[str, bytes]) -> dict[str, str]:
    return {name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in contents.items()}


def pack_files(directory: Path) -> dict[str, str]:
    """{relative posix path: "sha256:<hex>"} for every content file of a pack directory."""
    return file_digests(pack_contents(directory))


def tree_digest(files: dict[str, str]) -> str:
    listing = "".join(f"{name}\0{digest}\n" for name, digest in sorted(files.items()))
    return "sha256:" + hashlib.sha256(listing.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PackLock:
    """Pinned files per pack ref (id@version)."""

    packs: dict[str, dict[str, str]]

    @classmethod
    def read(cls, path: str | Path) -> "PackLock":
        """The lock at `path`; ValueError says what is wrong with a malformed one."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"lock file {path}: {exc}") from None
        if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
            raise ValueError(f"lock file {path}: expected lock_version {LOCK_VERSION}")
        packs = data.get("packs")
        if not isinstance(packs, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("files"), dict) for entry in packs.values()
        ):
            raise ValueError(f"lock file {path}: 'packs' must map pack refs to {{files: {{...}}}}")
        return cls({ref: dict(entry["files"]) for ref, entry in packs.items()})

    @classmethod
    def of(cls, packs: Iterable[tuple[str, Path]]) -> "PackLock":
        """A lock pinning the current files of each (ref, directory)."""
        return cls({ref: pack_files(directory) for ref, directory in packs})

    def write(self, path: str | Path) -> None:
        data = {
            "lock_version": LOCK_VERSION,
            "packs": {
                ref: {"digest": tree_digest(files), "files": files}
                for ref, files in sorted(self.packs.items())
            },
        }
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def check(self, ref: str, directory: Path) -> list[str]:
        """Findings for a pack directory that does not match its pinned files (empty: it matches)."""
        pinned = self.packs.get(ref)
        if pinned is None:
            return [f"{ref} is not in the lock file"]
        actual = pack_files(directory)
        findings = [f"{name}: changed since locked" for name in sorted(pinned)
                    if name in actual and actual[name] != pinned[name]]
        findings += [f"{name}: missing (locked)" for name in sorted(set(pinned) - set(actual))]
        findings += [f"{name}: not in the lock" for name in sorted(set(actual) - set(pinned))]
        return findings
