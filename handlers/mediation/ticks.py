"""Scheduled work of mediation: reminders before each planned session (the day before and two hours before) and,
a week after an agreement, the question to the parties who use An Dân whether it is kept. Each push is queued once, however
often a tick runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_datetime, fmt_time
from handlers.mediation import store
from handlers.mediation.buttons import FollowUp
from handlers.mediation.notify import push
from models import Priority
from models.mediation import OPEN_STATUSES, CaseStatus, MediationCase, MediationParty, MediationSession

if TYPE_CHECKING:
    from bot.app import App

DAY_BEFORE, HOURS_BEFORE = timedelta(days=1), timedelta(hours=2)


async def remind(app: App) -> None:
    """Remind the mediator and the parties the day before and two hours before each planned session."""
    now = clock.now()
    async with app.db.session() as session:
        rows = (
            await session.exec(
                select(MediationSession, MediationCase)
                .join(MediationCase, col(MediationCase.id) == col(MediationSession.case_id))
                .where(
                    col(MediationSession.status).in_(("proposed", "confirmed")),
                    MediationSession.starts_at > now,
                    MediationSession.starts_at <= now + DAY_BEFORE,
                    col(MediationCase.status).in_(OPEN_STATUSES),
                )
            )
        ).all()
        for meeting, case in rows:
            due_hours = meeting.starts_at - HOURS_BEFORE <= now
            if due_hours and meeting.reminded_hours_at is None:
                if meeting.created_at < meeting.starts_at - HOURS_BEFORE:
                    await _remind(app, session, meeting, case, "hours")
                meeting.reminded_hours_at = now
                meeting.reminded_day_at = (
                    meeting.reminded_day_at or now
                )  # a late day-before reminder is moot now
            elif not due_hours and meeting.reminded_day_at is None:
                if meeting.created_at < meeting.starts_at - DAY_BEFORE:
                    await _remind(app, session, meeting, case, "day")
                meeting.reminded_day_at = now
            session.add(meeting)
        await session.commit()


async def _remind(
    app: App, session: AsyncSession, meeting: MediationSession, case: MediationCase, which: str
) -> None:
    parties = (
        await session.exec(
            select(MediationParty.person_id).where(
                MediationParty.case_id == case.id, col(MediationParty.person_id).is_not(None)
            )
        )
    ).all()
    # Day-before reminders are routine: hold them out of quiet hours. The two-hour one goes when it is due.
    delay = quiet_until(clock.now(), app.settings.quiet_hours) if which == "day" else None

    def text() -> str:
        if which == "day":
            return _(
                "Reminder: the mediation session of case {number} is tomorrow, {when}, at {place}."
            ).format(number=case.number, when=fmt_datetime(meeting.starts_at), place=meeting.place)
        return _(
            "Reminder: the mediation session of case {number} starts in two hours, at {time}, {place}."
        ).format(number=case.number, time=fmt_time(meeting.starts_at), place=meeting.place)

    cannot_come = {int(pid) for pid, answer in meeting.responses.items() if answer.get("answer") == "change"}
    people = [p for p in (case.mediator_id, case.requester_id, *parties) if p not in cannot_come]
    await push(
        session,
        people,
        case,
        f"remind-{which}",
        text,
        priority=Priority.ROUTINE,
        kind="reminder",
        key=f"{meeting.id}",
        not_before=delay,
    )


async def follow_up(app: App) -> None:
    """A week after an agreement, ask the parties whether it is being kept (once per agreement)."""
    now = clock.now()
    delay = quiet_until(now, app.settings.quiet_hours)
    async with app.db.session() as session:
        due = (
            await session.exec(
                select(MediationCase).where(
                    MediationCase.status == CaseStatus.AGREED,
                    col(MediationCase.followup_due_at) <= now,
                    col(MediationCase.followup_sent_at).is_(None),
                )
            )
        ).all()
        for case in due:
            await ask_if_kept(session, case, delay)
            case.followup_sent_at = now
            session.add(case)
        await session.commit()


async def ask_if_kept(session: AsyncSession, case: MediationCase, delay: datetime | None) -> None:
    assert case.followup_due_at is not None
    # Either side may be the one the agreement is not kept with: both are asked, each answer counts
    # (flows/outcome.py `answer`), and either may still report it broken later from the case.
    await push(
        session,
        await store.party_people(session, case),
        case,
        "followup",
        lambda: _(
            "A week ago, mediation of case {number} ended with an agreement: {text}\nIs it being kept?"
        ).format(number=case.number, text=case.agreement),
        lambda: [
            Choice(_("Yes, it is kept"), FollowUp(case.id or 0, "kept")),
            Choice(_("No, it is broken"), FollowUp(case.id or 0, "broken")),
        ],
        priority=Priority.ROUTINE,
        kind="reminder",
        key=str(int(case.followup_due_at.timestamp())),
        not_before=delay,
    )
