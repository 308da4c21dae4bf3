"""tip_deadlines: (placeholder, filled in by the work that owns it)

Revision ID: 0022_tip_deadlines
Revises: 0021_year_review
"""

from collections.abc import Sequence

revision: str = "0022_tip_deadlines"
down_revision: str | Sequence[str] | None = "0021_year_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
