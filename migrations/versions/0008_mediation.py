"""mediation: cases, parties, sessions, case history and mediators' declared relatives

Revision ID: 0008_mediation
Revises: 0001_core
Create Date: 2026-11-22 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_mediation"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mediator_relative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_folded", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediator_relative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediator_relative_person_id"), ["person_id"], unique=False)

    op.create_table(
        "mediation_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("requester_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("preferred_times", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=True),
        sa.Column("mediator_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("assigned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("agreement", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("next_steps", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("followup_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("followup_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("followup_answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["community_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("mediation_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_case_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_case_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mediation_case_followup_due_at"), ["followup_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mediation_case_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_case_mediator_id"), ["mediator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_case_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_case_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_case_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "mediation_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mediation_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediation_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "mediation_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_folded", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("invite_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("invite_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mediation_case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invite_hash"),
    )
    with op.batch_alter_table("mediation_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_party_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_party_name_folded"), ["name_folded"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_party_person_id"), ["person_id"], unique=False)

    op.create_table(
        "mediation_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("reminded_day_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_hours_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mediation_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediation_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_session_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_session_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mediation_session_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mediation_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_session_status"))
        batch_op.drop_index(batch_op.f("ix_mediation_session_starts_at"))
        batch_op.drop_index(batch_op.f("ix_mediation_session_case_id"))

    op.drop_table("mediation_session")
    with op.batch_alter_table("mediation_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_party_person_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_party_name_folded"))
        batch_op.drop_index(batch_op.f("ix_mediation_party_case_id"))

    op.drop_table("mediation_party")
    with op.batch_alter_table("mediation_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_event_case_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_event_action"))

    op.drop_table("mediation_event")
    with op.batch_alter_table("mediation_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_case_ward_code"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_status"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_requester_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_mediator_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_group_id"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_followup_due_at"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_closed_at"))
        batch_op.drop_index(batch_op.f("ix_mediation_case_area_id"))

    op.drop_table("mediation_case")
    with op.batch_alter_table("mediator_relative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediator_relative_person_id"))

    op.drop_table("mediator_relative")
