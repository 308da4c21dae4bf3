"""/canhbao for authors: their recent alerts with sent / pending / failed / read, and cancelling what has not gone out."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.replies import Choice
from bot.delivery.outbox import cancel, progress
from bot.i18n import _, fmt_datetime
from handlers.alerts.ack import ack_counts, acks_by_group
from handlers.alerts.base import router
from handlers.alerts.delivery import SOURCE
from handlers.common import group_label, picked
from models import OutboxStatus
from models.alerts import Alert, AlertStatus

RECENT = 5


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
    choices = [Choice(_("Write a new alert"), "alerts:new")]
    if not alerts:
        ctx.reply(
            _("You have not sent any alert yet."), [*choices, Choice(_("Alerts for my place"), "alerts:list")]
        )
        return
    acks = await ack_counts(ctx.session, [a.id for a in alerts if a.id is not None])
    lines = [_("Your recent alerts:")]
    for alert in alerts:
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
                read=acks.get(alert.id or 0, 0),
            )
        lines.append(f"• {fmt_datetime(alert.created_at)} · {alert.title}\n  {state}")
        if alert.status == AlertStatus.SCHEDULED or pending:
            choices.append(Choice(_("Stop: {title}").format(title=alert.title[:40]), f"acancel:{alert.id}"))
    latest = next((a for a in alerts if a.status == AlertStatus.SENT), None)
    if latest is not None and latest.id is not None:
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
    choices.append(Choice(_("Alerts for my place"), "alerts:list"))
    ctx.reply("\n".join(lines), choices)


async def own_alert(ctx: Context, value: str) -> Alert | None:
    alert = await ctx.session.get(Alert, int(value)) if value.isdigit() else None
    if alert is None or ctx.person is None or alert.author_person_id != ctx.person_id:
        return None
    return alert


@router.choice("acancel")
async def cancel_choice(ctx: Context) -> None:
    value = picked(ctx, "acancel") or ""
    alert_id, _sep, answer = value.partition(":")
    alert = await own_alert(ctx, alert_id)
    if alert is None:
        ctx.reply(_("You can stop only alerts you wrote yourself."))
        return
    if answer == "":
        ctx.reply(
            _('Stop "{title}"? Deliveries that have already gone out cannot be taken back.').format(
                title=alert.title
            ),
            [
                Choice(_("Yes, stop it"), f"acancel:{alert.id}:yes"),
                Choice(_("No, keep it"), f"acancel:{alert.id}:no"),
            ],
        )
        return
    if answer != "yes":
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
