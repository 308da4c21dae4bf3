"""Scheduled work of the alerts feature: releasing scheduled alerts when their time comes."""

from __future__ import annotations

from typing import Any

from handlers.alerts.delivery import due, release
from models.alerts import Alert


async def release_scheduled(app: Any) -> None:
    """Release scheduled alerts whose time has come; each in its own transaction, safe to run twice."""
    async with app.db.session() as session:
        ids = [a.id for a in await due(session)]
    for alert_id in ids:
        async with app.db.session() as session:
            alert = await session.get(Alert, alert_id)
            if alert is not None:
                await release(session, app.settings, alert)
                await session.commit()
