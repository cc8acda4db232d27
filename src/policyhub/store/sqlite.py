"""The embedded store: one SQLite database (WAL) in the state directory, shared by every worker.

WAL lets readers go on while one writer appends; BEGIN IMMEDIATE takes the write lock before the
chain's head is read, so writers in several processes queue (busy_timeout) and never fork the
chain. A transaction committed in WAL mode survives the process being killed at any point (its
pages are in the WAL file, in the OS's page cache, when COMMIT returns): that is what
`synchronous=NORMAL`, the default, promises. `FULL` also fsyncs the WAL at every commit, so the
last commits survive a power cut or a kernel crash too, at 5-11 ms per commit on this VM's disk.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import orjson

from .base import SQLStore, StoreUnavailable
from .migrate import apply_migrations

BUSY_TIMEOUT_MS = 10_000
PAGE_SIZE = 4096
# Checkpoints (copying the WAL into the database, with fsyncs) are the supervisor's, about once a
# second (`checkpoint`), off the requests' path; a worker checkpoints itself only past this many
# pages of WAL (~80 MB), e.g. when no supervisor runs one.
WAL_AUTOCHECKPOINT_PAGES = 20_000
# The room a probe asks for before it calls a full store usable again (a few batches' records).
HEADROOM_BYTES = 1024 * 1024


class SQLiteStore(SQLStore):
    def __init__(self, path: str | Path, synchronous: str = "normal", max_bytes: int | None = None) -> None:
        super().__init__()
        self.path = Path(path).resolve()
        self.url = f"sqlite:///{self.path}"  # absolute: sqlite:////dir/decisions.db
        if synchronous.upper() not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be full or normal, got {synchronous!r}")
        self.synchronous = synchronous.upper()
        self.max_bytes = max_bytes

    def _connect(self):
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        if self.max_bytes:  # a cap on the file: past it every write fails as "database or disk is full"
            conn.execute(f"PRAGMA max_page_count = {max(self.max_bytes // PAGE_SIZE, 1)}")
        return conn

    def _begin_write(self, cursor) -> None:
        cursor.execute("BEGIN IMMEDIATE")

    _LATEST_IN_SLOTS = (
        "SELECT locality, subject, kind, year, (SELECT decision_id FROM decisions d WHERE d.locality = s.locality"
        " AND d.subject = s.subject AND d.kind = s.kind AND d.year = s.year AND d.subject <> '' ORDER BY d.seq DESC LIMIT 1)"
        " FROM (SELECT json_extract(value, '$[0]') AS locality, json_extract(value, '$[1]') AS subject,"
        " json_extract(value, '$[2]') AS kind, json_extract(value, '$[3]') AS year FROM json_each(?)) AS s")

    def _slot_params(self, slots: list[tuple]) -> tuple:
        return (orjson.dumps(slots).decode(),)

    def _unavailable(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
            exc, sqlite3.IntegrityError | sqlite3.ProgrammingError)

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the database, without waiting for readers or writers."""
        self._run(lambda cursor: cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())

    def ping(self) -> None:
        """Readable, and with room to write: a full disk or a reached size cap is down too."""
        super().ping()
        page_count, max_pages = self._run(lambda cursor: (cursor.execute("PRAGMA page_count").fetchone()[0],
                                                          cursor.execute("PRAGMA max_page_count").fetchone()[0]))
        disk = os.statvfs(self.path.parent)
        headroom = min(HEADROOM_BYTES, max_pages * PAGE_SIZE // 10)  # a small cap (tests) needs less
        if (max_pages - page_count) * PAGE_SIZE < headroom or disk.f_bavail * disk.f_frsize < HEADROOM_BYTES:
            raise StoreUnavailable(f"decision store full: {self.path}")

    def migrate(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")  # kept in the file: every later connection uses WAL
        finally:
            conn.close()
        apply_migrations(self.url)
