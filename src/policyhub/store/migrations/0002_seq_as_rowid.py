"""SQLite: `seq` becomes the decisions table's rowid (`INTEGER PRIMARY KEY`). Declared `BIGINT
PRIMARY KEY` it had a unique index of its own beside the table's rowid B-tree: one more B-tree,
and one more page in the WAL, for every commit. SQLite cannot change a primary key in place, so the
table is rebuilt and its indexes made again; every record keeps its values (the chain verifies as
before). PostgreSQL has no rowid: its primary key index is the one it needs, nothing changes there.

The `(locality, seq)` and `(pack_id, seq)` indexes were measured for dropping and kept: without
them `ListDecisions` for a rare locality or pack scans the table (≈ 0.4 s at 100,000 records),
and the commit cost they add was below what this machine can resolve (bench/README.md).
"""

from yoyo import step

__depends__ = {"0001_decision_record"}

_COLUMNS = ("seq, decision_id, request_id, recorded_at, as_of, locality, pack_id, pack_version, pack_digest, kind,"
            " subject, year, grade, supersedes, history_source, input_digest, input, decision, trace, prev_hash, hash")

_INDEXES = (
    "CREATE UNIQUE INDEX decisions_request_id ON decisions (request_id) WHERE request_id <> ''",
    "CREATE INDEX decisions_subject ON decisions (subject, locality, kind, year, seq) WHERE subject <> ''",
    "CREATE INDEX decisions_locality ON decisions (locality, seq)",
    "CREATE INDEX decisions_pack ON decisions (pack_id, seq)",
    "CREATE INDEX decisions_recorded_at ON decisions (recorded_at)",
)


def _sqlite(conn) -> bool:
    return type(conn).__module__.startswith("sqlite3")


def _rebuild(conn, seq: str) -> None:
    """The decisions table again with `seq` declared so, the records copied in seq order."""
    cursor = conn.cursor()
    cursor.execute(f"""
        CREATE TABLE decisions_rebuilt (
            {seq},
            decision_id TEXT NOT NULL UNIQUE,
            request_id TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            locality TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            pack_version TEXT NOT NULL,
            pack_digest TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            year INTEGER,
            grade TEXT NOT NULL,
            supersedes TEXT NOT NULL,
            history_source TEXT NOT NULL,
            input_digest TEXT NOT NULL,
            input TEXT NOT NULL,
            decision TEXT NOT NULL,
            trace TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""")
    cursor.execute(f"INSERT INTO decisions_rebuilt ({_COLUMNS}) SELECT {_COLUMNS} FROM decisions ORDER BY seq")
    cursor.execute("DROP TABLE decisions")  # its indexes with it
    cursor.execute("ALTER TABLE decisions_rebuilt RENAME TO decisions")
    for sql in _INDEXES:
        cursor.execute(sql)


def apply(conn):
    if _sqlite(conn):
        _rebuild(conn, "seq INTEGER PRIMARY KEY")


def rollback(conn):
    if _sqlite(conn):
        _rebuild(conn, "seq BIGINT PRIMARY KEY")


steps = [step(apply, rollback)]
