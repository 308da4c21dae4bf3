"""inbound: (placeholder, filled in by the work that owns it)

Revision ID: 0023_inbound
Revises: 0022_tip_deadlines
"""

from collections.abc import Sequence

revision: str = "0023_inbound"
down_revision: str | Sequence[str] | None = "0022_tip_deadlines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
