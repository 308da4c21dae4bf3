"""problems: everyday problems reported to the ward (problem, problem_photo, problem_route, problem_rate)

Revision ID: 0018_problems
Revises: 0017_cameras
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018_problems"
down_revision: str | Sequence[str] | None = "0017_cameras"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("place_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("wants_progress", sa.Boolean(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("receipt_bucket", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("receipt_salt", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("receipt_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("passed_to", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closing_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["merged_into"], ["problem.id"]),
        sa.ForeignKeyConstraint(["assigned_to"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        for column in (
            "ward_code",
            "area_id",
            "group_id",
            "category",
            "person_id",
            "receipt_bucket",
            "status",
            "merged_into",
            "assigned_to",
            "closed_at",
        ):
            batch_op.create_index(batch_op.f(f"ix_problem_{column}"), [column], unique=False)

    op.create_table(
        "problem_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["problem.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problem_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_photo_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "problem_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["problem.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("problem_id"),
    )

    op.create_table(
        "problem_rate",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("problem_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_rate_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problem_rate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_rate_day"))
    op.drop_table("problem_rate")
    op.drop_table("problem_route")
    with op.batch_alter_table("problem_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_photo_problem_id"))
    op.drop_table("problem_photo")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        for column in (
            "closed_at",
            "assigned_to",
            "merged_into",
            "status",
            "receipt_bucket",
            "person_id",
            "category",
            "group_id",
            "area_id",
            "ward_code",
        ):
            batch_op.drop_index(batch_op.f(f"ix_problem_{column}"))
    op.drop_table("problem")
