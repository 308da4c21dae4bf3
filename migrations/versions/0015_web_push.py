"""web_push_subscription: Web Push subscriptions of web chat sessions (sealed endpoint and keys)

Revision ID: 0015
Revises: 0014_inbound
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_web_push"
down_revision: str | Sequence[str] | None = "0014_inbound"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_push_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("endpoint_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sealed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint_key"),
    )
    with op.batch_alter_table("web_push_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_push_subscription_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_push_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_push_subscription_session_id"))
    op.drop_table("web_push_subscription")
