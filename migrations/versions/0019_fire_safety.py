"""fire_safety: ward choices, advice, household checklists, liên gia teams, public fire points and their checks

Revision ID: 0019_fire_safety
Revises: 0018_problems
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_fire_safety"
down_revision: str | Sequence[str] | None = "0018_problems"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "fire_safety_ward",
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("checklist_enabled", sa.Boolean(), nullable=False),
        sa.Column("teams_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("ward_code"),
    )
    op.create_table(
        "fire_safety_advice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("item", TEXT(), nullable=False),
        sa.Column("text", TEXT(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ward_code", "item"),
    )
    _indexes("fire_safety_advice", "ward_code")
    op.create_table(
        "fire_safety_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("address", TEXT(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("has_extinguisher", sa.Boolean(), nullable=False),
        sa.Column("extinguisher_expires_on", sa.Date(), nullable=True),
        sa.Column("smoke_alarm", sa.Boolean(), nullable=False),
        sa.Column("escape_route_clear", sa.Boolean(), nullable=False),
        sa.Column("electrical_checked", sa.Boolean(), nullable=False),
        sa.Column("gas", TEXT(), nullable=False),
        sa.Column("has_shop", sa.Boolean(), nullable=False),
        sa.Column("second_exit", sa.Boolean(), nullable=True),
        sa.Column("signed_at", WHEN(), nullable=False),
        sa.Column("replaced_at", WHEN(), nullable=True),
        sa.Column("current_key", TEXT(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("current_key"),
    )
    _indexes("fire_safety_checklist", "group_id", "household_id", "person_id", "year")
    op.create_table(
        "fire_safety_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("leader_household_id", sa.Integer(), nullable=False),
        sa.Column("leader_person_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("retired_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.ForeignKeyConstraint(["leader_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("fire_safety_team", "group_id", "leader_person_id", "ward_code")
    op.create_table(
        "fire_safety_team_household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["fire_safety_team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id"),
    )
    _indexes("fire_safety_team_household", "team_id")
    op.create_table(
        "fire_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("place", TEXT(), nullable=False),
        sa.Column("holds", TEXT(), nullable=False),
        sa.Column("keeper_person_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("retired_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        sa.ForeignKeyConstraint(["keeper_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("fire_point", "area_id", "keeper_person_id", "ward_code")
    op.create_table(
        "fire_point_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("month", TEXT(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("note", TEXT(), nullable=True),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["point_id"], ["fire_point.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("fire_point_check", "month", "point_id")


def downgrade() -> None:
    for table in (
        "fire_point_check",
        "fire_point",
        "fire_safety_team_household",
        "fire_safety_team",
        "fire_safety_checklist",
        "fire_safety_advice",
        "fire_safety_ward",
    ):
        op.drop_table(table)
