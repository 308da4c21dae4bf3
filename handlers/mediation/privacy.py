"""Personal data (Law 91/2025) held by mediation: the cases a person requested or is a party to, and a
mediator's declared relatives.

On erasure the person's account is unlinked from every case; their preferred times, contact details, answers to
sessions and the words they typed in them are removed, and their open requests are withdrawn. The lines of the
mediation book itself (case number, dates, the parties' names, the mediator, the outcome and the agreement) are
kept: they are the mediation group's record under the Law on Grassroots Mediation, which the ward reports on every
year.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import _
from handlers.mediation import store
from handlers.mediation.texts import kind_label, status_label
from models import Person
from models.mediation import (
    OPEN_STATUSES,
    CaseStatus,
    MediationCase,
    MediationEvent,
    MediationParty,
    MediationSession,
    MediatorRelative,
)

# History lines whose note is what their actor typed (the times a party suggested), not a record of the book.
OWN_WORDS = ("session_change_asked",)
# Every table of the feature that holds a person's id (checked by a test against the models).
TABLES = (MediationCase, MediationParty, MediationSession, MediationEvent, MediatorRelative)


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    assert person.id is not None
    found = await store.own_cases(session, person.id)
    relatives = (
        await session.exec(select(MediatorRelative).where(MediatorRelative.person_id == person.id))
    ).all()
    out: dict[str, Any] = {}
    if found:
        out["cases"] = [
            {
                "number": c.number,
                "kind": c.kind,
                "status": c.status,
                "received": c.created_at,
                "as": "requester" if c.requester_id == person.id else "party",
                "description": c.description,
                "preferred_times": c.preferred_times,
                "private": c.private,
                "agreement": c.agreement,
                "next_steps": c.next_steps,
                "closed": c.closed_at,
            }
            for c in found
        ]
    if relatives:
        out["declared_relatives"] = [r.name for r in relatives]
    return out


async def erase(session: AsyncSession, person: Person) -> list[str]:
    assert person.id is not None
    found = await store.own_cases(session, person.id)
    now = clock.now()
    for case in found:
        if case.requester_id == person.id:
            if case.status in OPEN_STATUSES:
                case.status, case.closed_at = CaseStatus.WITHDRAWN, now
                store.log(session, case, "withdrawn", None, note="personal data erased")
            case.requester_id, case.preferred_times = None, None
            session.add(case)
    mediated = (
        await session.exec(select(MediationCase.id).where(MediationCase.mediator_id == person.id))
    ).all()
    await execute(
        session,
        update(MediationParty)
        .where(col(MediationParty.person_id) == person.id)
        .values(person_id=None, contact=None),
    )
    await execute(
        session,
        update(MediationCase).where(col(MediationCase.mediator_id) == person.id).values(mediator_id=None),
    )
    # The history keeps that a session was answered or a change asked, not the person's own words.
    await execute(
        session,
        update(MediationEvent)
        .where(col(MediationEvent.actor_id) == person.id, col(MediationEvent.action).in_(OWN_WORDS))
        .values(note=None),
    )
    await execute(
        session, update(MediationEvent).where(col(MediationEvent.actor_id) == person.id).values(actor_id=None)
    )
    await _forget_answers(session, person.id, [c.id for c in found if c.id is not None])
    await execute(session, delete(MediatorRelative).where(col(MediatorRelative.person_id) == person.id))
    await unlink(session, person, MediationSession.proposed_by)
    notes = []
    if mediated:
        notes.append(
            _("Cases you mediated ({n}) keep your name as their mediator in the mediation book.").format(
                n=len(mediated)
            )
        )
    if not found:
        return notes
    numbers = ", ".join(c.number or "" for c in found)
    return notes + [
        _(
            "Mediation cases {numbers}: the lines of the mediation book (dates, the parties' names, the "
            "mediator and the outcome) stay with the mediation group of your area, as the Law on Grassroots "
            "Mediation requires; they are no longer linked to your account."
        ).format(numbers=numbers)
    ]


async def _forget_answers(session: AsyncSession, person_id: int, case_ids: list[int]) -> None:
    """The person's answers to the sessions of their cases ("chủ nhật này 3h chiều được không"), kept by their id:
    dropped. The book lists each session's time and place, never who answered it."""
    if not case_ids:
        return
    key = str(person_id)
    meetings = await session.exec(select(MediationSession).where(col(MediationSession.case_id).in_(case_ids)))
    for meeting in meetings.all():
        if key in meeting.responses:
            meeting.responses = {k: v for k, v in meeting.responses.items() if k != key}
            session.add(meeting)


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: the cases, by number and status, and a mediator's declared relatives."""
    assert person.id is not None
    found = await store.own_cases(session, person.id)
    relatives = (
        await session.exec(select(MediatorRelative).where(MediatorRelative.person_id == person.id))
    ).all()
    lines = []
    if found:
        lines.append(
            _("Mediation cases you asked for or take part in: {cases}.").format(
                cases="; ".join(
                    _("{number} ({kind}, {status})").format(
                        number=c.number or "—", kind=kind_label(c.kind), status=status_label(c.status)
                    )
                    for c in found
                )
            )
        )
    if relatives:
        lines.append(
            _("Relatives you declared as a mediator: {names}.").format(
                names=", ".join(r.name for r in relatives)
            )
        )
    return lines
