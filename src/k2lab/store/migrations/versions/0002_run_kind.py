"""simulation runs get a kind: an outlook/scenario simulation or a virtual trial

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("simulation_runs") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="simulation")
        )
        batch.create_index("ix_simulation_runs_kind", ["kind"])


def downgrade() -> None:
    with op.batch_alter_table("simulation_runs") as batch:
        batch.drop_index("ix_simulation_runs_kind")
        batch.drop_column("kind")
