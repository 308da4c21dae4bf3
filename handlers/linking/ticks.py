"""Scheduled work of the linking feature: expired link codes are purged (declared in router.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import col

from bot import clock
from bot.db import execute
from models import LinkCode

if TYPE_CHECKING:
    from bot.app import App


async def purge_codes(app: App) -> None:
    """Codes are useless after expiry: keep none older than a day."""
    async with app.db.session() as session:
        await execute(
            session, delete(LinkCode).where(col(LinkCode.expires_at) < clock.now() - timedelta(days=1))
        )
        await session.commit()
