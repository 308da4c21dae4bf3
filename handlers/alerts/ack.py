""" "I have read this": residents acknowledge an alert once; acknowledgements are counted per group."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.i18n import _
from handlers.alerts.base import router
from handlers.alerts.places import concerning, place_of
from handlers.alerts.render import ACK_PREFIX
from handlers.common import picked
from models.alerts import Alert, AlertAck, AlertStatus


@router.choice(ACK_PREFIX)
async def acknowledge(ctx: Context) -> None:
    value = picked(ctx, ACK_PREFIX) or ""
    if ctx.person is None:
        ctx.reply(
            _("Thank you. To have your reading counted, start a private chat with me and join your group.")
        )
        return
    place = await place_of(ctx.session, await ctx.grants())
    alert = None
    if value.isdigit() and place is not None:
        # Only an alert meant for the person's place counts: a forged payload cannot inflate another group's figure.
        alert = (
            await ctx.session.exec(
                select(Alert).where(
                    col(Alert.id) == int(value), col(Alert.status) == AlertStatus.SENT, concerning(place)
                )
            )
        ).first()
    if alert is None or place is None:
        ctx.reply(_("That alert is not one for your place, so nothing was recorded."))
        return
    existing = (
        await ctx.session.exec(
            select(AlertAck).where(AlertAck.alert_id == alert.id, AlertAck.person_id == ctx.person_id)
        )
    ).first()
    if existing is not None:
        ctx.reply(_("You had already confirmed reading this alert. Thank you!"))
        return
    ctx.session.add(AlertAck(alert_id=alert.id, person_id=ctx.person_id, group_id=place.group_id))  # type: ignore[arg-type]
    ctx.reply(_("Thank you for reading it. Stay alert and share it with your family."))


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
