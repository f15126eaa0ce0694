"""events in each device's own order (seq, origin), what they refer to (ref, data);
device aliases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 10:30:00

Events recorded before this revision get their sequence from their time (the only
order there was), a data marker ``legacy`` (the rulebook folds them but does not
judge them), sanitization events are paired with their records, and each device gets
one ``probed`` event at seq 0 that sees the drives present now.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("origin", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("ref", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("data", sa.String(), nullable=True))
        batch_op.create_index("ix_events_device_seq", ["device_id", "seq"], unique=False)
    op.create_table(
        "device_aliases",
        sa.Column("tag", sa.String(), primary_key=True, nullable=False),
        sa.Column("device_id", sa.String(), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_device_aliases_device_id", "device_aliases", ["device_id"])
    conn = op.get_bind()
    legacy = json.dumps({"legacy": True})
    conn.execute(
        sa.text(
            "UPDATE events SET seq = r.rn, origin = events.device_id, data = :legacy "
            "FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY at, id) AS rn "
            "FROM events) AS r WHERE events.id = r.id"
        ),
        {"legacy": legacy},
    )
    # sanitization events and their records, paired in the order they were written
    records: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in conn.execute(
        sa.text(
            "SELECT id, device_id, drive_id, level, verification_result FROM sanitizations "
            "ORDER BY device_id, recorded_at, id"
        )
    ):
        result = row.level if row.level in ("removed", "destroy") else row.verification_result
        records[row.device_id].append((row.id, row.drive_id, result or "fail"))
    events: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(
        sa.text("SELECT id, device_id FROM events WHERE kind = 'sanitized' ORDER BY device_id, seq")
    ):
        events[row.device_id].append(row.id)
    for device_id, ids in events.items():
        for event_id, (rec, drive, result) in zip(ids, records.get(device_id, []), strict=False):
            conn.execute(
                sa.text("UPDATE events SET ref = :ref, data = :data WHERE id = :id"),
                {
                    "ref": rec,
                    "id": event_id,
                    "data": json.dumps({"legacy": True, "drive": drive, "result": result}),
                },
            )
    seen: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(sa.text("SELECT id, device_id, present FROM drives ORDER BY id")):
        if row.present:
            seen[row.device_id].append(row.id)
    devices = conn.execute(
        sa.text(
            "SELECT id, created_at FROM devices WHERE EXISTS "
            "(SELECT 1 FROM events WHERE events.device_id = devices.id)"
        )
    ).all()
    table = sa.table(
        "events",
        *(sa.column(c) for c in ("id", "device_id", "at", "kind", "seq", "origin", "data")),
    )
    rows = [
        {
            "id": str(uuid.uuid4()),
            "device_id": d.id,
            "at": d.created_at,
            "kind": "probed",
            "seq": 0,
            "origin": d.id,
            "data": json.dumps({"legacy": True, "seen": seen.get(d.id, [])}),
        }
        for d in devices
    ]
    for i in range(0, len(rows), 1000):
        conn.execute(sa.insert(table), rows[i : i + 1000])


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE kind = 'probed'")
    op.drop_index("ix_device_aliases_device_id", "device_aliases")
    op.drop_table("device_aliases")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_device_seq")
        batch_op.drop_column("data")
        batch_op.drop_column("ref")
        batch_op.drop_column("origin")
        batch_op.drop_column("seq")
