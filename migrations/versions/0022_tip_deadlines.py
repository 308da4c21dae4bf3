"""tip_deadlines: tip.transfer_due_at, the ward police's own transfer deadline (art. 145; TTLT 01/2017)

Tips already received get the default 24 hours from receipt, so lists of overdue tips keep counting them.

Revision ID: 0022_tip_deadlines
Revises: 0021_year_review
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022_tip_deadlines"
down_revision: str | Sequence[str] | None = "0021_year_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSFER_HOURS = 24  # the setting's default when this revision was written


def upgrade() -> None:
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    tip = sa.table(
        "tip",
        sa.column("id", sa.Integer()),
        sa.column("received_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("transfer_due_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(tip.c.id, tip.c.received_at).where(tip.c.transfer_due_at.is_(None))).all()
    for tip_id, received in rows:
        bind.execute(
            tip.update()
            .where(tip.c.id == tip_id)
            .values(transfer_due_at=received + timedelta(hours=TRANSFER_HOURS))
        )


def downgrade() -> None:
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.drop_column("transfer_due_at")
