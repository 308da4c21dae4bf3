"""Sessions: the mediator proposes date, time and place; parties who use the bot confirm or ask for another time;
everyone involved is reminded the day before and two hours before (a tick; each reminder is queued once)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_date, fmt_datetime, fmt_time
from handlers.common import pick_reason, picked
from handlers.mediation import cases, view
from handlers.mediation.notify import push
from handlers.mediation.when import WhenError, parse_when
from models import Priority
from models.mediation import OPEN_STATUSES, CaseStatus, MediationCase, MediationParty, MediationSession

if TYPE_CHECKING:
    from bot.app import App

flow = Flow("mediation_session", steps=("when", "place", "confirm"))
retime = Flow("mediation_retime", steps=("note",))
DAY_BEFORE, HOURS_BEFORE = timedelta(days=1), timedelta(hours=2)


async def start(ctx: Context) -> None:
    case = await view.load_visible(ctx, "hgs")
    if case is None:
        return
    if case.mediator_id != ctx.person_id or case.status not in OPEN_STATUSES:
        ctx.reply(_("Only the mediator in charge of an open case proposes its sessions."))
        return
    ctx.begin("mediation_session", case=case.id)


def when_error(error: WhenError) -> str:
    return {
        "impossible_date": _(
            "There is no such day as {typed}. Please check the date and type it again, for "
            "example 28/11 19:30."
        ).format(typed=error.detail.get("typed", "")),
        "bad_time": _("That time does not exist. Please use hours 0–23 and minutes 0–59, for example 19:30."),
        "no_time": _("Please add the time too, for example 28/11 19:30 or 28/11 7h tối."),
        "no_date": _(
            "I could not find a date. Please type it day first, for example 28/11 19:30, or "
            '"thứ bảy 8h sáng".'
        ),
        "past": _("That moment has already passed. Please choose a time in the future."),
    }[error.code]


@flow.ask("when")
async def ask_when(ctx: Context) -> None:
    ctx.reply(
        _(
            "When is the session? Type the date and time, for example: 28/11 19:30, 28/11/2026 7h30 tối, "
            "or thứ bảy 8h sáng."
        )
    )


@flow.on("when")
async def on_when(ctx: Context) -> Outcome:
    try:
        moment = parse_when(ctx.event.text, clock.now())
    except WhenError as error:
        return retry(when_error(error))
    if moment > clock.now() + timedelta(days=120):
        return retry(_("Please choose a date within the next four months."))
    ctx.data["at"] = moment.isoformat()
    return goto("place")


@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    ctx.reply(_("Where? For example: the cultural house of Khóm 2, or the group leader's house, 12 Lê Lợi."))


@flow.on("place")
async def on_place(ctx: Context) -> Outcome:
    place = ctx.event.text.strip()
    if not 3 <= len(place) <= 200:
        return retry(_("Please type the place (3 to 200 characters)."))
    ctx.data["place"] = place
    return goto("confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    from datetime import datetime

    at = datetime.fromisoformat(ctx.data["at"])
    ctx.reply(
        _(
            "Propose the session on {day} at {time}, {place}? The parties who use An Dân will be asked to "
            "confirm."
        ).format(day=fmt_date(at, "full"), time=fmt_time(at), place=ctx.data["place"]),
        [Choice(_("Propose it"), "hqss:yes"), Choice(_("Change it"), "hqss:again")],
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    from datetime import datetime

    answer = picked(ctx, "hqss")
    if answer == "again":
        return goto("when")
    if answer != "yes":
        return retry(pick_reason())
    case = await ctx.session.get(MediationCase, ctx.data["case"])
    if (
        case is None
        or case.id is None
        or case.mediator_id != ctx.person_id
        or case.status not in OPEN_STATUSES
    ):
        ctx.reply(_("This case is no longer yours to schedule."))
        return finish()
    previous = (
        await ctx.session.exec(
            select(MediationSession).where(
                MediationSession.case_id == case.id,
                col(MediationSession.status).in_(("proposed", "confirmed")),
            )
        )
    ).all()
    for old in previous:
        old.status = "replaced"
        ctx.session.add(old)
    meeting = MediationSession(
        case_id=case.id,
        starts_at=datetime.fromisoformat(ctx.data["at"]),
        place=ctx.data["place"],
        proposed_by=ctx.person_id,
        created_at=clock.now(),
    )
    ctx.session.add(meeting)
    await ctx.session.flush()
    case.status = CaseStatus.SCHEDULED
    ctx.session.add(case)
    cases.log(ctx.session, case, "session_proposed", ctx.person_id, note=ctx.data["at"])
    reached = await push(
        ctx.session,
        await party_people(ctx, case),
        case,
        "session",
        lambda: _(
            "Mediation of case {number}: the mediator {name} proposes a session on {day} at {time}, {place}. Can you "
            "come?"
        ).format(
            number=case.number,
            name=case.mediator_name,
            day=fmt_date(meeting.starts_at, "full"),
            time=fmt_time(meeting.starts_at),
            place=meeting.place,
        ),
        lambda: [
            Choice(_("Confirm the session"), f"hgy:{meeting.id}"),
            Choice(_("Ask for another time"), f"hgr:{meeting.id}"),
        ],
        key=str(meeting.id),
    )
    ctx.reply(
        _(
            "Session proposed. {n} party(ies) using An Dân were asked to confirm; please tell the others "
            "yourself."
        ).format(n=reached)
    )
    return finish()


async def party_people(ctx: Context, case: MediationCase) -> list[int]:
    rows = await ctx.session.exec(
        select(MediationParty.person_id).where(
            MediationParty.case_id == case.id, col(MediationParty.person_id).is_not(None)
        )
    )
    return [p for p in [case.requester_id, *rows.all()] if p is not None]


async def _session_for_party(ctx: Context, prefix: str) -> tuple[MediationSession, MediationCase] | None:
    value = picked(ctx, prefix) or ""
    meeting = await ctx.session.get(MediationSession, int(value)) if value.isdigit() else None
    case = await ctx.session.get(MediationCase, meeting.case_id) if meeting else None
    if meeting is None or case is None or not await cases.is_party(ctx.session, ctx.person_id, case):
        ctx.reply(_("That session does not exist or is not yours to answer."))
        return None
    if meeting.status not in ("proposed", "confirmed") or case.status not in OPEN_STATUSES:
        ctx.reply(_("That session was replaced or the case is closed; nothing to answer."))
        return None
    return meeting, case


async def confirm(ctx: Context) -> None:
    found = await _session_for_party(ctx, "hgy")
    if found is None:
        return
    meeting, case = found
    if meeting.responses.get(str(ctx.person_id), {}).get("answer") == "yes":
        ctx.reply(
            _("You have already confirmed this session. See you on {when}.").format(
                when=fmt_datetime(meeting.starts_at)
            )
        )
        return
    meeting.responses = {
        **meeting.responses,
        str(ctx.person_id): {"answer": "yes", "at": clock.now().isoformat()},
    }
    meeting.status = "confirmed"
    ctx.session.add(meeting)
    cases.log(ctx.session, case, "session_confirmed", ctx.person_id)
    await push(
        ctx.session,
        [case.mediator_id],
        case,
        "confirmed",
        lambda: _("A party confirmed the session of case {number} on {when}.").format(
            number=case.number, when=fmt_datetime(meeting.starts_at)
        ),
        key=f"{meeting.id}:{ctx.person_id}",
    )
    ctx.reply(
        _(
            "Thank you: you are expected on {when}, {place}. You will be reminded the day before and two "
            "hours before."
        ).format(when=fmt_datetime(meeting.starts_at), place=meeting.place)
    )


async def ask_change(ctx: Context) -> None:
    found = await _session_for_party(ctx, "hgr")
    if found is not None:
        ctx.begin("mediation_retime", session=found[0].id)


@retime.ask("note")
async def ask_note(ctx: Context) -> None:
    ctx.reply(_("Which times would suit you? The mediator will propose another session."))


@retime.on("note")
async def on_note(ctx: Context) -> Outcome:
    note = ctx.event.text.strip()
    if not 2 <= len(note) <= 300:
        return retry(_("Please type when you are free (up to 300 characters)."))
    meeting = await ctx.session.get(MediationSession, ctx.data["session"])
    case = await ctx.session.get(MediationCase, meeting.case_id) if meeting else None
    if meeting is None or case is None:
        return finish()
    meeting.responses = {
        **meeting.responses,
        str(ctx.person_id): {"answer": "change", "note": note, "at": clock.now().isoformat()},
    }
    ctx.session.add(meeting)
    cases.log(ctx.session, case, "session_change_asked", ctx.person_id, note=note)
    await push(
        ctx.session,
        [case.mediator_id],
        case,
        "change",
        lambda: _("A party of case {number} cannot come on {when} and suggests: {note}").format(
            number=case.number, when=fmt_datetime(meeting.starts_at), note=note
        ),
        lambda: [Choice(_("Propose a session"), f"hgs:{case.id}")],
        key=f"{meeting.id}:{ctx.person_id}",
    )
    ctx.reply(_("Sent to the mediator, who will propose another time."))
    return finish()


# Reminders ---------------------------------------------------------------------------------------------------
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
