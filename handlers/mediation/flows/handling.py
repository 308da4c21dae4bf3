"""Who handles a case: the head assigns a mediator or a mediator takes it, never one with an interest in it
(art. 18); a mediator may declare a conflict; the requester may withdraw."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import update
from sqlmodel import col

from bot import clock
from bot.core.context import Context
from bot.core.replies import Choice
from bot.core.router import Router
from bot.db import execute
from bot.delivery.outbox import cancel
from bot.i18n import _, fmt_date, fmt_time
from handlers.mediation import store
from handlers.mediation.buttons import (
    AssignMenu,
    AssignTo,
    DeclareConflict,
    OpenCase,
    PlanSession,
    TakeCase,
    Withdraw,
)
from handlers.mediation.flows.case import load_visible
from handlers.mediation.notify import SOURCE, push
from handlers.mediation.texts import kind_label
from models import Person, Role
from models.mediation import OPEN_STATUSES, CaseStatus, MediationCase

router = Router("mediation.handling")
FULL_NAME_WORDS = 2  # a Vietnamese full name has a family name and a given name at least


async def _open_case_for_mediators(ctx: Context, case_id: int) -> MediationCase | None:
    case = await load_visible(ctx, case_id)
    if case is None:
        return None
    if case.status not in OPEN_STATUSES:
        ctx.reply(_("Case {number} is already closed.").format(number=case.number))
        return None
    return case


@router.choice(TakeCase)
async def take(ctx: Context) -> None:
    case = await _open_case_for_mediators(ctx, TakeCase.expect(ctx).case_id)
    if case is None:
        return
    if not store.is_mediator(await ctx.grants(), case):
        ctx.reply(_("Only a mediator of this area can take the case."))
        return
    if case.mediator_id is not None:
        ctx.reply(
            _("Case {number} already has a mediator: {name}.").format(
                number=case.number, name=case.mediator_name
            )
        )
        return
    assert ctx.person is not None
    if len((ctx.person.display_name or "").split()) < FULL_NAME_WORDS:
        # The parties are told who mediates, and the book records it: a full name, not "mediator no. 12" nor the
        # first name a chat app gave ("Hòa"); the relatives declared with it keep the mediator off their cases.
        # The case is offered again once they are given.
        ctx.reply(
            _(
                "Before you take case {number}: the parties are told who mediates it, so please give your name."
            ).format(number=case.number)
        )
        ctx.begin("mediator_profile", take=case.id)
        return
    reason = await store.conflict(ctx.session, case, ctx.person)
    if reason:
        ctx.reply(
            _(
                "You cannot take case {number}: {reason}. A mediator with an interest in a dispute may not "
                "mediate it (art. 18 of the Law on Grassroots Mediation); the head of the mediation group will "
                "assign someone else."
            ).format(number=case.number, reason=reason)
        )
        return
    if not await assign(ctx, case, ctx.person, "taken"):
        return
    ctx.reply(
        _("Case {number} is yours. Contact the parties, then propose a session.").format(number=case.number),
        [
            Choice(_("Open the case"), OpenCase(case.id or 0)),
            Choice(_("Propose a session"), PlanSession(case.id or 0)),
        ],
    )


@router.choice(AssignMenu)
async def assign_menu(ctx: Context) -> None:
    case = await _open_case_for_mediators(ctx, AssignMenu.expect(ctx).case_id)
    if case is None:
        return
    if not store.is_head(await ctx.grants(), case):
        ctx.reply(_("Only the head of the mediation group assigns mediators."))
        return
    choices, excluded = [], []
    for person in await store.mediators_of(ctx.session, case):
        reason = await store.conflict(ctx.session, case, person)
        if reason:
            excluded.append(f"• {store.mediator_label(person)}: {reason}")
        elif person.id != case.mediator_id:
            choices.append(Choice(store.mediator_label(person)[:60], AssignTo(case.id or 0, person.id or 0)))
    text = _("Who should mediate case {number} ({kind})?").format(
        number=case.number, kind=kind_label(case.kind)
    )
    if excluded:
        text += "\n" + _("Not offered, because of a conflict of interest:") + "\n" + "\n".join(excluded)
    if not choices:
        text += "\n" + _(
            "No mediator of the area is free of conflicts for this case. Please invite another "
            "mediator (/moi)."
        )
    ctx.reply(text, choices)


@router.choice(AssignTo)
async def assign_to(ctx: Context) -> None:
    pressed = AssignTo.expect(ctx)
    case = await _open_case_for_mediators(ctx, pressed.case_id)
    if case is None:
        return
    if not store.is_head(await ctx.grants(), case):
        ctx.reply(_("Only the head of the mediation group assigns mediators."))
        return
    person = await ctx.session.get(Person, pressed.person_id)
    if person is None or person.id not in {p.id for p in await store.mediators_of(ctx.session, case)}:
        ctx.reply(_("That person is not a mediator of this area."))
        return
    reason = await store.conflict(ctx.session, case, person)
    if reason:
        ctx.reply(
            _("{name} cannot mediate case {number}: {reason}.").format(
                name=store.mediator_label(person), number=case.number, reason=reason
            )
        )
        return
    if not await assign(ctx, case, person, "assigned"):
        return
    ctx.reply(
        _("{name} now mediates case {number}.").format(name=store.mediator_label(person), number=case.number)
    )


async def assign(ctx: Context, case: MediationCase, person: Person, action: str) -> bool:
    """Give the case to `person`, if nobody changed its mediator since it was read; otherwise say who has it
    now and return False."""
    previous = case.mediator_id
    if not await _claim(ctx, case, person):
        await ctx.session.refresh(case)
        ctx.reply(_lost_text(case))
        return False
    if previous and previous != person.id:
        await withdraw_sessions(ctx, case)
    if case.status in (CaseStatus.RECEIVED, CaseStatus.SCHEDULED):
        case.status = CaseStatus.ASSIGNED
    ctx.session.add(case)
    store.log(ctx.session, case, action, ctx.person_id, note=case.mediator_name)
    ctx.audit(f"mediation.{action}", "mediation_case", str(case.id), case.ward_code, mediator=person.id)
    if person.id != ctx.person_id:
        await push(
            ctx.session,
            [person.id],
            case,
            "assigned",
            lambda: _(
                "You are the mediator of case {number} ({kind}). Contact the parties, then propose a session."
            ).format(number=case.number, kind=kind_label(case.kind)),
            lambda: [
                Choice(_("Open the case"), OpenCase(case.id or 0)),
                Choice(_("Propose a session"), PlanSession(case.id or 0)),
            ],
        )
    if previous and previous != person.id:
        await push(
            ctx.session,
            [previous],
            case,
            "unassigned",
            lambda: _("Case {number} was given to another mediator.").format(number=case.number),
        )
    await push(
        ctx.session,
        [case.requester_id],
        case,
        "assigned",
        lambda: _(
            "Your mediation request {number} now has a mediator: {name}. They will contact you to agree on a "
            "session."
        ).format(number=case.number, name=case.mediator_name),
        lambda: [Choice(_("Open the case"), OpenCase(case.id or 0))],
    )
    return True


async def _claim(ctx: Context, case: MediationCase, person: Person) -> bool:
    """One conditional UPDATE: two mediators pressing "Take this case" together (or a head assigning while a
    mediator takes it) both read no mediator; only the first write still finds the mediator it read, and the
    other is told who has the case instead of silently overwriting them."""
    name, now = store.mediator_label(person), clock.now()
    same_mediator = (
        col(MediationCase.mediator_id).is_(None)
        if case.mediator_id is None
        else col(MediationCase.mediator_id) == case.mediator_id
    )
    claimed = await execute(
        ctx.session,
        update(MediationCase)
        .where(
            col(MediationCase.id) == case.id,
            same_mediator,
            col(MediationCase.status).in_(OPEN_STATUSES),
        )
        .values(mediator_id=person.id, mediator_name=name, assigned_at=now),
    )
    if claimed.rowcount != 1:
        return False
    case.mediator_id, case.mediator_name, case.assigned_at = person.id, name, now
    return True


def _lost_text(case: MediationCase) -> str:
    if case.status not in OPEN_STATUSES:
        return _("Case {number} is already closed.").format(number=case.number)
    if case.mediator_name:
        return _("Case {number} has just got a mediator: {name}. Your choice was not applied.").format(
            number=case.number, name=case.mediator_name
        )
    return _("Case {number} changed a moment ago; please open it again.").format(number=case.number)


@router.choice(DeclareConflict)
async def declare_conflict(ctx: Context) -> None:
    case = await _open_case_for_mediators(ctx, DeclareConflict.expect(ctx).case_id)
    if case is None:
        return
    if not store.is_mediator(await ctx.grants(), case):
        ctx.reply(_("Only mediators declare conflicts of interest."))
        return
    store.log(ctx.session, case, "conflict_declared", ctx.person_id)
    ctx.audit("mediation.conflict_declared", "mediation_case", str(case.id), case.ward_code)
    message = _("Noted: you will not be offered case {number}.").format(number=case.number)
    if case.mediator_id == ctx.person_id:
        await withdraw_sessions(ctx, case)
        case.mediator_id = case.mediator_name = case.assigned_at = None
        case.status = CaseStatus.RECEIVED
        ctx.session.add(case)
        message += " " + _("The head of the mediation group is asked to assign another mediator.")
        heads = [p.id for p in await store.mediators_of(ctx.session, case, Role.MEDIATION_HEAD.value)]
        await push(
            ctx.session,
            heads,
            case,
            "conflict",
            lambda: _(
                "The mediator of case {number} declared a conflict of interest; please assign another."
            ).format(number=case.number),
            lambda: [Choice(_("Assign a mediator"), AssignMenu(case.id or 0))],
        )
    ctx.reply(message)


@router.choice(Withdraw)
async def withdraw(ctx: Context) -> None:
    case = await load_visible(ctx, Withdraw.expect(ctx).case_id)
    if case is None:
        return
    if case.requester_id != ctx.person_id:
        ctx.reply(_("Only the person who asked for mediation can withdraw the request."))
        return
    if case.status not in OPEN_STATUSES:
        ctx.reply(_("Case {number} is already closed.").format(number=case.number))
        return
    case.status, case.closed_at = CaseStatus.WITHDRAWN, clock.now()
    ctx.session.add(case)
    await cancel(ctx.session, SOURCE, str(case.id))  # nothing still queued about it is wanted now
    store.log(ctx.session, case, "withdrawn", ctx.person_id)
    await push(
        ctx.session,
        [case.mediator_id],
        case,
        "withdrawn",
        lambda: _("The request {number} was withdrawn by the requester.").format(number=case.number),
    )
    ctx.reply(
        _(
            "Your request {number} is withdrawn. You can ask for mediation again at any time with /hoagiai."
        ).format(number=case.number)
    )


async def withdraw_sessions(ctx: Context, case: MediationCase) -> None:
    """A mediator who leaves a case takes the sessions they proposed or agreed with them: cancelled, and the
    parties told, so nobody confirms or comes to a meeting that will not happen. The next mediator proposes
    their own."""
    meetings = await store.open_sessions(ctx.session, case.id)
    parties = await store.party_people(ctx.session, case) if meetings else []
    for meeting in meetings:
        meeting.status = "cancelled"
        ctx.session.add(meeting)
        store.log(ctx.session, case, "session_cancelled", ctx.person_id, note=meeting.starts_at.isoformat())
        await push(
            ctx.session,
            parties,
            case,
            "session_cancelled",
            partial(_cancelled_text, case.number or "", meeting.starts_at),
            key=str(meeting.id),
        )


def _cancelled_text(number: str, at: datetime) -> str:
    return _(
        "The mediation session of case {number} on {day} at {time} is cancelled: the case is changing mediator. "
        "The new mediator will propose another time."
    ).format(number=number, day=fmt_date(at, "full"), time=fmt_time(at))
