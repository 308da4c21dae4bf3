"""Sessions: the mediator proposes date, time and place; parties who use the bot confirm or ask for another time.
Everyone involved is then reminded the day before and two hours before, by a tick (ticks.remind)."""

from __future__ import annotations

from datetime import timedelta

from bot import clock
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.understand import understand
from bot.i18n import _, fmt_date, fmt_datetime, fmt_time
from handlers.mediation import store
from handlers.mediation.buttons import (
    Absent,
    AskOtherTime,
    ConfirmSession,
    PlanSession,
    ProposeSession,
    RecordAbsence,
)
from handlers.mediation.flows.case import load_visible, said_closed
from handlers.mediation.notify import push
from handlers.mediation.typed import session_answer
from handlers.mediation.when import WhenError, parse_when, says_when
from models.mediation import OPEN_STATUSES, CaseStatus, MediationCase, MediationSession

router = Router("mediation.schedule")
flow = Flow("mediation_session", steps=("when", "place", "confirm"))
retime = Flow("mediation_retime", steps=("note",))
MAX_NOTE = 300  # characters of the times a party suggests


@router.choice(PlanSession)
async def start(ctx: Context) -> None:
    case = await load_visible(ctx, PlanSession.expect(ctx).case_id)
    if case is None or said_closed(ctx, case):
        return
    if case.mediator_id != ctx.person_id:
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
        # The question's own yes and no ("có" proposes it, "không" types it again; bot.core.typed).
        [
            Choice(_("Yes, propose it"), ProposeSession("yes")),
            Choice(_("No, change it"), ProposeSession("again")),
        ],
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    from datetime import datetime

    if ProposeSession.expect(ctx).answer == "again":
        return goto("when")
    case = await ctx.session.get(MediationCase, ctx.data["case"])
    if (
        case is None
        or case.id is None
        or case.mediator_id != ctx.person_id
        or case.status not in OPEN_STATUSES
    ):
        ctx.reply(_("This case is no longer yours to schedule."))
        return finish()
    for old in await store.open_sessions(ctx.session, case.id):
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
    store.log(ctx.session, case, "session_proposed", ctx.person_id, note=ctx.data["at"])
    reached = await push(
        ctx.session,
        await store.party_people(ctx.session, case),
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
        # "Can you come?" is answered with a yes or a no: "được", "có" is the first button, "không" the second.
        lambda: [
            Choice(_("Yes, I will come"), ConfirmSession(meeting.id or 0)),
            Choice(_("No, ask for another time"), AskOtherTime(meeting.id or 0)),
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


async def _session_for_party(ctx: Context, session_id: int) -> tuple[MediationSession, MediationCase] | None:
    meeting = await ctx.session.get(MediationSession, session_id)
    case = await ctx.session.get(MediationCase, meeting.case_id) if meeting else None
    if meeting is None or case is None or not await store.is_party(ctx.session, ctx.person_id, case):
        ctx.reply(_("That session does not exist or is not yours to answer."))
        return None
    if meeting.status == "cancelled" and case.status in OPEN_STATUSES:
        ctx.reply(_("That session was cancelled; the case's mediator will propose another time."))
        return None
    if meeting.status not in ("proposed", "confirmed") or case.status not in OPEN_STATUSES:
        ctx.reply(_("That session was replaced or the case is closed; nothing to answer."))
        return None
    if meeting.starts_at <= clock.now():
        # Confirmed afterwards, a past session would read as still to come; who did not come is the mediator's
        # to record.
        ctx.reply(
            _(
                "The session of {when} is over; nothing to answer. The mediator will propose another if needed."
            ).format(when=fmt_datetime(meeting.starts_at))
        )
        return None
    return meeting, case


@router.choice(ConfirmSession)
async def confirm(ctx: Context) -> None:
    found = await _session_for_party(ctx, ConfirmSession.expect(ctx).session_id)
    if found is not None:
        await confirmed(ctx, *found)


async def confirmed(ctx: Context, meeting: MediationSession, case: MediationCase) -> None:
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
    drop_retime_question(ctx)
    store.log(ctx.session, case, "session_confirmed", ctx.person_id)
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


@router.choice(AskOtherTime)
async def ask_change(ctx: Context) -> None:
    said = ctx.event.text.strip()[:MAX_NOTE] if ctx.event.kind == Kind.TEXT else ""
    await answer_can_you_come(ctx, AskOtherTime.expect(ctx).session_id, said)


async def answer_can_you_come(ctx: Context, session_id: int, said: str) -> None:
    """ "Can you come?" answered with the no button, or in words (`said`): yes, no with a time, or no alone."""
    answer = session_answer(said) if said else None
    if answer == "when" and ctx.app.registry.reader.best(said):
        answer = None  # "hàng xóm hát karaoke tới 12 giờ đêm": a new dispute, with an hour in it
    if said and answer is None:
        # Words typed under "Can you come?" that answer it neither way (a new request, a question about something
        # else): read as words said outside any question, not as a time the person suggests.
        ctx.state.choices = []
        await understand(ctx)
        return
    found = await _session_for_party(ctx, session_id)
    if found is None:
        return
    if answer == "yes":  # "dạ được, bà sẽ tới": the session's yes, said in a sentence
        await confirmed(ctx, *found)
        return
    if said and says_when(said):
        # "không được, tối mai bà bận, để thứ 7 đi": the no and the time she suggests, in one message.
        await change_asked(ctx, *found, said)
        return
    # A no without a time ("không được, bà bận"): which times suit is asked, her words kept with the answer.
    ctx.begin("mediation_retime", session=found[0].id, **({"said": said} if said else {}))


@retime.ask("note")
async def ask_note(ctx: Context) -> None:
    ctx.reply(_("Which times would suit you? The mediator will propose another session."))


@retime.on("note")
async def on_note(ctx: Context) -> Outcome:
    note = ctx.event.text.strip()
    if not 2 <= len(note) <= MAX_NOTE:
        return retry(_("Please type when you are free (up to 300 characters)."))
    meeting = await ctx.session.get(MediationSession, ctx.data["session"])
    case = await ctx.session.get(MediationCase, meeting.case_id) if meeting else None
    if meeting is None or case is None:
        return finish()
    if not still_to_come(meeting, case):
        # The mediator moved the session since this was asked, and the party was asked "Can you come?" again:
        # what they type now answers that, about the new session, never the replaced one.
        await answer_later_question(ctx, case, note)
        return finish()
    said = ctx.data.get("said")
    await change_asked(ctx, meeting, case, f"{said} — {note}" if said else note)
    return finish()


def still_to_come(meeting: MediationSession, case: MediationCase) -> bool:
    return (
        meeting.status in store.PLANNED and case.status in OPEN_STATUSES and meeting.starts_at > clock.now()
    )


async def answer_later_question(ctx: Context, case: MediationCase, said: str) -> None:
    """Words typed where "Which times would suit you?" was asked about a session that is no longer planned."""
    ctx.end()
    current = next(
        (m for m in await store.open_sessions(ctx.session, case.id) if str(ctx.person_id) not in m.responses),
        None,
    )
    if current is not None and current.id is not None:
        await answer_can_you_come(ctx, current.id, said)
        return
    ctx.reply(_("That session was replaced or the case is closed; nothing to answer."))


def drop_retime_question(ctx: Context) -> None:
    """A "Which times would suit you?" still open about an earlier session is moot once a session is answered:
    asked again after the answer, it would take the next words as times for the replaced session."""
    if ctx.state.flow == retime.name:
        ctx.end()


async def change_asked(ctx: Context, meeting: MediationSession, case: MediationCase, note: str) -> None:
    """The party cannot come and suggests `note`: kept on the session, and the mediator is told to propose again."""
    meeting.responses = {
        **meeting.responses,
        str(ctx.person_id): {"answer": "change", "note": note, "at": clock.now().isoformat()},
    }
    ctx.session.add(meeting)
    drop_retime_question(ctx)
    store.log(ctx.session, case, "session_change_asked", ctx.person_id, note=note)
    await push(
        ctx.session,
        [case.mediator_id],
        case,
        "change",
        lambda: _("A party of case {number} cannot come on {when} and suggests: {note}").format(
            number=case.number, when=fmt_datetime(meeting.starts_at), note=note
        ),
        lambda: [Choice(_("Propose a session"), PlanSession(case.id or 0))],
        key=f"{meeting.id}:{ctx.person_id}",
    )
    ctx.reply(_("Sent to the mediator, who will propose another time."))


async def _past_session_of_mine(
    ctx: Context, session_id: int
) -> tuple[MediationSession, MediationCase] | None:
    """A session that is over, of an open case the person mediates: the one whose absentees they may record."""
    meeting = await ctx.session.get(MediationSession, session_id)
    case = await ctx.session.get(MediationCase, meeting.case_id) if meeting else None
    if (
        meeting is None
        or case is None
        or case.mediator_id != ctx.person_id
        or case.status not in OPEN_STATUSES
        or meeting.status not in store.PLANNED
    ):
        ctx.reply(_("Only the mediator in charge of an open case records who came to its sessions."))
        return None
    if meeting.starts_at > clock.now():
        ctx.reply(
            _("The session of {when} has not taken place yet.").format(when=fmt_datetime(meeting.starts_at))
        )
        return None
    return meeting, case


@router.choice(RecordAbsence)
async def absence_menu(ctx: Context) -> None:
    found = await _past_session_of_mine(ctx, RecordAbsence.expect(ctx).session_id)
    if found is None:
        return
    meeting, case = found
    ctx.reply(
        _("Who did not come to the session of {when}?").format(when=fmt_datetime(meeting.starts_at)),
        [
            Choice(party.name[:60], Absent(meeting.id or 0, party.id or 0))
            for party in await store.parties(ctx.session, case.id or 0)
        ],
    )


@router.choice(Absent)
async def absent(ctx: Context) -> None:
    pressed = Absent.expect(ctx)
    found = await _past_session_of_mine(ctx, pressed.session_id)
    if found is None:
        return
    meeting, case = found
    party = next(
        (p for p in await store.parties(ctx.session, case.id or 0) if p.id == pressed.party_id), None
    )
    if party is None:
        ctx.reply(_("That person is not a party of case {number}.").format(number=case.number))
        return
    recorded = any(
        e.action == "party_absent" and e.note == party.name and e.at >= meeting.starts_at
        for e in await store.history(ctx.session, case.id or 0)
    )
    if not recorded:  # a second press records nothing twice
        # In the case's history by the party's name, as the book names the parties.
        store.log(ctx.session, case, "party_absent", ctx.person_id, note=party.name)
    ctx.reply(
        _("Noted: {name} did not come to the session of {when}. You can propose another session.").format(
            name=party.name, when=fmt_datetime(meeting.starts_at)
        ),
        [Choice(_("Propose a session"), PlanSession(case.id or 0))],
    )
