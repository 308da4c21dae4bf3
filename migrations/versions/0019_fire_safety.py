"""fire_safety: (placeholder, filled in by the work that owns it)

Revision ID: 0019_fire_safety
Revises: 0018_problems
"""

from collections.abc import Sequence

revision: str = "0019_fire_safety"
down_revision: str | Sequence[str] | None = "0018_problems"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
