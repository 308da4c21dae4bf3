"""Acknowledgement figures: how many people read each alert, and how many in each group."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.alerts import AlertAck


async def ack_counts(session: AsyncSession, alert_ids: list[int]) -> dict[int, int]:
    """How many people acknowledged each alert."""
    if not alert_ids:
        return {}
    rows = await session.exec(
        select(AlertAck.alert_id, func.count())
        .where(col(AlertAck.alert_id).in_(alert_ids))
        .group_by(col(AlertAck.alert_id))
    )
    return {int(a): int(n) for a, n in rows.all()}


async def acks_by_group(session: AsyncSession, alert_id: int) -> dict[int | None, int]:
    rows = await session.exec(
        select(AlertAck.group_id, func.count())
        .where(AlertAck.alert_id == alert_id)
        .group_by(col(AlertAck.group_id))
    )
    return {g: int(n) for g, n in rows.all()}
