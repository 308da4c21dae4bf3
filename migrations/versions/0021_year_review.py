"""year_review: (placeholder, filled in by the work that owns it)

Revision ID: 0021_year_review
Revises: 0020_tip_rewards
"""

from collections.abc import Sequence

revision: str = "0021_year_review"
down_revision: str | Sequence[str] | None = "0020_tip_rewards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
