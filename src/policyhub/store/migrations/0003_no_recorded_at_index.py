"""The `recorded_at` index goes: a time range is found by a binary search on `seq` (recorded_at
rises with seq, as `SQLStore._append` keeps it), for `ListDecisions` and for retention alike, so
the index served nothing any more, while every commit wrote a page of it: one B-tree fewer of the
six a record touches (SQLite, in isolation: ≈ 12 % less CPU per one-record append, ≈ 15 % per
batched record; bench/README.md). The same on both backends.
"""

from yoyo import step

__depends__ = {"0002_seq_as_rowid"}

steps = [step("DROP INDEX decisions_recorded_at", "CREATE INDEX IF NOT EXISTS decisions_recorded_at ON decisions (recorded_at)")]
