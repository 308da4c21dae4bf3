"""tips: anonymous and named tips, their files and exchanges, sealed reply routes, rate counters

Revision ID: 0006_tips
Revises: 0001_core
Create Date: 2026-11-22 22:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_tips"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("may_reply", sa.Boolean(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reporter_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("place_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("occurred", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("receipt_bucket", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("receipt_salt", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("receipt_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("receipt_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decision_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("extended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("extension_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("outcome_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_receipt_bucket"), ["receipt_bucket"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "tip_rate",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("tip_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_rate_day"), ["day"], unique=False)

    op.create_table(
        "tip_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("police_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("original_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stripped", sa.Boolean(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_attachment_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "tip_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_message_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "tip_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tip_id"),
    )


def downgrade() -> None:
    op.drop_table("tip_route")
    with op.batch_alter_table("tip_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_message_tip_id"))
    op.drop_table("tip_message")
    with op.batch_alter_table("tip_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_attachment_tip_id"))
    op.drop_table("tip_attachment")
    with op.batch_alter_table("tip_rate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_rate_day"))
    op.drop_table("tip_rate")
    with op.batch_alter_table("tip", schema=None) as batch_op:
        for name in (
            "ix_tip_ward_code",
            "ix_tip_status",
            "ix_tip_receipt_bucket",
            "ix_tip_person_id",
            "ix_tip_closed_at",
            "ix_tip_category",
        ):
            batch_op.drop_index(batch_op.f(name))
    op.drop_table("tip")
