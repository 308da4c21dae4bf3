"""/hoagiai: a person's cases and, for mediators, the open cases of their area; one case with its history and
the actions this viewer may take on it."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.replies import Choice
from bot.directory.people import home_grant
from bot.i18n import N_, _, fmt_datetime
from handlers.common import picked
from handlers.mediation import cases
from handlers.mediation.cases import kind_label, status_label
from models import Person
from models.mediation import OPEN_STATUSES, MediationCase, MediationSession

ACTIONS = {
    "received": N_("request received"),
    "assigned": N_("mediator assigned"),
    "taken": N_("mediator took the case"),
    "conflict_declared": N_("a mediator declared a conflict of interest"),
    "session_proposed": N_("session proposed"),
    "session_confirmed": N_("session confirmed"),
    "session_change_asked": N_("another time asked for"),
    "agreed": N_("agreement reached"),
    "not_agreed": N_("no agreement"),
    "withdrawn": N_("withdrawn"),
    "followup_kept": N_("agreement reported kept"),
    "party_invited": N_("a party was given a code to follow the case"),
    "party_joined": N_("a party follows the case in An Dân"),
    "reopened": N_("agreement reported broken: case reopened"),
}


def line(case: MediationCase) -> str:
    return f"{case.number} · {kind_label(case.kind)} · {status_label(case.status)}"


async def overview(ctx: Context) -> None:
    own = await cases.own_cases(ctx.session, ctx.person_id)
    grants = await ctx.grants()
    duty = await cases.open_cases_for(ctx.session, ctx.person_id, grants)
    is_mediator = any(g.role in cases.MEDIATOR_ROLES for g in grants)
    if not own and not duty and not is_mediator:
        await begin_request(ctx)
        return
    choices: list[Choice] = []
    lines: list[str] = []
    if own:
        lines.append(_("Your mediation cases:"))
        lines += [f"• {line(c)}" for c in own[:10]]
        choices += [Choice(c.number or "", f"hgo:{c.id}") for c in own[:10]]
    if is_mediator:
        others = [c for c in duty if c.id not in {o.id for o in own}]
        lines.append(_("Open cases of your area:") if others else _("No open cases in your area."))
        lines += [f"• {line(c)}" + (" · " + _("private") if c.private else "") for c in others[:15]]
        choices += [Choice(c.number or "", f"hgo:{c.id}") for c in others[:15]]
        choices.append(Choice(_("My mediator profile"), "hgpf:edit"))
    choices.append(Choice(_("New mediation request"), "hgn:new"))
    ctx.reply("\n".join(lines), choices)


async def begin_request(ctx: Context) -> None:
    """Start the request form, once we know which area's mediation group the request goes to."""
    if home_grant(await ctx.grants()) is None:
        ctx.reply(
            _(
                "Please join your residential group first (/start), so your request reaches the right "
                "mediation group."
            )
        )
        return
    ctx.begin("mediation_request")


async def load_visible(ctx: Context, prefix: str) -> MediationCase | None:
    """The case named by a pressed "prefix:<id>[:...]" button, if this person may see it; otherwise say so."""
    value = (picked(ctx, prefix) or "").split(":", 1)[0]
    case = await ctx.session.get(MediationCase, int(value)) if value.isdigit() else None
    if (
        case is None
        or ctx.person is None
        or not await cases.can_view(ctx.session, ctx.person_id, await ctx.grants(), case)
    ):
        ctx.reply(_("That case does not exist or is not yours to see."))
        return None
    return case


async def latest_session(ctx: Context, case: MediationCase) -> MediationSession | None:
    rows = await ctx.session.exec(
        select(MediationSession)
        .where(
            MediationSession.case_id == case.id, col(MediationSession.status).in_(("proposed", "confirmed"))
        )
        .order_by(col(MediationSession.id).desc())
    )
    return rows.first()


async def show(ctx: Context, case: MediationCase) -> None:
    assert case.id is not None
    grants = await ctx.grants()
    me = ctx.person_id
    in_charge = case.mediator_id == me or cases.is_head(grants, case)
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
    parties = await cases.parties(ctx.session, case.id)
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
    if case.agreement:
        lines.append(_("Agreement: {text}").format(text=case.agreement))
    if case.next_steps:
        lines.append(_("Where to go next: {text}").format(text=case.next_steps))
    lines.append("")
    lines.append(_("History:"))
    for event in (await cases.history(ctx.session, case.id))[-10:]:
        lines.append(f"{fmt_datetime(event.at)} — {_(ACTIONS.get(event.action, event.action))}")
    ctx.reply("\n".join(lines), await actions(ctx, case, meeting))


async def actions(ctx: Context, case: MediationCase, meeting: MediationSession | None) -> list[Choice]:
    grants = await ctx.grants()
    me = ctx.person_id
    found: list[Choice] = []
    is_open = case.status in OPEN_STATUSES
    if is_open and cases.is_head(grants, case):
        found.append(Choice(_("Assign a mediator"), f"hga:{case.id}"))
    if is_open and case.mediator_id is None and cases.is_mediator(grants, case) and not case.private:
        found.append(Choice(_("Take this case"), f"hgt:{case.id}"))
    if is_open and case.mediator_id == me:
        found.append(Choice(_("Propose a session"), f"hgs:{case.id}"))
        found.append(Choice(_("Invite a party to follow the case"), f"hgi:{case.id}"))
        found.append(Choice(_("Record the outcome"), f"hgx:{case.id}"))
    if is_open and cases.is_mediator(grants, case):
        found.append(Choice(_("I have a conflict of interest"), f"hgc:{case.id}"))
    if (
        meeting is not None
        and await cases.is_party(ctx.session, me, case)
        and str(me) not in meeting.responses
    ):
        found.append(Choice(_("Confirm the session"), f"hgy:{meeting.id}"))
        found.append(Choice(_("Ask for another time"), f"hgr:{meeting.id}"))
    if is_open and case.requester_id == me:
        found.append(Choice(_("Withdraw my request"), f"hgw:{case.id}"))
    return found


async def mediator_name(ctx: Context, person_id: int) -> str:
    person = await ctx.session.get(Person, person_id)
    return cases.mediator_label(person) if person else "—"
