"""places setup: retired areas and groups, reusable group join links (invite.max_uses/uses, group_join)

Revision ID: 0013
Revises: 0012_rate_limits
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_places_setup"
down_revision: str | Sequence[str] | None = "0012_rate_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("community_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_uses", sa.Integer(), nullable=True))
        # Existing invites are single-use ones: a used one counts one use.
        batch_op.add_column(sa.Column("uses", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE invite SET uses = 1 WHERE used_at IS NOT NULL")
    op.create_table(
        "group_join",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.ForeignKeyConstraint(["invite_id"], ["invite.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invite_id", "person_id"),
    )
    with op.batch_alter_table("group_join", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_join_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_join_invite_id"), ["invite_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_join_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("group_join", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_join_person_id"))
        batch_op.drop_index(batch_op.f("ix_group_join_invite_id"))
        batch_op.drop_index(batch_op.f("ix_group_join_group_id"))
    op.drop_table("group_join")
    # A join link cannot be told from a single-use invite once max_uses is gone: keep none usable.
    op.execute(
        "UPDATE invite SET revoked_at = CURRENT_TIMESTAMP WHERE max_uses IS NOT NULL AND revoked_at IS NULL"
    )
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("uses")
        batch_op.drop_column("max_uses")
    with op.batch_alter_table("community_group", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
