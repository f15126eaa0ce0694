"""device site: where a device was last seen (stocktake) or moved to

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:30:00

A cache, like ``devices.status``: the site named by the device's latest live ``seen``
or ``sited`` event (refurb.lifecycle.history folds the same from the events). None
until one is recorded; its intake lot's site holds until then. The index answers a
stocktake's "which devices are expected at this site" without reading every device.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("site", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_index("ix_devices_site_status", "devices", ["site", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_devices_site_status", table_name="devices")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("site")
