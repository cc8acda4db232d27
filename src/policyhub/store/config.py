"""Which store to open, and the pseudonym key.

`--decision-store`: `sqlite` (default: `decisions.db` in the state directory), `sqlite:///PATH`,
`postgresql://…`, or `none`. The key: `--decision-key-file`; without one, an SQLite store in a
state directory generates a random 32-byte key there once (`pseudonym.key`, mode 0600) and keeps
using it, so `make run` works out of the box and pseudonyms stay stable across restarts.
PostgreSQL needs the key file: every replica must pseudonymise alike, and a key generated on one
machine would not be the others'.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .pseudonym import Pseudonymiser

KEY_FILE = "pseudonym.key"
DB_FILE = "decisions.db"


def default_state_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "policyhub")


@dataclass(frozen=True)
class StoreConfig:
    store: str = "sqlite"
    state_dir: str = ""
    key_file: str | None = None
    retention_days: int = 0  # 0: keep every record
    sqlite_sync: str = "normal"  # WAL: a commit survives kill -9; `full` adds an fsync per commit for power cuts
    max_bytes: int | None = None  # SQLite only: a cap on the database file

    @property
    def enabled(self) -> bool:
        return self.store != "none"

    @property
    def is_postgresql(self) -> bool:
        return self.store.startswith(("postgresql://", "postgres://"))

    def state_path(self) -> Path:
        return Path(self.state_dir or default_state_dir())

    def check(self) -> None:
        """A setting that cannot work fails here, before any worker starts."""
        if not (self.store in ("none", "sqlite") or self.store.startswith("sqlite:///") or self.is_postgresql):
            raise ValueError(f"--decision-store must be sqlite, sqlite:///PATH, postgresql://… or none, got {self.store!r}")
        if self.is_postgresql and not self.key_file:
            raise ValueError("a PostgreSQL decision store needs --decision-key-file (every replica must share the key)")
        if self.retention_days < 0:
            raise ValueError("--retention-days must be 0 (keep all) or more")

    def key(self) -> bytes:
        if self.key_file:
            data = Path(self.key_file).read_bytes().strip()
            if len(data) < 16:
                raise ValueError(f"{self.key_file}: the pseudonym key must be at least 16 bytes")
            return data
        path = self.state_path() / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # O_EXCL: of workers starting together, one writes it and the others read it
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_hex(32) + "\n")
            except FileExistsError:
                pass
        data = path.read_bytes().strip()
        if len(data) < 16:
            raise ValueError(f"{path}: the pseudonym key must be at least 16 bytes")
        return data

    def open(self):
        """The store (not yet migrated), or None when the record is off."""
        if not self.enabled:
            return None
        if self.is_postgresql:
            from .postgresql import PostgresStore

            return PostgresStore(self.store)
        from .sqlite import SQLiteStore

        # sqlite:///relative.db, sqlite:////absolute.db (as SQLAlchemy and yoyo spell them)
        path = self.store[len("sqlite:///"):] if self.store.startswith("sqlite:///") else self.state_path() / DB_FILE
        return SQLiteStore(path, synchronous=self.sqlite_sync, max_bytes=self.max_bytes)


def open_store(config: StoreConfig, migrate: bool = False):
    """(store, pseudonymiser), or (None, None) when the record is off."""
    config.check()
    store = config.open()
    if store is None:
        return None, None
    if migrate:
        store.migrate()
    return store, Pseudonymiser(config.key())
