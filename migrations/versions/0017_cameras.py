"""cameras: camera, footage_request, footage_ask, footage_clip

Revision ID: 0017_cameras
Revises: 0016_zalo_reach
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017_cameras"
down_revision: str | Sequence[str] | None = "0016_zalo_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "camera",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("place_text", TEXT(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("facing", TEXT(), nullable=False),
        sa.Column("records_at_night", sa.Boolean(), nullable=False),
        sa.Column("keep_days", sa.Integer(), nullable=False),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.Column("removed_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["owner_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["community_group.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("camera", schema=None) as batch_op:
        for column in ("owner_person_id", "ward_code", "area_id", "group_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_camera_{column}"), [column], unique=False)

    op.create_table(
        "footage_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("officer_person_id", sa.Integer(), nullable=True),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("place_text", TEXT(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("window_start", WHEN(), nullable=False),
        sa.Column("window_end", WHEN(), nullable=False),
        sa.Column("reason", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["ward_code"], ["ward.code"]),
        sa.ForeignKeyConstraint(["officer_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("footage_request", schema=None) as batch_op:
        for column in ("ward_code", "officer_person_id", "tip_id", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_footage_request_{column}"), [column], unique=False)

    op.create_table(
        "footage_ask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("camera_ids", sa.JSON(), nullable=False),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("deadline_at", WHEN(), nullable=False),
        sa.Column("asked_at", WHEN(), nullable=False),
        sa.Column("answered_at", WHEN(), nullable=True),
        sa.Column("reminded_at", WHEN(), nullable=True),
        sa.Column("useful", sa.Boolean(), nullable=False),
        sa.Column("upload_token_hash", TEXT(), nullable=True),
        sa.Column("upload_expires_at", WHEN(), nullable=True),
        sa.Column("upload_used_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["footage_request.id"]),
        sa.ForeignKeyConstraint(["owner_person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("footage_ask", schema=None) as batch_op:
        for column in ("request_id", "owner_person_id", "status", "upload_token_hash"):
            batch_op.create_index(batch_op.f(f"ix_footage_ask_{column}"), [column], unique=False)

    op.create_table(
        "footage_clip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("kind", TEXT(), nullable=False),
        sa.Column("police_ref", TEXT(), nullable=True),
        sa.Column("original_ref", TEXT(), nullable=True),
        sa.Column("mime_type", TEXT(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stripped", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Boolean(), nullable=False),
        sa.Column("added_at", WHEN(), nullable=False),
        sa.Column("purged_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["ask_id"], ["footage_ask.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["footage_request.id"]),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("footage_clip", schema=None) as batch_op:
        for column in ("ask_id", "request_id", "tip_id"):
            batch_op.create_index(batch_op.f(f"ix_footage_clip_{column}"), [column], unique=False)


def downgrade() -> None:
    for table, columns in (
        ("footage_clip", ("ask_id", "request_id", "tip_id")),
        ("footage_ask", ("request_id", "owner_person_id", "status", "upload_token_hash")),
        ("footage_request", ("ward_code", "officer_person_id", "tip_id", "created_at")),
        ("camera", ("owner_person_id", "ward_code", "area_id", "group_id", "status")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
