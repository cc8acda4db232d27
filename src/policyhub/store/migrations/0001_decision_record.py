"""The decision record: decisions (hash-chained), the retention anchor, the pack archive.

One schema for SQLite and PostgreSQL; only the archive's binary column type differs.
"""

from yoyo import step

__depends__: set = set()


def _binary(conn) -> str:
    return "BLOB" if type(conn).__module__.startswith("sqlite3") else "BYTEA"


def apply(conn):
    cursor = conn.cursor()
    cursor.execute("""
        CREATE TABLE decisions (
            seq BIGINT PRIMARY KEY,
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
    # A request id names one decision (idempotency); empty ones are many.
    cursor.execute("CREATE UNIQUE INDEX decisions_request_id ON decisions (request_id) WHERE request_id <> ''")
    cursor.execute("CREATE INDEX decisions_subject ON decisions (subject, locality, kind, year, seq) WHERE subject <> ''")
    cursor.execute("CREATE INDEX decisions_locality ON decisions (locality, seq)")
    cursor.execute("CREATE INDEX decisions_pack ON decisions (pack_id, seq)")
    cursor.execute("CREATE INDEX decisions_recorded_at ON decisions (recorded_at)")
    # Where the chain starts after retention removed its oldest records.
    cursor.execute("CREATE TABLE chain_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)")
    cursor.execute(f"""
        CREATE TABLE pack_archive (
            digest TEXT PRIMARY KEY,
            pack_id TEXT NOT NULL,
            version TEXT NOT NULL,
            archived_at TEXT NOT NULL,
            files {_binary(conn)} NOT NULL
        )""")


def rollback(conn):
    cursor = conn.cursor()
    for table in ("pack_archive", "chain_anchor", "decisions"):
        cursor.execute(f"DROP TABLE {table}")


steps = [step(apply, rollback)]
