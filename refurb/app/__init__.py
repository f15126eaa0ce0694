"""The application layer: every use case once, for every front door (the CLI now, the
web pages next). Plain arguments in, plain results out; each write is one transaction
that locks what it changes and asks the rulebook (refurb.lifecycle) first.

Modules: lifecycle (moves, wipe records, issue, return, harvest, recycle, attest),
hub (bundle export and import), checks (the rulebook over the whole database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from refurb.store.db import Store as Inventory

Access = Literal["read", "write", "create"]


def open_inventory(db_url: str | None, access: Access) -> Inventory:
    """The inventory database. ``read``: it must exist, and a read-only file (or file
    system) is opened read-only; ``write``: it must exist; ``create``: a SQLite file
    that does not exist yet is made at the current schema (the commands that record
    something new: intake, import, lot add, participant add)."""
    from refurb.store.db import open_store

    return open_store(db_url, create=access == "create", readonly=access == "read")


__all__ = ["Access", "Inventory", "open_inventory"]
