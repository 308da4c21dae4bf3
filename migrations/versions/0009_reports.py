"""reports: ward report config, group report submissions, digest settings, scheduler run log

Revision ID: 0009_reports
Revises: 0001_core
Create Date: 2026-11-22 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_reports"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_config",
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("cadence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_weekday", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("due_time", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("remind_group_chat", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("ward_code"),
    )
    op.create_table(
        "digest_setting",
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("send_time", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("ward_code"),
    )
    op.create_table(
        "report_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("nothing_to_report", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["community_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "period_key"),
    )
    with op.batch_alter_table("report_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_submission_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_submission_period_key"), ["period_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_submission_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "tick_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("slot_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "slot_start"),
    )
    with op.batch_alter_table("tick_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tick_run_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tick_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tick_run_name"))
    op.drop_table("tick_run")
    with op.batch_alter_table("report_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_submission_ward_code"))
        batch_op.drop_index(batch_op.f("ix_report_submission_period_key"))
        batch_op.drop_index(batch_op.f("ix_report_submission_group_id"))
    op.drop_table("report_submission")
    op.drop_table("digest_setting")
    op.drop_table("report_config")
