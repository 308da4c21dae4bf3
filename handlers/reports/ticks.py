"""The reports tick: reminders before the deadline, then the list of missing groups to police and a last reminder.

Idempotent: every message has a dedupe key (ward, period, stage, recipient), and keys already queued are skipped,
so a tick that runs twice, or late after downtime, queues each message once. After downtime only the latest
reminder stage is sent: a "day before" reminder arriving on the due morning would only confuse.

A leader the reminders did not reach because his Zalo OA's window had closed is told that the report is late the
first time he writes again: the late note is held for him (bot.delivery.held), and withdrawn if the report is sent
first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.db import execute
from bot.delivery.held import hold_for
from bot.delivery.outbox import enqueue_to_chat, enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_datetime, ngettext, use_locale
from handlers.reports.buttons import RemindedPeriod
from handlers.reports.periods import (
    OVERDUE_WINDOW,
    Period,
    current_period,
    last_closed_period,
    reminder_moments,
)
from handlers.reports.store import admins_of, missing_groups, ward_groups, ward_people
from models import LinkedChat, OutboxMessage, OutboxStatus, Person, ReportConfig, Role
from models.outbox import Priority

if TYPE_CHECKING:
    from bot.app import App

LIST_LIMIT = 40
LATE = "report:last"  # the dedupe key of the late note to a leader: LATE:ward:period:person:group


async def queued(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox (one query)."""
    wanted = list(keys)
    if not wanted:
        return set()
    rows = await session.exec(
        select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).in_(wanted))
    )
    return {k for k in rows.all() if k}


async def people(session: AsyncSession, ids: Iterable[int]) -> dict[int, Person]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
    return {p.id: p for p in rows.all() if p.id is not None}


async def reports_tick(app: App) -> None:
    now = clock.now()
    not_before = quiet_until(now, app.settings.quiet_hours) or now
    async with app.db.session() as session:
        for cfg in (await session.exec(select(ReportConfig))).all():
            await remind(session, cfg, now, not_before, app.settings.default_locale)
            await overdue(session, cfg, now, not_before)
            await session.commit()


async def remind(
    session: AsyncSession, cfg: ReportConfig, now: datetime, not_before: datetime, chat_locale: str
) -> None:
    period = current_period(cfg, now)
    stages = [name for name, at in reminder_moments(cfg, period) if at <= now]
    if not stages:
        return
    stage = stages[-1]
    missing = await missing_groups(session, cfg.ward_code, period.key)
    names = {gid: gname for gid, gname, _area in missing}
    admins = await admins_of(session, list(names))
    keys = {(p, g): f"report:remind:{cfg.ward_code}:{period.key}:{stage}:{p}:{g}" for p, g in admins}
    done = await queued(session, keys.values())
    found = await people(session, [p for p, _g in admins])
    for (person_id, group_id), key in keys.items():
        if key in done or person_id not in found:
            continue
        await enqueue_to_person(
            session,
            found[person_id],
            reminder_text(names[group_id], group_id, period),
            kind="reminder",
            dedupe_key=key,
            not_before=not_before,
            source_kind="report_period",
            source_id=f"{cfg.ward_code}:{period.key}",
        )
    if not cfg.remind_group_chat:
        return
    chats = (
        await session.exec(
            select(LinkedChat).where(
                LinkedChat.purpose == "community",
                col(LinkedChat.group_id).in_(list(names)),
                col(LinkedChat.unreachable_at).is_(None),
            )
        )
    ).all()
    chat_keys = {c.id: f"report:remind-chat:{cfg.ward_code}:{period.key}:{stage}:{c.id}" for c in chats}
    done = await queued(session, chat_keys.values())
    for chat in chats:
        if chat_keys[chat.id] in done or chat.group_id is None:
            continue
        with use_locale(chat_locale):
            reply = Reply(
                _(
                    "Reminder to the group admin: the report of {group} for the period ending {due} has not "
                    "been sent yet."
                ).format(group=names[chat.group_id], due=fmt_datetime(period.due))
            )
        enqueue_to_chat(
            session,
            chat,
            reply,
            kind="reminder",
            dedupe_key=chat_keys[chat.id],
            not_before=not_before,
            source_kind="report_period",
            source_id=f"{cfg.ward_code}:{period.key}",
        )


def reminder_text(group: str, group_id: int, period: Period) -> Callable[[], Reply]:
    def render() -> Reply:
        # The button opens the report of this period, where "nothing to report" is one more press; "có" or "1"
        # typed answers it. It names the period: pressed days later, it must not open another one.
        return Reply(
            _(
                "Reminder: the report of {group} is due by {due}. Press below or type /baocao to send it; if "
                "there is nothing to report, it takes one more press."
            ).format(group=group, due=fmt_datetime(period.due)),
            (Choice(_("Send the report"), RemindedPeriod(group_id, period.key)),),
        )

    return render


async def overdue(session: AsyncSession, cfg: ReportConfig, now: datetime, not_before: datetime) -> None:
    period = last_closed_period(cfg, now)
    if period.due <= cfg.created_at or now - period.due > OVERDUE_WINDOW:
        return
    missing = await missing_groups(session, cfg.ward_code, period.key)
    if not missing:
        return
    total = len(await ward_groups(session, cfg.ward_code))
    source = f"{cfg.ward_code}:{period.key}"
    police = await people(session, await ward_people(session, cfg.ward_code, {Role.POLICE.value}))
    keys = {pid: f"report:overdue:{cfg.ward_code}:{period.key}:{pid}" for pid in police}
    done = await queued(session, keys.values())
    unreminded = await never_reminded(session, cfg.ward_code, period, [gid for gid, _g, _a in missing])
    for pid, person in police.items():
        if keys[pid] not in done:
            await enqueue_to_person(
                session,
                person,
                missing_list(missing, total, period, unreminded),
                kind="report_overdue",
                dedupe_key=keys[pid],
                not_before=not_before,
                source_kind="report_period",
                source_id=source,
            )
    names = {gid: gname for gid, gname, _area in missing}
    admins = await admins_of(session, list(names))
    last_keys = {(p, g): f"{LATE}:{cfg.ward_code}:{period.key}:{p}:{g}" for p, g in admins}
    done = await queued(session, last_keys.values())
    found = await people(session, [p for p, _g in admins])
    for (person_id, group_id), key in last_keys.items():
        if key in done or person_id not in found:
            continue
        # A notice to one person (NOTICE): refused by a closed Zalo OA window, it waits for his next message.
        queued_now = await enqueue_to_person(
            session,
            found[person_id],
            late_text(names[group_id], period),
            kind="reminder",
            priority=Priority.NOTICE,
            dedupe_key=key,
            not_before=not_before,
            source_kind="report_period",
            source_id=source,
        )
        if queued_now is None:
            # Every chat of his is known closed (the reminder was refused): held until he writes, not dropped.
            await hold_for(
                session,
                found[person_id],
                late_text(names[group_id], period),
                kind="reminder",
                dedupe_key=key,
                source_kind="report_period",
                source_id=source,
            )


async def withdraw_late_notes(session: AsyncSession, ward_code: int, period_key: str, group_id: int) -> None:
    """The report is sent: a late note still held for one of the group's leaders says nothing true any more."""
    await execute(
        session,
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.HELD,
            col(OutboxMessage.dedupe_key).startswith(f"{LATE}:{ward_code}:{period_key}:"),
            col(OutboxMessage.dedupe_key).endswith(f":{group_id}"),
        )
        .values(status=OutboxStatus.CANCELLED),
    )


async def never_reminded(
    session: AsyncSession, ward_code: int, period: Period, group_ids: list[int]
) -> dict[int, list[str]]:
    """{group: its leaders' names} of the groups none of whose leaders got a reminder of the period (the list is
    empty for a group without a leader): a Zalo OA leader silent past its window is refused, and nobody else would
    know. The police are told, to call them."""
    prefix = f"report:remind:{ward_code}:{period.key}:"
    sent = await session.exec(
        select(OutboxMessage.dedupe_key).where(
            col(OutboxMessage.dedupe_key).startswith(prefix), OutboxMessage.status == OutboxStatus.SENT
        )
    )
    reached = {int(key.rsplit(":", 1)[1]) for key in sent.all() if key}
    admins = await admins_of(session, [g for g in group_ids if g not in reached])
    found = await people(session, [p for p, _g in admins])
    out: dict[int, list[str]] = {g: [] for g in group_ids if g not in reached}
    for person_id, group_id in admins:
        if person_id in found:
            out[group_id].append(found[person_id].display_name or "?")
    return out


def missing_list(
    missing: list[tuple[int, str, str]],
    total: int,
    period: Period,
    unreminded: dict[int, list[str]] | None = None,
) -> Callable[[], Reply]:
    def render() -> Reply:
        lines = [
            ngettext(
                "{n} of {total} groups has not sent the report for the period ending {due}:",
                "{n} of {total} groups have not sent the report for the period ending {due}:",
                len(missing),
            ).format(n=len(missing), total=total, due=fmt_datetime(period.due))
        ]
        for gid, group, area in missing[:LIST_LIMIT]:
            lines.append(f"• {group}, {area}" + not_reminded((unreminded or {}).get(gid)))
        if len(missing) > LIST_LIMIT:
            lines.append(_("… and {n} more.").format(n=len(missing) - LIST_LIMIT))
        lines.append(_("Type /xembaocao to read the reports that came in."))
        return Reply("\n".join(lines))

    return render


def not_reminded(leaders: list[str] | None) -> str:
    """What the police list says of a group whose leaders the reminders did not reach."""
    if leaders is None:
        return ""
    if not leaders:
        return " " + _("(the group has no leader)")
    return " " + _("(the reminders did not reach {names}: please call them)").format(names=", ".join(leaders))


def late_text(group: str, period: Period) -> Callable[[], Reply]:
    def render() -> Reply:
        return Reply(
            _(
                "The report of {group} for the period ending {due} is late and the ward police have been "
                "told. Please send it now with /baocao."
            ).format(group=group, due=fmt_datetime(period.due))
        )

    return render
