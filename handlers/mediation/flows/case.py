"""One case on screen: opening it only for those who may see it, its details and history, and the buttons this
viewer may use on it."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _, fmt_date, fmt_datetime
from handlers.mediation import store
from handlers.mediation.buttons import (
    AskOtherTime,
    AssignMenu,
    ConfirmSession,
    DeclareConflict,
    FollowUp,
    InviteParty,
    OpenCase,
    PlanSession,
    RecordAbsence,
    RecordOutcome,
    TakeCase,
    Withdraw,
)
from handlers.mediation.texts import kind_label, status_label
from models import Person
from models.mediation import OPEN_STATUSES, MediationCase, MediationSession

router = Router("mediation.case")

ACTIONS = {
    "received": N_("request received"),
    "assigned": N_("mediator assigned"),
    "taken": N_("mediator took the case"),
    "conflict_declared": N_("a mediator declared a conflict of interest"),
    "session_proposed": N_("session proposed"),
    "session_confirmed": N_("session confirmed"),
    "session_change_asked": N_("another time asked for"),
    "session_cancelled": N_("session cancelled: the mediator changed"),
    "party_absent": N_("did not come to the session"),
    "agreed": N_("agreement reached"),
    "not_agreed": N_("no agreement"),
    "withdrawn": N_("withdrawn"),
    "followup_kept": N_("agreement reported kept"),
    "party_invited": N_("a party was given a code to follow the case"),
    "party_joined": N_("a party follows the case in An Dân"),
    "reopened": N_("agreement reported broken: case reopened"),
}
WITH_NOTE = ("party_absent",)  # history lines that name who (a party's name, as in the book)


@router.choice(OpenCase)
async def open_case(ctx: Context) -> None:
    case = await load_visible(ctx, OpenCase.expect(ctx).case_id)
    if case is not None:
        await show(ctx, case)


async def load_visible(ctx: Context, case_id: int) -> MediationCase | None:
    """The case a pressed button names, if this person may see it; otherwise say so."""
    case = await ctx.session.get(MediationCase, case_id)
    if (
        case is None
        or ctx.person is None
        or not await store.can_view(ctx.session, ctx.person_id, await ctx.grants(), case)
    ):
        ctx.reply(_("That case does not exist or is not yours to see."))
        return None
    return case


def said_closed(ctx: Context, case: MediationCase) -> bool:
    """Whether the case is closed; if so, the person is told when and how, and that nothing was changed (a button
    of the case pressed after it closed: its mediator's "Record the outcome" pressed twice, a session proposed)."""
    if case.status in OPEN_STATUSES:
        return False
    ctx.reply(
        _("Case {number} was closed on {date} ({status}), so nothing was changed.").format(
            number=case.number,
            date=fmt_date(case.closed_at or case.created_at),
            status=status_label(case.status),
        )
    )
    return True


async def latest_session(ctx: Context, case: MediationCase) -> MediationSession | None:
    """The session still to come, the latest proposed; a past one is never shown as coming."""
    coming = await store.open_sessions(ctx.session, case.id)
    return coming[0] if coming else None


async def show(ctx: Context, case: MediationCase) -> None:
    assert case.id is not None
    grants = await ctx.grants()
    me = ctx.person_id
    in_charge = case.mediator_id == me or store.is_head(grants, case)
    lines = [
        _("Case {number} · {kind}").format(number=case.number, kind=kind_label(case.kind)),
        _("Status: {status}").format(status=status_label(case.status)),
        _("Received: {when}").format(when=fmt_datetime(case.created_at)),
    ]
    if case.urgent:
        lines.append(_("Urgent"))
    if case.private:
        lines.append(_("In private"))
    lines.append(_("Description: {text}").format(text=case.description))
    parties = await store.parties(ctx.session, case.id)
    shown = [
        f"{p.name} ({p.contact})" if p.contact and (in_charge or case.mediator_id == me) else p.name
        for p in parties
    ]
    lines.append(_("Parties: {names}").format(names="; ".join(shown)))
    if case.preferred_times:
        lines.append(_("Preferred times: {times}").format(times=case.preferred_times))
    lines.append(_("Mediator: {name}").format(name=case.mediator_name or _("not assigned yet")))
    meeting = await latest_session(ctx, case)
    if meeting is not None:
        lines.append(
            _("Session: {when}, {place} ({state})").format(
                when=fmt_datetime(meeting.starts_at),
                place=meeting.place,
                state=_("confirmed") if meeting.status == "confirmed" else _("proposed"),
            )
        )
    elif (past := await store.last_past_session(ctx.session, case.id)) is not None:
        lines.append(
            _("Last session: {when}, {place}").format(when=fmt_datetime(past.starts_at), place=past.place)
        )
    if case.agreement:
        lines.append(_("Agreement: {text}").format(text=case.agreement))
    if case.next_steps:
        lines.append(_("Where to go next: {text}").format(text=case.next_steps))
    lines.append("")
    lines.append(_("History:"))
    for event in (await store.history(ctx.session, case.id))[-10:]:
        what = _(ACTIONS.get(event.action, event.action))
        if event.action in WITH_NOTE and event.note:
            what = f"{event.note}: {what}"
        lines.append(f"{fmt_datetime(event.at)} — {what}")
    ctx.reply("\n".join(lines), await actions(ctx, case, meeting))


async def actions(ctx: Context, case: MediationCase, meeting: MediationSession | None) -> list[Choice]:
    grants = await ctx.grants()
    me = ctx.person_id
    found: list[Choice] = []
    is_open = case.status in OPEN_STATUSES
    if is_open and store.is_head(grants, case):
        found.append(Choice(_("Assign a mediator"), AssignMenu(case.id or 0)))
    if is_open and case.mediator_id is None and store.is_mediator(grants, case) and not case.private:
        found.append(Choice(_("Take this case"), TakeCase(case.id or 0)))
    if is_open and case.mediator_id == me:
        found.append(Choice(_("Propose a session"), PlanSession(case.id or 0)))
        found.append(Choice(_("Invite a party to follow the case"), InviteParty(case.id or 0)))
        found.append(Choice(_("Record the outcome"), RecordOutcome(case.id or 0)))
        past = await store.last_past_session(ctx.session, case.id)
        if past is not None:
            found.append(Choice(_("Record who did not come"), RecordAbsence(past.id or 0)))
    if is_open and store.is_mediator(grants, case):
        found.append(Choice(_("Declare a conflict of interest"), DeclareConflict(case.id or 0)))
    if (
        meeting is not None
        and await store.is_party(ctx.session, me, case)
        and str(me) not in meeting.responses
    ):
        found.append(Choice(_("Confirm the session"), ConfirmSession(meeting.id or 0)))
        found.append(Choice(_("Ask for another time"), AskOtherTime(meeting.id or 0)))
    if store.may_report_broken(case) and await store.is_party(ctx.session, me, case):
        found.append(Choice(_("The agreement is not kept"), FollowUp(case.id or 0, "broken")))
    if is_open and case.requester_id == me:
        found.append(Choice(_("Withdraw my request"), Withdraw(case.id or 0)))
    return found


async def mediator_name(ctx: Context, person_id: int) -> str:
    person = await ctx.session.get(Person, person_id)
    return store.mediator_label(person) if person else "—"
