"""cameras: (placeholder, filled in by the work that owns it)

Revision ID: 0017_cameras
Revises: 0016_zalo_reach
"""

from collections.abc import Sequence

revision: str = "0017_cameras"
down_revision: str | Sequence[str] | None = "0016_zalo_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
