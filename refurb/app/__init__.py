"""The application layer: every use case once, for every front door (the CLI now, the
web pages next). Plain arguments in, plain results out; each write is one transaction
that locks what it changes and asks the rulebook (refurb.lifecycle) first.

Modules: lifecycle (moves, wipe records, issue, return, harvest, recycle, attest),
hub (bundle export and import), checks (the rulebook over the whole database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from refurb.store.db import Store as Inventory


def open_inventory(db_url: str | None) -> Inventory:
    """The inventory database (created at the current schema when new)."""
    from refurb.store.db import open_store

    return open_store(db_url)


__all__ = ["Inventory", "open_inventory"]
