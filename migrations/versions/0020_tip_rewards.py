"""tip_rewards: (placeholder, filled in by the work that owns it)

Revision ID: 0020_tip_rewards
Revises: 0019_fire_safety
"""

from collections.abc import Sequence

revision: str = "0020_tip_rewards"
down_revision: str | Sequence[str] | None = "0019_fire_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
