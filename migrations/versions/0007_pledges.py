"""pledges: campaigns, versions, registrations, household members, signatures

Revision ID: 0007_pledges
Revises: 0001_core
Create Date: 2026-11-22 22:34:49.524058
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_pledges"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pledge_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("area_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_code"],
            ["ward.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ward_code", "year"),
    )
    with op.batch_alter_table("pledge_campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_campaign_ward_code"), ["ward_code"], unique=False)

    op.create_table(
        "pledge_area_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["pledge_campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "area_id"),
    )
    with op.batch_alter_table("pledge_area_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_area_registration_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pledge_area_registration_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "pledge_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["pledge_campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "number"),
    )
    with op.batch_alter_table("pledge_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_version_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "household_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", "person_id"),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_member_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_member_person_id"), ["person_id"], unique=False)

    op.create_table(
        "pledge_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("active_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["pledge_campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["community_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["pledge_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("active_key"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("pledge_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_signature_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledge_signature_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledge_signature_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledge_signature_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pledge_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_signature_person_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_signature_household_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_signature_group_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_signature_campaign_id"))

    op.drop_table("pledge_signature")
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_member_person_id"))
        batch_op.drop_index(batch_op.f("ix_household_member_household_id"))

    op.drop_table("household_member")
    with op.batch_alter_table("pledge_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_version_campaign_id"))

    op.drop_table("pledge_version")
    with op.batch_alter_table("pledge_area_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_area_registration_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_area_registration_area_id"))

    op.drop_table("pledge_area_registration")
    with op.batch_alter_table("pledge_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_campaign_ward_code"))

    op.drop_table("pledge_campaign")
