"""alerts: alerts, their targets, acknowledgements and scam identifiers

Revision ID: 0005_alerts
Revises: 0001_core
Create Date: 2026-11-22 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_alerts"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("photo_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("watch_for", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("search_folded", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verification_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("released_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("verification_code"),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_author_person_id"), ["author_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_province_code"), ["province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "alert_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["community_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_target_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_target_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_target_group_id"), ["group_id"], unique=False)

    op.create_table(
        "alert_ack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "person_id"),
    )
    with op.batch_alter_table("alert_ack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_ack_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_ack_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_ack_person_id"), ["person_id"], unique=False)

    op.create_table(
        "alert_identifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_identifier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_identifier_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index("ix_alert_identifier_lookup", ["kind", "value", "province_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_identifier", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_identifier_lookup")
        batch_op.drop_index(batch_op.f("ix_alert_identifier_alert_id"))

    op.drop_table("alert_identifier")
    with op.batch_alter_table("alert_ack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_ack_person_id"))
        batch_op.drop_index(batch_op.f("ix_alert_ack_group_id"))
        batch_op.drop_index(batch_op.f("ix_alert_ack_alert_id"))

    op.drop_table("alert_ack")
    with op.batch_alter_table("alert_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_target_group_id"))
        batch_op.drop_index(batch_op.f("ix_alert_target_area_id"))
        batch_op.drop_index(batch_op.f("ix_alert_target_alert_id"))

    op.drop_table("alert_target")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_ward_code"))
        batch_op.drop_index(batch_op.f("ix_alert_status"))
        batch_op.drop_index(batch_op.f("ix_alert_province_code"))
        batch_op.drop_index(batch_op.f("ix_alert_author_person_id"))

    op.drop_table("alert")
