"""running tallies for funder reports, filled from the event log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TEXT = sa.String()


def _key(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(n, _TEXT, primary_key=True, nullable=False) for n in names]


def upgrade() -> None:
    op.create_table(
        "tally_marks",
        *_key("measure", "month", "prev", "community", "lot_id", "chassis"),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("unweighed", sa.Integer(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "tally_people",
        *_key("scope", "key", "month", "prev"),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table("tally_finals", *_key("month"), sa.Column("n", sa.Integer(), nullable=False))
    op.create_table(
        "tally_statuses", *_key("status", "month"), sa.Column("n", sa.Integer(), nullable=False)
    )
    # Fill them from the events already recorded, in this same transaction. This uses
    # the application's tally code, which reads devices, events and lots by column name:
    # a later migration that renames one of the columns it reads must keep this step
    # working (or give 0003 its own copy of the queries). Voids (events.voided_by) come
    # with 0005: here there are none to leave out.
    from refurb.store.tallies import rebuild

    rebuild(op.get_bind(), voids=False)


def downgrade() -> None:
    for name in ("tally_statuses", "tally_finals", "tally_people", "tally_marks"):
        op.drop_table(name)
