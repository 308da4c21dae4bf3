"""The tips' figures for the year's review (bot/extensions/year_figures.py): tips received, found useful and
rewarded, counted for the ward only.

Never per group or area: tips carry no group, and even a place named in a tip must not become "2 tips from group
5", which could point at a neighbour. The counts are anonymous, so no record ids travel with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from bot.i18n import local
from models import Tip
from models.tip_rewards import TipReward


def _ward(ward_code: int, count: int, source: str) -> dict[Place, Figure]:
    # Zero is a figure too (no tip this year), not "no data".
    return {Place("ward", ward_code): Figure(float(count), source=source, record_ids=())}


async def received(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Tips the ward police received in the period (by the day they arrived)."""
    count = (
        await session.exec(
            select(func.count())
            .select_from(Tip)
            .where(Tip.ward_code == ward_code, col(Tip.received_at) >= start, col(Tip.received_at) < end)
        )
    ).one()
    return _ward(ward_code, int(count), "tip")


async def useful(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Tips the ward police marked useful in the period (by the day they marked it)."""
    count = (
        await session.exec(
            select(func.count())
            .select_from(TipReward)
            .where(
                TipReward.ward_code == ward_code,
                col(TipReward.useful_at) >= start,
                col(TipReward.useful_at) < end,
            )
        )
    ).one()
    return _ward(ward_code, int(count), "tip_reward")


async def rewarded(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Tips with a reward decision dated in the period (the decision's own date, in the ward's calendar)."""
    first, after = local(start).date(), local(end).date()
    count = (
        await session.exec(
            select(func.count())
            .select_from(TipReward)
            .where(
                TipReward.ward_code == ward_code,
                col(TipReward.decided_at).is_not(None),
                col(TipReward.decision_date) >= first,
                col(TipReward.decision_date) < after,
            )
        )
    ).one()
    return _ward(ward_code, int(count), "tip_reward")
