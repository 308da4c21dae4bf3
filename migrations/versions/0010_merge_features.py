"""Join the feature migrations (linking, zalo, alerts, tips, pledges, mediation, reports) into one head.

Each feature's tables were written as a branch from 0001_core; this revision changes nothing itself.

Revision ID: 0010_merge_features
Revises: 0002_linking, 0003_zalo, 0005_alerts, 0006_tips, 0007_pledges, 0008_mediation, 0009_reports
"""

from collections.abc import Sequence

revision: str = "0010_merge_features"
down_revision: str | Sequence[str] | None = (
    "0002_linking",
    "0003_zalo",
    "0005_alerts",
    "0006_tips",
    "0007_pledges",
    "0008_mediation",
    "0009_reports",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
