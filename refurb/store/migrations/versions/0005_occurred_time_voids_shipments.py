"""records as a shop keeps them: when an event was entered (``recorded_at``) beside
when it happened (``at``), voids, changes to lots and participants, recyclers and
shipments

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(), nullable=True))
        batch_op.create_index("ix_events_voided_by", ["voided_by"], unique=False)
    op.execute("UPDATE events SET recorded_at = at")
    op.create_table(
        "record_changes",
        sa.Column("id", sa.String(), primary_key=True, nullable=False),
        sa.Column("record", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_record_changes_record", "record_changes", ["record"])
    op.create_index("ix_record_changes_record_id", "record_changes", ["record_id"])
    op.create_table(
        "recyclers",
        sa.Column("id", sa.String(), primary_key=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("certification", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recyclers_name", "recyclers", ["name"], unique=True)
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(), primary_key=True, nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("recycler_id", sa.String(), sa.ForeignKey("recyclers.id"), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("bol", sa.String(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("certificate", sa.String(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shipments_code", "shipments", ["code"], unique=True)
    op.create_index("ix_shipments_recycler_id", "shipments", ["recycler_id"])
    op.create_table(
        "shipment_items",
        sa.Column(
            "shipment_id", sa.String(), sa.ForeignKey("shipments.id"), primary_key=True
        ),
        sa.Column("device_id", sa.String(), sa.ForeignKey("devices.id"), primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    # participants served are now also tallied by their own community ("home"); this
    # uses the application's tally code (see the note in 0003)
    from refurb.store.tallies import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("shipment_items")
    op.drop_index("ix_shipments_recycler_id", "shipments")
    op.drop_index("ix_shipments_code", "shipments")
    op.drop_table("shipments")
    op.drop_index("ix_recyclers_name", "recyclers")
    op.drop_table("recyclers")
    op.drop_index("ix_record_changes_record_id", "record_changes")
    op.drop_index("ix_record_changes_record", "record_changes")
    op.drop_table("record_changes")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_voided_by")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("recorded_at")
