"""tip_rewards: tip_reward (tips found useful, reward decisions, how they are collected)

Revision ID: 0020_tip_rewards
Revises: 0019_fire_safety
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_tip_rewards"
down_revision: str | Sequence[str] | None = "0019_fire_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "tip_reward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("useful_at", WHEN(), nullable=False),
        sa.Column("marked_by", sa.Integer(), nullable=True),
        sa.Column("amount_vnd", sa.Integer(), nullable=True),
        sa.Column("form", TEXT(), nullable=True),
        sa.Column("decision_ref", TEXT(), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("decided_at", WHEN(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("choice", TEXT(), nullable=True),
        sa.Column("claimant_person_id", sa.Integer(), nullable=True),
        sa.Column("claimant_name", TEXT(), nullable=True),
        sa.Column("claimant_phone", TEXT(), nullable=True),
        sa.Column("claim_hash", TEXT(), nullable=True),
        sa.Column("claimed_at", WHEN(), nullable=True),
        sa.Column("paid_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.ForeignKeyConstraint(["marked_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["claimant_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["paid_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tip_id"),
        sa.UniqueConstraint("claim_hash"),
    )
    with op.batch_alter_table("tip_reward", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_reward_ward_code"), ["ward_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tip_reward_claimant_person_id"), ["claimant_person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tip_reward", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_reward_claimant_person_id"))
        batch_op.drop_index(batch_op.f("ix_tip_reward_ward_code"))
    op.drop_table("tip_reward")
