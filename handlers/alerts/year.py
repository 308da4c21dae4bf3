"""Alerts in the year's review: the share of delivered warnings that residents acknowledged ("I have read
this"), per group, area and ward, with the acknowledgements as evidence (declared in router.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from handlers.alerts.digest import ward_figures
from models import AlertAck

SOURCE = "alert_ack"


async def ack_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Acknowledgements over warnings delivered to people of the place, for warnings released in the period.
    A place to which nothing was delivered has no data."""
    data = await ward_figures(session, ward_code, start, end)
    ids = [alert.id for alert in data["alerts"]]
    if not ids or not data["all_delivered"]:
        return {}
    acks: dict[Place, list[int]] = defaultdict(list)
    for ack_id, group_id in (
        await session.exec(select(AlertAck.id, AlertAck.group_id).where(col(AlertAck.alert_id).in_(ids)))
    ).all():
        acks[Place("ward", ward_code)].append(int(ack_id or 0))
        if group_id is not None:
            acks[Place("group", group_id)].append(int(ack_id or 0))
            if (area_id := data["area_of"].get(group_id)) is not None:
                acks[Place("area", area_id)].append(int(ack_id or 0))
    delivered: dict[Place, int] = {Place("ward", ward_code): int(data["all_delivered"])}
    for group_id, n in data["delivered"].items():
        delivered[Place("group", group_id)] = n
        if (area_id := data["area_of"].get(group_id)) is not None:
            area = Place("area", area_id)
            delivered[area] = delivered.get(area, 0) + n
    return {
        place: Figure(
            value=min(1.0, len(acks[place]) / n),
            numerator=len(acks[place]),
            denominator=n,
            source=SOURCE,
            record_ids=tuple(sorted(acks[place])),
        )
        for place, n in delivered.items()
        if n
    }
