"""The store interface and the SQL both backends share; sqlite.py and postgresql.py hold the rest.

Writes are serialised by a store-wide lock taken at the start of each write transaction
(SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so every writer,
whatever its process or machine, reads the chain's head and appends after it: one chain, no
forks. A batch is one transaction: all its records or none.
"""

from __future__ import annotations

import base64
import builtins
import datetime as dt
import threading
import zlib
from dataclasses import dataclass
from typing import Any, Iterator

import orjson

from ..domain.errors import PolicyError
from .chain import COLUMNS, GENESIS, record_hash

import grpc


class StoreUnavailable(PolicyError):
    """The store cannot take the record: the call fails rather than answer without one."""

    code = grpc.StatusCode.UNAVAILABLE


class WriterGone(StoreUnavailable):
    """A record writer process (writer.py) died holding a call's records: they may or may not be
    committed, so the call fails; the store itself may be fine (health stays as it is)."""


@dataclass
class Pending:
    """A record before it has its place in the chain (seq, prev_hash, hash, recorded_at)."""

    row: dict[str, Any]
    # A ballot's (locality, subject, kind, year): its earlier decision there is superseded by this one.
    slot: tuple | None = None


@dataclass
class Outcome:
    """What became of a pending record: `recorded`, `stored` (the request id's earlier, same input:
    `row` is it) or `conflict` (the request id was used for a different input: `row` is that one)."""

    status: str
    row: dict[str, Any] | None = None
    # When not `recorded`: the record's own row (at least its `decision`), which
    # `recorder.answer` compares with the stored one.
    own: dict[str, Any] | None = None


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM decisions"
_INSERT = "INSERT INTO decisions (" + ", ".join(COLUMNS) + ") VALUES "
_INSERT_ONE = _INSERT + "(" + ", ".join("?" * len(COLUMNS)) + ")"
_VALUES = "(" + ", ".join("?" * len(COLUMNS)) + ")"
# Rows per INSERT statement: one statement (one call into the database, one release and re-take of
# the GIL) per chunk rather than per row; 100 rows are 2,100 parameters, far below both databases' caps.
INSERT_ROWS = 100
# The partial indexes' own conditions are repeated in the queries: a planner cannot see that
# `request_id = ?` excludes '' and would scan the whole table instead.
_LATEST_IN_SLOT = ("SELECT locality, subject, kind, year, decision_id FROM decisions WHERE locality = ? AND subject = ?"
                   " AND kind = ? AND year = ? AND subject <> '' ORDER BY seq DESC LIMIT 1")
_HEAD_AND_SLOT = ("SELECT h.seq, h.hash, h.recorded_at, (SELECT decision_id FROM decisions WHERE locality = ? AND subject = ? AND kind = ?"
                  " AND year = ? AND subject <> '' ORDER BY seq DESC LIMIT 1)"
                  " FROM (SELECT seq, hash, recorded_at FROM decisions ORDER BY seq DESC LIMIT 1) AS h")
_HEAD = "SELECT seq, hash, recorded_at FROM decisions ORDER BY seq DESC LIMIT 1"
# A binary search for the first seq recorded at or after an instant, in [low, high) (high: none):
# each step probes the record at the middle (the first at or after it, were seq ever to have a gap).
_PROBE = "(SELECT recorded_at FROM decisions WHERE seq >= (low + high) / 2 ORDER BY seq LIMIT 1)"
_FIRST_AT_OR_AFTER = (
    "WITH RECURSIVE search(low, high) AS (SELECT CAST(? AS BIGINT), CAST(? AS BIGINT) UNION ALL"
    f" SELECT CASE WHEN {_PROBE} >= ? THEN low ELSE (low + high) / 2 + 1 END,"
    f" CASE WHEN {_PROBE} >= ? THEN (low + high) / 2 ELSE high END FROM search WHERE low < high)"
    " SELECT MAX(low) FROM search")
LIST_FILTERS = {"subject": "subject = ? AND subject <> ''", "locality": "locality = ?", "pack_id": "pack_id = ?",
                "pack_version": "pack_version = ?", "kind": "kind = ?",
                "recorded_from": "recorded_at >= ?", "recorded_to": "recorded_at < ?"}


class _Holder:
    """A connection and the generation it was opened in (see renew_connections)."""

    def __init__(self) -> None:
        self.conn = None
        self.generation = 0


class SQLStore:
    """A decision store over a DB-API connection per thread; subclasses connect and lock."""

    url: str = ""
    placeholder = "?"

    def __init__(self) -> None:
        self._local = threading.local()  # each thread's connection, for reads and rare writes
        # The unary group commit's connection, whichever thread leads it: its page cache stays warm
        # from one commit to the next. On the leader's own connection, each commit mostly ran on a
        # connection another thread's commit had made stale, and SQLite threw its cache away and
        # read the pages it needed again (several preads per commit under load). Batches keep
        # their thread's connection: measured slower on the shared one (bench/README.md).
        self._appender = _Holder()
        self._append_lock = threading.Lock()
        self._archived: set[str] = set()
        self._generation = 0  # renew_connections: connections of an older generation are replaced

    # -- what a backend provides --------------------------------------------------------------
    def _connect(self):
        raise NotImplementedError

    def _begin_write(self, cursor) -> None:
        raise NotImplementedError

    def _unavailable(self, exc: Exception) -> bool:
        """True when `exc` means the store is down, full or locked out (not a bug of ours)."""
        raise NotImplementedError

    def migrate(self) -> None:
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _conn(self, holder=None):
        holder = self._local if holder is None else holder
        conn = getattr(holder, "conn", None)
        if conn is not None and holder.generation != self._generation:
            self._drop_connection(holder)
            conn = None
        if conn is None:
            conn = holder.conn = self._connect()
            holder.generation = self._generation
        return conn

    def renew_connections(self) -> None:
        """Each thread opens a new connection at its next use: the store is back after an outage,
        and a connection a thread opened before it (one that had no call fail) may be dead."""
        self._generation += 1

    def _drop_connection(self, holder=None) -> None:
        holder = self._local if holder is None else holder
        conn = getattr(holder, "conn", None)
        holder.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def _run(self, work, write: bool = False, holder=None):
        """`work(cursor)` in one transaction on the thread's connection (or `holder`'s); store
        failures become StoreUnavailable."""
        try:
            conn = self._conn(holder)
            cursor = conn.cursor()
            try:
                if write:
                    self._begin_write(cursor)
                result = work(cursor)
                conn.commit()
                return result
            except BaseException:
                try:
                    conn.rollback()
                except Exception:
                    pass
                raise
        except PolicyError:
            raise
        except Exception as exc:
            if self._unavailable(exc):
                self._drop_connection(holder)  # a fresh one next time (the server may be back)
                raise StoreUnavailable(f"decision store unavailable: {type(exc).__name__}: {exc}".strip()) from None
            raise

    def _rows(self, cursor, sql: str, params=()) -> list[dict]:
        cursor.execute(self._sql(sql), params)
        return [dict(zip(COLUMNS, row)) for row in cursor.fetchall()]

    def close(self) -> None:
        self._drop_connection()
        with self._append_lock:
            self._drop_connection(self._appender)

    # -- writing --------------------------------------------------------------------------------
    def append(self, pending: list[Pending], shared: bool = False) -> list[Outcome]:
        """Append the records in one transaction, after the chain's head; idempotent by request id.
        `shared`: on the connection the unary group commit's leaders share (whichever thread leads),
        not the calling thread's own."""
        if not shared:
            return self._run(lambda cursor: self._append(cursor, pending), write=True)
        with self._append_lock:
            return self._run(lambda cursor: self._append(cursor, pending), write=True, holder=self._appender)

    def _append(self, cursor, pending: list[Pending]) -> list[Outcome]:
        # A few statements per transaction whatever its size (a round trip each on PostgreSQL):
        # the head, earlier uses of the request ids, the slots' latest decisions, then the inserts;
        # one fewer for a unary ballot without a request id.
        request_ids = {item.row["request_id"] for item in pending if item.row["request_id"]}
        slots = {item.slot for item in pending if item.slot is not None}
        if len(slots) == 1 and not request_ids:  # a ballot's unary call: the head and its slot in one statement
            slot = next(iter(slots))
            cursor.execute(self._sql(_HEAD_AND_SLOT), slot)
            found = cursor.fetchone()
            if found is None:  # no record (none yet, or retention removed all): none in the slot either
                head, latest = (*self._anchor(cursor), ""), {}
            else:
                head, latest = found[:3], ({slot: found[3]} if found[3] is not None else {})
            earlier: dict[str, dict] = {}
        else:
            cursor.execute(_HEAD)
            head = cursor.fetchone() or (*self._anchor(cursor), "")
            earlier = self._by_request_ids(cursor, request_ids)
            latest = self._latest_in_slots(cursor, slots)
        seq, prev = int(head[0]), head[1]
        # Never before the record it follows (a clock stepped back, another machine's clock behind):
        # recorded_at rises with seq, so a time range is a seq range (`list`) and retention a prefix.
        recorded_at = max(now_iso(), head[2])
        outcomes: list[Outcome] = []
        inserts = []
        for item in pending:
            row = item.row
            request_id = row["request_id"]
            if request_id and request_id in earlier:
                found = earlier[request_id]
                outcomes.append(Outcome("stored" if found["input_digest"] == row["input_digest"] else "conflict", found))
                continue
            if item.slot is not None:
                row["supersedes"] = latest.get(item.slot, "")
                latest[item.slot] = row["decision_id"]
            seq += 1
            row.update(seq=seq, prev_hash=prev, recorded_at=recorded_at)
            row["hash"] = prev = record_hash(row)
            inserts.append([row[name] for name in COLUMNS])
            if request_id:
                earlier[request_id] = row
            outcomes.append(Outcome("recorded", row))
        if inserts:
            self._insert(cursor, inserts)
        return outcomes

    def _insert(self, cursor, rows: list[list]) -> None:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start:start + INSERT_ROWS]
            cursor.execute(self._sql(_INSERT + ", ".join([_VALUES] * len(chunk))), [value for row in chunk for value in row])

    def recorded_request_ids(self, request_ids: set[str]) -> set[str]:
        """Those of these request ids that a record already carries."""
        return set(self._run(lambda cursor: self._by_request_ids(cursor, request_ids)))

    def _by_request_ids(self, cursor, request_ids: set[str]) -> dict[str, dict]:
        if not request_ids:
            return {}
        marks = ", ".join("?" * len(request_ids))
        rows = self._rows(cursor, _SELECT + f" WHERE request_id IN ({marks}) AND request_id <> ''", tuple(request_ids))
        return {row["request_id"]: row for row in rows}

    # The slots' latest decisions: one statement of fixed text whatever their number (a text per
    # number of slots was compiled anew for most batches), an index probe per slot.
    _LATEST_IN_SLOTS = ""

    def _slot_params(self, slots: list[tuple]) -> tuple:
        raise NotImplementedError

    def _latest_in_slots(self, cursor, slots: set[tuple]) -> dict[tuple, str]:
        """Each (locality, subject, kind, year)'s latest decision id, for those that have one: one
        statement, an index probe per slot (a subject's whole past is not read)."""
        if not slots:
            return {}
        if len(slots) == 1:  # a unary call's: the probe itself, without unpacking a parameter list
            cursor.execute(self._sql(_LATEST_IN_SLOT), next(iter(slots)))
        else:
            cursor.execute(self._LATEST_IN_SLOTS, self._slot_params(sorted(slots)))
        return {(locality, subject, kind, int(year)): decision_id
                for locality, subject, kind, year, decision_id in cursor.fetchall() if decision_id is not None}

    def _anchor(self, cursor) -> tuple[int, str]:
        cursor.execute("SELECT seq, hash FROM chain_anchor WHERE id = 1")
        return cursor.fetchone() or (0, GENESIS)

    def anchor(self) -> tuple[int, str]:
        return self._run(self._anchor)

    def purge_before(self, cutoff: str) -> int:
        """Retention: remove the oldest records recorded before `cutoff` (a prefix of the chain) and
        move the anchor to the last one removed, so the chain still verifies from there."""
        def work(cursor):
            bounds = self._seq_range(cursor, None, cutoff)  # recorded before the cutoff: a prefix
            if bounds is None:
                return 0
            last = bounds[1]
            cursor.execute(self._sql("SELECT hash FROM decisions WHERE seq = ?"), (last,))
            last_hash = cursor.fetchone()[0]
            cursor.execute(self._sql("SELECT COUNT(*) FROM decisions WHERE seq <= ?"), (last,))
            removed = cursor.fetchone()[0]
            cursor.execute(self._sql("DELETE FROM decisions WHERE seq <= ?"), (last,))
            cursor.execute("DELETE FROM chain_anchor")
            cursor.execute(self._sql("INSERT INTO chain_anchor (id, seq, hash) VALUES (1, ?, ?)"), (last, last_hash))
            return removed
        return self._run(work, write=True)

    def archive_pack(self, digest: str, pack_id: str, version: str, files: dict[str, bytes]) -> None:
        """Keep a pack version's files by digest, once (the first time it decides)."""
        if digest in self._archived:
            return
        blob = zlib.compress(orjson.dumps({name: base64.b64encode(data).decode() for name, data in files.items()}))
        self._run(lambda cursor: cursor.execute(self._sql(
            "INSERT INTO pack_archive (digest, pack_id, version, archived_at, files) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (digest) DO NOTHING"), (digest, pack_id, version, now_iso(), blob)), write=False)
        self._archived.add(digest)

    # -- reading --------------------------------------------------------------------------------
    def get(self, decision_id: str) -> dict | None:
        rows = self._run(lambda cursor: self._rows(cursor, _SELECT + " WHERE decision_id = ?", (decision_id,)))
        return rows[0] if rows else None

    def list(self, filters: dict[str, Any], after_seq: int = 0, limit: int = 50) -> list[dict]:
        def work(cursor):
            clauses, params = ["seq > ?"], [after_seq]
            if filters.get("recorded_from") or filters.get("recorded_to"):
                bounds = self._seq_range(cursor, filters.get("recorded_from"), filters.get("recorded_to"))
                if bounds is None:  # no record in the time range
                    return []
                clauses[0] = "seq > ? AND seq <= ?"
                params = [max(after_seq, bounds[0] - 1), bounds[1]]
            for name, value in filters.items():
                if value not in (None, ""):
                    clauses.append(LIST_FILTERS[name])
                    params.append(value)
            sql = _SELECT + " WHERE " + " AND ".join(clauses) + " ORDER BY seq LIMIT ?"
            return self._rows(cursor, sql, (*params, limit))
        return self._run(work)

    def _seq_range(self, cursor, recorded_from: str | None, recorded_to: str | None) -> tuple[int, int] | None:
        """The first and last seq recorded in [from, to), or None when no record is: a time range
        read as a seq range, not by scanning the table in seq order for rows in it."""
        # two sub-selects: SQLite answers a lone MIN or MAX from the B-tree's end, both together by a scan
        cursor.execute("SELECT (SELECT MIN(seq) FROM decisions), (SELECT MAX(seq) FROM decisions)")
        first, last = cursor.fetchone()
        if first is None:
            return None
        if recorded_from:
            first = self._first_at_or_after(cursor, recorded_from, first, last)
            if first is None:
                return None
        if recorded_to:
            after = self._first_at_or_after(cursor, recorded_to, first, last)
            last = after - 1 if after is not None else last
        return (first, last) if last >= first else None

    def _first_at_or_after(self, cursor, instant: str, low: int, high: int) -> int | None:
        """The first seq in [low, high] recorded at or after `instant`, None if none: a binary
        search on seq (recorded_at rises with seq: `_append`), a primary-key probe per step, all in
        one statement (one round trip on PostgreSQL)."""
        cursor.execute(self._sql(_FIRST_AT_OR_AFTER), (low, high + 1, instant, instant))
        found = cursor.fetchone()[0]
        return None if found is None or found > high else int(found)

    def history(self, locality: str, subject: str, kind: str, before_year: int) -> builtins.list[tuple[int, str, str]]:  # `list` is a method here
        """(year, grade, decision id) per earlier year: the latest decision of each year (a later one
        supersedes an earlier), only those that graded the subject."""
        def work(cursor):
            cursor.execute(self._sql(
                "SELECT year, grade, decision_id FROM decisions WHERE subject = ? AND locality = ? AND kind = ?"
                " AND year < ? AND subject <> '' ORDER BY seq"), (subject, locality, kind, before_year))
            latest: dict[int, tuple[str, str]] = {}
            for year, grade, decision_id in cursor.fetchall():
                latest[int(year)] = (grade, decision_id)
            return [(year, grade, decision_id) for year, (grade, decision_id) in sorted(latest.items()) if grade]
        return self._run(work)

    def rows(self, batch: int = 1000) -> Iterator[dict]:
        """Every record in seq order, read a page at a time."""
        after = 0
        while True:
            page = self._run(lambda cursor: self._rows(cursor, _SELECT + " WHERE seq > ? ORDER BY seq LIMIT ?", (after, batch)))
            yield from page
            if len(page) < batch:
                return
            after = page[-1]["seq"]

    def pack_archive(self, digest: str) -> tuple[str, str, dict[str, bytes]] | None:
        def work(cursor):
            cursor.execute(self._sql("SELECT pack_id, version, files FROM pack_archive WHERE digest = ?"), (digest,))
            return cursor.fetchone()
        found = self._run(work)
        if found is None:
            return None
        files = orjson.loads(zlib.decompress(bytes(found[2])))
        return found[0], found[1], {name: base64.b64decode(data) for name, data in files.items()}

    def ping(self) -> None:
        self._run(lambda cursor: cursor.execute("SELECT 1 FROM chain_anchor LIMIT 1"))
