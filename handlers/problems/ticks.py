"""Scheduled work of the problems feature: what served a closed report's reporters is dropped once it has served.

The sealed copies of the way back to reporters without a name leave the outbox once their message went out (the
route row itself goes when the problem is closed), and past days' daily-limit counters are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlmodel import col

from bot import clock
from bot.db import execute
from bot.i18n import local
from handlers.problems.notify import SOURCE
from models import OutboxMessage, OutboxStatus
from models.problems import ProblemRateCounter

if TYPE_CHECKING:
    from bot.app import App


async def purge(app: App) -> None:
    today = local(clock.now()).date().isoformat()
    async with app.db.session() as session:
        await execute(
            session,
            update(OutboxMessage)
            .where(
                col(OutboxMessage.source_kind) == SOURCE,
                col(OutboxMessage.sealed_route).is_not(None),
                col(OutboxMessage.status).not_in([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
            .values(sealed_route=None),
        )
        await execute(session, delete(ProblemRateCounter).where(col(ProblemRateCounter.day) < today))
        await session.commit()
