"""PostgreSQL: one store for all workers and replicas.

Each write transaction first takes a transaction-scoped advisory lock (one key for the whole
chain), so concurrent writers on any machine append one after another after the head they read;
the lock goes with the commit or rollback, and with the connection if a worker dies.
"""

from __future__ import annotations

from .base import _INSERT_ONE, SQLStore
from .migrate import apply_migrations

CHAIN_LOCK = 0x706F6C6963790001  # "policy" + 1: the advisory lock key of the decision chain


class PostgresStore(SQLStore):
    placeholder = "%s"

    def __init__(self, url: str, connect_timeout: int = 5) -> None:
        super().__init__()
        self.url = url
        self.connect_timeout = connect_timeout

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=False, connect_timeout=self.connect_timeout)

    def _begin_write(self, cursor) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK - (1 << 64) if CHAIN_LOCK >= 1 << 63 else CHAIN_LOCK,))

    _LATEST_IN_SLOTS = (
        "SELECT s.locality, s.subject, s.kind, s.year, (SELECT decision_id FROM decisions d WHERE d.locality = s.locality"
        " AND d.subject = s.subject AND d.kind = s.kind AND d.year = s.year AND d.subject <> '' ORDER BY d.seq DESC LIMIT 1)"
        " FROM unnest(%s::text[], %s::text[], %s::text[], %s::integer[]) AS s(locality, subject, kind, year)")

    def _slot_params(self, slots: list[tuple]) -> tuple:
        return tuple(list(column) for column in zip(*slots))

    def _insert(self, cursor, rows: list[list]) -> None:
        # psycopg sends executemany's rows in one pipeline: less client CPU than adapting one
        # statement of 2,100 parameters (measured: bench/README.md, the record's commit, fourth round)
        cursor.executemany(self._sql(_INSERT_ONE), rows)

    def _unavailable(self, exc: Exception) -> bool:
        import psycopg

        return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)

    def migrate(self) -> None:
        scheme, rest = self.url.split("://", 1)
        apply_migrations(("postgresql+psycopg" if scheme in ("postgresql", "postgres") else scheme) + "://" + rest)
