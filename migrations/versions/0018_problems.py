"""problems: (placeholder, filled in by the work that owns it)

Revision ID: 0018_problems
Revises: 0017_cameras
"""

from collections.abc import Sequence

revision: str = "0018_problems"
down_revision: str | Sequence[str] | None = "0017_cameras"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
