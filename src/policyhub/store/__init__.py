"""The decision record: every decision kept (append-only, hash-chained, personal data
pseudonymised), looked up, replayed on the exact pack version that made it, and read back as
history. SQLite in a state directory by default; PostgreSQL past one machine.

Layers: config (what to open) -> sqlite / postgresql (behind base.SQLStore) -> recorder (the
evaluator's hook) and service (policyhub.v1.Decisions), replay, cli.
"""

from .config import StoreConfig, open_store

__all__ = ["StoreConfig", "open_store"]
