"""/canhbao for authors: their recent alerts with sent / pending / failed / read, who the latest reached on which
channel and kind, per group (reached, still trying, not reached), and cancelling what has not gone out.

The leaders' lists of who an urgent alert did not reach are sent by a tick declared here (handlers.alerts.delivery).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.delivery.outbox import cancel, progress, reach_progress
from bot.i18n import N_, _, fmt_datetime
from handlers.alerts.buttons import AlertsMenu, ConfirmStop, StopAlert
from handlers.alerts.delivery import SOURCE, reach_by_group, unreached_tick
from handlers.alerts.store import ack_counts, acks_by_group
from handlers.common import group_label
from models import OutboxStatus
from models.alerts import Alert, AlertStatus

router = Router("alerts.progress")
router.tick("alerts.unreached_lists", every=timedelta(minutes=1))(unreached_tick)

RECENT = 5
CHANNEL_NAMES = {"telegram": "Telegram", "web": N_("web chat"), "zalo_bot": "Zalo Bot", "zalo_oa": "Zalo OA"}
VIA_NAMES = {
    "cs": N_("message"),
    "promotion": N_("promotion message"),
    "zns": N_("ZNS"),
    "group": N_("group chat"),
}


def route_name(channel: str, via: str) -> str:
    name = _(CHANNEL_NAMES.get(channel, channel))
    if via not in VIA_NAMES or via == "group":
        return name
    kind = _(VIA_NAMES[via])
    return f"{name} ({kind})"


async def reach_lines(ctx: Context, alert: Alert) -> list[str]:
    """Who the alert reached on which channel and kind, and per group: reached, still trying, not reached."""
    assert alert.id is not None
    summary = await reach_progress(ctx.session, SOURCE, str(alert.id))
    people = summary["people"]
    reached = "; ".join(
        f"{route_name(channel, via)}: {n}" for (channel, via), n in sorted(people["reached"].items())
    )
    lines = [
        _(
            'Reach of "{title}": reached {reached} ({routes}), still trying {trying}, not reached {missed}.'
        ).format(
            title=alert.title,
            reached=sum(people["reached"].values()),
            routes=reached or "-",
            trying=people["trying"],
            missed=people["not_reached"],
        )
    ]
    chats = summary["chats"]
    if chats["reached"] or chats["trying"] or chats["not_reached"]:
        lines.append(
            _("Group chats: reached {reached}, still trying {trying}, not reached {missed}.").format(
                reached=sum(chats["reached"].values()), trying=chats["trying"], missed=chats["not_reached"]
            )
        )
    per_group = []
    for group_id, counts in (await reach_by_group(ctx.session, alert)).items():
        label = await group_label(ctx.session, group_id) if group_id is not None else _("no group")
        per_group.append(
            (
                label,
                _("{reached} reached, {trying} trying, {missed} not reached").format(
                    reached=counts["reached"], trying=counts["trying"], missed=counts["not_reached"]
                ),
            )
        )
    if per_group:
        lines.append(
            _("Per group: {groups}").format(
                groups="; ".join(f"{label}: {text}" for label, text in sorted(per_group))
            )
        )
    return lines


async def show_progress(ctx: Context) -> None:
    alerts = list(
        (
            await ctx.session.exec(
                select(Alert)
                .where(Alert.author_person_id == ctx.person_id)
                .order_by(col(Alert.id).desc())
                .limit(RECENT)
            )
        ).all()
    )
    choices = [Choice(_("Write a new alert"), AlertsMenu("new"))]
    if not alerts:
        ctx.reply(
            _("You have not sent any alert yet."),
            [*choices, Choice(_("Alerts for my place"), AlertsMenu("list"))],
        )
        return
    acks = await ack_counts(ctx.session, [a.id for a in alerts if a.id is not None])
    lines = [_("Your recent alerts:")]
    for alert in alerts:
        assert alert.id is not None  # a stored row
        counts = await progress(ctx.session, SOURCE, str(alert.id))
        pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
        if alert.status == AlertStatus.SCHEDULED:
            state = _("scheduled for {when}").format(when=fmt_datetime(alert.send_at))
        elif alert.status == AlertStatus.CANCELLED:
            state = _("cancelled before it was sent")
        else:
            state = _(
                "sent {sent}, waiting {pending}, failed {failed}, cancelled {cancelled}, read by {read}"
            ).format(
                sent=counts.get(OutboxStatus.SENT, 0),
                pending=pending,
                failed=counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.SKIPPED, 0),
                cancelled=counts.get(OutboxStatus.CANCELLED, 0),
                read=acks.get(alert.id, 0),
            )
        lines.append(f"• {fmt_datetime(alert.created_at)} · {alert.title}\n  {state}")
        if alert.status == AlertStatus.SCHEDULED or pending:
            choices.append(Choice(_("Stop: {title}").format(title=alert.title[:40]), StopAlert(alert.id)))
    latest = next((a for a in alerts if a.status == AlertStatus.SENT), None)
    if latest is not None and latest.id is not None:
        lines += await reach_lines(ctx, latest)
        per_group = [
            (await group_label(ctx.session, g) if g is not None else _("no group"), n)
            for g, n in (await acks_by_group(ctx.session, latest.id)).items()
        ]
        if per_group:
            lines.append(
                _('Read per group ("{title}"): {groups}').format(
                    title=latest.title, groups="; ".join(f"{label}: {n}" for label, n in sorted(per_group))
                )
            )
    choices.append(Choice(_("Alerts for my place"), AlertsMenu("list")))
    ctx.reply("\n".join(lines), choices)


async def own_alert(ctx: Context, alert_id: int) -> Alert | None:
    alert = await ctx.session.get(Alert, alert_id)
    if alert is None or ctx.person is None or alert.author_person_id != ctx.person_id:
        return None
    return alert


@router.choice(StopAlert)
async def cancel_choice(ctx: Context) -> None:
    pressed = read_any(ctx, StopAlert, ConfirmStop)
    if not isinstance(pressed, StopAlert | ConfirmStop):
        raise NotChosen()
    alert = await own_alert(ctx, pressed.alert_id)
    if alert is None:
        ctx.reply(_("You can stop only alerts you wrote yourself."))
        return
    if isinstance(pressed, StopAlert):
        ctx.reply(
            _('Stop "{title}"? Deliveries that have already gone out cannot be taken back.').format(
                title=alert.title
            ),
            [
                Choice(_("Yes, stop it"), ConfirmStop(pressed.alert_id, True)),
                Choice(_("No, keep it"), ConfirmStop(pressed.alert_id, False)),
            ],
        )
        return
    if not pressed.yes:
        ctx.reply(_("Nothing was changed."))
        return
    if alert.status == AlertStatus.SCHEDULED:
        alert.status = AlertStatus.CANCELLED
        ctx.session.add(alert)
        ctx.audit("alert.cancelled", "alert", str(alert.id), alert.ward_code)
        ctx.reply(_("The scheduled alert was cancelled; nobody received it."))
        return
    stopped = await cancel(ctx.session, SOURCE, str(alert.id))
    ctx.audit("alert.cancelled", "alert", str(alert.id), alert.ward_code, deliveries=stopped)
    ctx.reply(_("Stopped {n} deliveries that had not gone out yet.").format(n=stopped))
