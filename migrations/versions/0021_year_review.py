"""year_review: review_criterion, review_criterion_text, review_entry, review_rating, review_nomination

Revision ID: 0021_year_review
Revises: 0020_tip_rewards
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021_year_review"
down_revision: str | Sequence[str] | None = "0020_tip_rewards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_at = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "review_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("place_kind", _str(), nullable=False),
        sa.Column("key", _str(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("legal_ref", _str(), nullable=False),
        sa.Column("figure", _str(), nullable=True),
        sa.Column("comparison", _str(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ward_code", "year", "place_kind", "key"),
    )
    with op.batch_alter_table("review_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_criterion_ward_code"), ["ward_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_criterion_year"), ["year"], unique=False)
    op.create_table(
        "review_criterion_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", _str(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["criterion_id"], ["review_criterion.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("criterion_id", "number"),
    )
    with op.batch_alter_table("review_criterion_text", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_criterion_text_criterion_id"), ["criterion_id"], unique=False
        )
    op.create_table(
        "review_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("place_kind", _str(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("note", _str(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_at", _at(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("confirm_note", _str(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", _at(), nullable=True),
        sa.ForeignKeyConstraint(["criterion_id"], ["review_criterion.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("criterion_id", "place_kind", "place_id"),
    )
    with op.batch_alter_table("review_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_entry_criterion_id"), ["criterion_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_entry_ward_code"), ["ward_code"], unique=False)
    op.create_table(
        "review_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("place_kind", _str(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("draft_grade", _str(), nullable=True),
        sa.Column("draft_reasons", sa.JSON(), nullable=False),
        sa.Column("shown_at", _at(), nullable=True),
        sa.Column("seen_at", _at(), nullable=True),
        sa.Column("seen_by", sa.Integer(), nullable=True),
        sa.Column("comment", _str(), nullable=False),
        sa.Column("commented_by", sa.Integer(), nullable=True),
        sa.Column("commented_at", _at(), nullable=True),
        sa.Column("proposed_grade", _str(), nullable=True),
        sa.Column("proposed_note", _str(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_at", _at(), nullable=True),
        sa.Column("final_grade", _str(), nullable=True),
        sa.Column("final_note", _str(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", _at(), nullable=True),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ward_code", "year", "place_kind", "place_id"),
    )
    with op.batch_alter_table("review_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rating_ward_code"), ["ward_code"], unique=False)
    op.create_table(
        "review_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("name", _str(), nullable=False),
        sa.Column("reason", _str(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("proposed_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_nomination_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_nomination_ward_code"), ["ward_code"], unique=False)


def downgrade() -> None:
    op.drop_table("review_nomination")
    op.drop_table("review_rating")
    op.drop_table("review_entry")
    op.drop_table("review_criterion_text")
    op.drop_table("review_criterion")
