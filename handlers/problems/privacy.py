"""Personal data (Law 91/2025) held by the problems feature: the reports a person sent with their name, and the
reports a group leader was given to see to. Reports sent without a name hold nobody's id: there is nothing of
them to show or erase (their receipt code is the reporter's alone).

On erasure the person's id is removed from their reports, which become reports without a name: a broken light
stays a broken light, and the ward office still sees to it. Nobody is told of progress any more. Given reports
lose the leader's id and go back to the ward office's open list.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import ngettext
from models import Person
from models.problems import Problem, ProblemStatus

TABLES = (Problem,)


async def _own(session: AsyncSession, person: Person) -> list[Problem]:
    rows = await session.exec(select(Problem).where(Problem.person_id == person.id).order_by(col(Problem.id)))
    return list(rows.all())


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    reports = await _own(session, person)
    given = (await session.exec(select(Problem.id).where(Problem.assigned_to == person.id))).all()
    out: dict[str, Any] = {}
    if reports:
        out["reports"] = [
            {
                "number": p.id,
                "category": p.category,
                "text": p.text,
                "place": p.place_text,
                "location": [p.latitude, p.longitude] if p.latitude is not None else None,
                "sent": p.created_at,
                "status": p.status,
                "wants_progress": p.wants_progress,
                "closing_note": p.closing_note,
            }
            for p in reports
        ]
    if given:
        out["given_to_see_to"] = list(given)
    return out


async def erase(session: AsyncSession, person: Person) -> list[str]:
    for problem in await _own(session, person):
        problem.person_id, problem.group_id = None, None
        problem.anonymous, problem.wants_progress = True, False
        session.add(problem)
    given = (await session.exec(select(Problem).where(Problem.assigned_to == person.id))).all()
    for problem in given:
        problem.assigned_to = None
        if problem.status == ProblemStatus.ASSIGNED:
            problem.status = ProblemStatus.OPEN
        session.add(problem)
    return []


async def summary(session: AsyncSession, person: Person) -> list[str]:
    reports = await _own(session, person)
    if not reports:
        return []
    return [
        ngettext(
            "You reported {n} problem to the ward with your name (type /phananh to see it).",
            "You reported {n} problems to the ward with your name (type /phananh to see them).",
            len(reports),
        ).format(n=len(reports))
    ]
