"""Schema migrations with yoyo-migrations: plain, numbered migration files (store/migrations/)
applied once each and recorded in the database, under yoyo's lock, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def apply_migrations(url: str) -> list[str]:
    """Apply every migration not yet applied; returns the ids applied now."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(url)
    try:
        migrations = read_migrations(str(MIGRATIONS))
        with backend.lock():
            todo = backend.to_apply(migrations)
            backend.apply_migrations(todo)
        return [m.id for m in todo]
    finally:
        backend.connection.close()
