"""/canhbao for those who follow alerts: the recent alerts with sent / pending / not reachable / failed / read,
who the latest reached on which channel and kind, per group (reached, still trying, not reached), the names of
those it could not reach (to tell them in person), and cancelling what one wrote and has not gone out.

The ward's police follow every alert of their ward, whoever wrote it (the author named): one officer on duty
answers for the alert a colleague sent. A group leader follows the alerts he wrote, and of the others that
reached a group he leads (the police's, a co-leader's), only that group's figures: another group's are not his to
see. Names of the unreached go only to those who may tell them in person (`missed_names`).

The lists of who an alert did not reach are sent by a tick declared here (handlers.alerts.delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.delivery.outbox import cancel, progress, reach_progress
from bot.i18n import N_, _, fmt_datetime
from handlers.alerts.buttons import AlertsMenu, ConfirmStop, StopAlert
from handlers.alerts.delivery import SOURCE, is_ward_police, reach_by_group, unreached_of, unreached_tick
from handlers.alerts.places import Place, concerning, powers_of
from handlers.alerts.store import ack_counts, acks_by_group
from handlers.common import group_label
from models import Group, OutboxStatus, Person, Role
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


@dataclass(frozen=True)
class Viewer:
    """Whose /canhbao this is: the ward they serve as police, the groups they lead."""

    person_id: int
    police_ward: int | None
    led: frozenset[int]

    def sees_all(self, alert: Alert) -> bool:
        """Every figure of the alert, every group's: its author, or police of its ward."""
        return alert.author_person_id == self.person_id or alert.ward_code == self.police_ward


async def viewer_of(ctx: Context) -> Viewer:
    assert ctx.person_id is not None  # only a registered author reaches this screen
    grants = await ctx.grants()
    powers = powers_of(grants)
    police = powers.ward_code if powers is not None and powers.role == Role.POLICE else None
    led = frozenset(g.group_id for g in grants if g.role == Role.GROUP_ADMIN and g.group_id is not None)
    return Viewer(ctx.person_id, police, led)


async def followed(ctx: Context, viewer: Viewer) -> list[Alert]:
    """The viewer's recent alerts: the ward's for its police; for a leader, his own and those sent to his groups."""
    condition = col(Alert.author_person_id) == viewer.person_id
    if viewer.police_ward is not None:
        condition = or_(condition, col(Alert.ward_code) == viewer.police_ward)
    elif viewer.led:
        groups = (await ctx.session.exec(select(Group).where(col(Group.id).in_(viewer.led)))).all()
        places = [concerning(Place(g.ward_code, g.area_id, g.id)) for g in groups]
        condition = or_(condition, and_(col(Alert.status) == AlertStatus.SENT, or_(*places)))
    query = select(Alert).where(condition).order_by(col(Alert.id).desc()).limit(RECENT)
    return list((await ctx.session.exec(query)).all())


async def signed(ctx: Context, viewer: Viewer, alert: Alert) -> str:
    """Who an alert the viewer did not write comes from: the officer for the ward's police; for a leader, the
    issuer as residents read it (an officer's name is not his to know)."""
    if alert.author_person_id == viewer.person_id:
        return ""
    author = await ctx.session.get(Person, alert.author_person_id) if alert.author_person_id else None
    if (
        viewer.police_ward != alert.ward_code or author is None
    ):  # erased: the alert stays, signed by the place
        return " · " + issued_by(alert)
    name = (author.display_name or "").strip()
    if not name:  # the web chat knows no name: the officer's number, as the tips' screens show it
        return " · " + _("written by officer no. {id}").format(id=author.id)
    return " · " + _("written by {name}").format(name=name)


def issued_by(alert: Alert) -> str:
    if alert.author_role == Role.POLICE:
        return _("from the police of {place}").format(place=alert.issuer)
    return _("from the leader of {place}").format(place=alert.issuer)


def route_name(channel: str, via: str) -> str:
    name = _(CHANNEL_NAMES.get(channel, channel))
    if via not in VIA_NAMES or via == "group":
        return name
    kind = _(VIA_NAMES[via])
    return f"{name} ({kind})"


async def reach_lines(ctx: Context, alert: Alert) -> list[str]:
    """Who the alert reached on which channel and kind, and in group chats."""
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
    return lines


async def label_of(ctx: Context, group_id: int | None) -> str:
    return await group_label(ctx.session, group_id) if group_id is not None else _("no group")


async def per_group_lines(ctx: Context, alert: Alert, only: frozenset[int] | None) -> list[str]:
    """Per group: reached, still trying, not reached; then read. `only`: the groups the viewer may see (None: all)."""
    assert alert.id is not None
    reach = [
        (
            await label_of(ctx, group_id),
            _("{reached} reached, {trying} trying, {missed} not reached").format(
                reached=counts["reached"], trying=counts["trying"], missed=counts["not_reached"]
            ),
        )
        for group_id, counts in (await reach_by_group(ctx.session, alert)).items()
        if only is None or group_id in only
    ]
    reads = [
        (await label_of(ctx, group_id), n)
        for group_id, n in (await acks_by_group(ctx.session, alert.id)).items()
        if only is None or group_id in only
    ]
    lines = []
    if reach:
        lines.append(
            _("Per group: {groups}").format(
                groups="; ".join(f"{label}: {text}" for label, text in sorted(reach))
            )
        )
    if reads:
        lines.append(
            _('Read per group ("{title}"): {groups}').format(
                title=alert.title, groups="; ".join(f"{label}: {n}" for label, n in sorted(reads))
            )
        )
    return lines


async def missed_names(ctx: Context, alert: Alert) -> list[str]:
    """The residents the alert could not reach, by name, for the viewer to tell in person: the ward's for its
    police, a leader's own groups' for a leader. Those still being tried are counted above, not named."""
    assert ctx.person_id is not None  # only an author sees this screen
    police = await is_ward_police(ctx.session, ctx.person_id, alert.ward_code)
    led = {g.group_id for g in await ctx.grants() if g.role == Role.GROUP_ADMIN and g.group_id is not None}
    named = []
    for group_id, missed in (await unreached_of(ctx.session, alert)).items():
        names = ", ".join(m.line for m in missed if not m.trying)
        if names and (police or group_id in led):
            named.append(f"{await label_of(ctx, group_id)}: {names}")
    if not named:
        return []
    return [_("Not reached, to tell in person: {names}").format(names="; ".join(sorted(named)))]


async def in_groups_state(ctx: Context, alert: Alert, groups: frozenset[int]) -> str:
    """An alert someone else wrote, as far as it concerns the viewer's groups."""
    assert alert.id is not None
    reach = [c for g, c in (await reach_by_group(ctx.session, alert)).items() if g in groups]
    read = sum(n for g, n in (await acks_by_group(ctx.session, alert.id)).items() if g in groups)
    return _(
        "in your group: reached {reached}, still trying {trying}, not reached {missed}, read by {read}"
    ).format(
        reached=sum(c["reached"] for c in reach),
        trying=sum(c["trying"] for c in reach),
        missed=sum(c["not_reached"] for c in reach),
        read=read,
    )


async def state_of(ctx: Context, viewer: Viewer, alert: Alert, read: int) -> tuple[str, bool]:
    """One alert's line of figures, and whether it still has deliveries to stop."""
    assert alert.id is not None  # a stored row
    if alert.status == AlertStatus.SCHEDULED:
        return _("scheduled for {when}").format(when=fmt_datetime(alert.send_at)), True
    if alert.status == AlertStatus.CANCELLED:
        return _("cancelled before it was sent"), False
    if not viewer.sees_all(alert):
        return await in_groups_state(ctx, alert, viewer.led), False
    counts = await progress(ctx.session, SOURCE, str(alert.id))
    pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
    return sent_state(counts, pending, read), bool(pending)


def heading(viewer: Viewer, found: bool) -> str:
    if viewer.police_ward is not None:
        return _("Recent alerts of your ward:") if found else _("No alert has been sent in your ward yet.")
    if viewer.led:
        return (
            _("Recent alerts you wrote or that reached your group:")
            if found
            else _("You have not sent any alert yet, and none has reached your group.")
        )
    return _("Your recent alerts:") if found else _("You have not sent any alert yet.")


async def show_progress(ctx: Context) -> None:
    viewer = await viewer_of(ctx)
    alerts = await followed(ctx, viewer)
    choices = [Choice(_("Write a new alert"), AlertsMenu("new"))]
    if not alerts:
        ctx.reply(heading(viewer, False), [*choices, Choice(_("Alerts for my place"), AlertsMenu("list"))])
        return
    acks = await ack_counts(ctx.session, [a.id for a in alerts if a.id is not None])
    lines = [heading(viewer, True)]
    for alert in alerts:
        assert alert.id is not None  # a stored row
        state, stoppable = await state_of(ctx, viewer, alert, acks.get(alert.id, 0))
        by = await signed(ctx, viewer, alert)
        lines.append(f"• {fmt_datetime(alert.created_at)} · {alert.title}{by}\n  {state}")
        if stoppable and alert.author_person_id == viewer.person_id:
            choices.append(Choice(_("Stop: {title}").format(title=alert.title[:40]), StopAlert(alert.id)))
    latest = next((a for a in alerts if a.status == AlertStatus.SENT), None)
    if latest is not None:
        whole = viewer.sees_all(latest)
        if whole:
            lines += await reach_lines(ctx, latest)
        lines += await per_group_lines(ctx, latest, None if whole else viewer.led)
        lines += await missed_names(ctx, latest)
    choices.append(Choice(_("Alerts for my place"), AlertsMenu("list")))
    ctx.reply("\n".join(lines), choices)


def sent_state(counts: dict[str, int], pending: int, read: int) -> str:
    """One sent alert's deliveries. Someone a platform cannot write to (no channel, outside Zalo's window,
    unfollowed) is "not reachable", not an error: errors are only the deliveries that failed."""
    numbers = dict(
        sent=counts.get(OutboxStatus.SENT, 0),
        pending=pending,
        unreached=counts.get(OutboxStatus.SKIPPED, 0) + counts.get(OutboxStatus.HELD, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        cancelled=counts.get(OutboxStatus.CANCELLED, 0),
        read=read,
    )
    if numbers["failed"]:
        return _(
            "sent {sent}, waiting {pending}, not reachable {unreached}, failed {failed}, cancelled {cancelled}, "
            "read by {read}"
        ).format(**numbers)
    return _(
        "sent {sent}, waiting {pending}, not reachable {unreached}, cancelled {cancelled}, read by {read}"
    ).format(**numbers)


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
