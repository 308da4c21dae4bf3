"""zalo reach: outbox.via, delivery_attempt, zns_consent, zalo_quota

Revision ID: 0016_zalo_reach
Revises: 0015_web_push
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_zalo_reach"
down_revision: str | Sequence[str] | None = "0015_web_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("linked_chat_id", sa.Integer(), nullable=True),
        sa.Column("source_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempt_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index("ix_delivery_attempt_source", ["source_kind", "source_id"], unique=False)
        batch_op.create_index("ix_delivery_attempt_person_via", ["person_id", "via", "at"], unique=False)
    op.create_table(
        "zns_consent",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("consented_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "zalo_quota",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("exhausted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resume_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("told_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("zalo_quota")
    op.drop_table("zns_consent")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_attempt_person_via")
        batch_op.drop_index("ix_delivery_attempt_source")
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_outbox_id"))
    op.drop_table("delivery_attempt")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("via")
