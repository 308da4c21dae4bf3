""" "I have read this": residents acknowledge an alert once; acknowledgements are counted per group. Pressed, or
typed: under the alert its button takes "đã đọc" (bot.core.understand), and after other messages took the button's
place, "đã đọc" typed alone acknowledges the latest alert the person was sent within READ_WITHIN."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.router import Router
from bot.core.understand import courtesy
from bot.i18n import _
from handlers.alerts.buttons import Ack
from handlers.alerts.places import concerning, place_of
from models.alerts import Alert, AlertAck, AlertStatus

router = Router("alerts.ack")


@router.choice(Ack)
async def acknowledge(ctx: Context) -> None:
    pressed = Ack.read(ctx)
    if pressed is not None and any(Ack.unpack(c["payload"]) is not None for c in ctx.state.choices):
        # The latest alert's button stays the one that "1", "ok" or "đã đọc" answers: pressed (or typed) once, a
        # second "đã đọc" is told it was counted, as a second press is, rather than "I did not understand"; an
        # older alert's button pressed under a newer alert leaves the newer one's to answer.
        ctx.keep_choices = (ctx.state.flow, ctx.state.step)
    if ctx.person is None:
        ctx.reply(
            _("Thank you. To have your reading counted, start a private chat with me and join your group.")
        )
        return
    place = await place_of(ctx.session, await ctx.grants())
    alert = None
    if pressed is not None and place is not None:
        # Only an alert meant for the person's place counts: a forged payload cannot inflate another group's figure.
        alert = (
            await ctx.session.exec(
                select(Alert).where(
                    col(Alert.id) == pressed.alert_id,
                    col(Alert.status) == AlertStatus.SENT,
                    concerning(place),
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
        ctx.reply(already_read(ctx.event.text))
        return
    ctx.session.add(AlertAck(alert_id=alert.id, person_id=ctx.person_id, group_id=place.group_id))  # type: ignore[arg-type]
    ctx.reply(_("Thank you for reading it. Stay alert and share it with your family."))


READ_WITHIN = timedelta(
    days=7
)  # how old an alert "đã đọc" typed with no button on offer may still acknowledge


@router.read_said
async def read_typed(ctx: Context) -> bool:
    """ "đã đọc" typed when the alert's button is no longer on offer (the person asked something else since): the
    latest alert for their place released within READ_WITHIN, since they joined, is the one read. Before, it was
    answered "I did not understand" and the reading was lost."""
    if ctx.person is None:
        return False
    place = await place_of(ctx.session, await ctx.grants())
    if place is None:
        return False
    now = clock.now()
    released = func.coalesce(col(Alert.released_at), col(Alert.send_at))
    alert = (
        await ctx.session.exec(
            select(Alert)
            .where(
                col(Alert.status) == AlertStatus.SENT,
                concerning(place),
                released <= now,
                released >= max(now - READ_WITHIN, ctx.person.created_at),
            )
            .order_by(released.desc(), col(Alert.id).desc())
            .limit(1)
        )
    ).first()
    if alert is None:
        return False
    existing = (
        await ctx.session.exec(
            select(AlertAck).where(AlertAck.alert_id == alert.id, AlertAck.person_id == ctx.person_id)
        )
    ).first()
    if existing is not None:
        ctx.reply(
            _("You had already confirmed reading the warning “{title}”. Thank you!").format(title=alert.title)
        )
        return True
    ctx.session.add(AlertAck(alert_id=alert.id, person_id=ctx.person_id, group_id=place.group_id))  # type: ignore[arg-type]
    ctx.reply(
        _("Thank you for reading the warning “{title}”. Stay alert and share it with your family.").format(
            title=alert.title
        )
    )
    return True


def already_read(typed: str) -> str:
    """The answer to a second "I have read this": pressed, or typed as words that say it was read ("đã đọc" again,
    unsure the first went through), it was counted; "ok" or thanks typed after the thanks answer the bot's words,
    as they would anywhere: a courtesy back (the button stays on offer after a reading, so these reach it)."""
    if typed.strip() and courtesy(typed):
        return _("You're welcome! Your reading of this alert is counted.")
    return _("You had already confirmed reading this alert. Thank you!")
