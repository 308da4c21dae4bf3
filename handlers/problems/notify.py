"""Pushes about reports, all through the outbox: a new report to those who handle it, an assignment to the group
leader, and progress to every reporter of the problem (duplicates merged into it included) who asked for it.

A reporter who sent without a name is reached only through the sealed route of their report, destroyed when the
problem is closed. Pushes to those who handle a report carry its number and category, never who sent it; nor does a reporter's
answer to the ward's question, which reaches them the same way.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_sealed, enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, use_locale
from handlers.problems.buttons import MyReport, OpenProblem
from handlers.problems.store import area_name, duplicates, managers_of
from handlers.problems.texts import category_name
from models import OutboxMessage, Person, Priority
from models.base import pk
from models.problems import Problem, ProblemRoute

SOURCE = "problem"


async def queued(session: AsyncSession, dedupe_key: str) -> bool:
    """Whether this push exists already (a second press must not queue it twice)."""
    found = await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    return found.first() is not None


async def new_report(session: AsyncSession, problem: Problem) -> int:
    """Tell the ward admins and the area's leaders; returns how many pushes were queued."""
    number = pk(problem)
    area = await area_name(session, problem.area_id)

    def render() -> Reply:
        text = _("New problem report no. {number}: {category}.").format(
            number=number, category=category_name(problem.category)
        )
        if area:
            text += " " + _("Area: {area}.").format(area=area)
        return Reply(text, (Choice(_("Open it"), OpenProblem(number)),))

    count = 0
    for person in await managers_of(session, problem):
        key = f"problem:{number}:new:p{person.id}"
        if await queued(session, key):
            continue
        row = await enqueue_to_person(
            session,
            person,
            render,
            kind="problem_new",
            priority=Priority.NOTICE,
            dedupe_key=key,
            source_kind=SOURCE,
            source_id=str(number),
        )
        count += row is not None
    return count


async def assigned(session: AsyncSession, problem: Problem, leader: Person) -> bool:
    number = pk(problem)

    def render() -> Reply:
        return Reply(
            _("Problem report no. {number} ({category}) was given to you to see to.").format(
                number=number, category=category_name(problem.category)
            ),
            (Choice(_("Open it"), OpenProblem(number)),),
        )

    row = await enqueue_to_person(
        session,
        leader,
        render,
        kind="problem_assigned",
        priority=Priority.NOTICE,
        dedupe_key=f"problem:{number}:assigned:p{leader.id}:{problem.assigned_to}",
        source_kind=SOURCE,
        source_id=str(number),
    )
    return row is not None


async def tell_reporters(
    session: AsyncSession,
    problem: Problem,
    what: str,
    render: Callable[[int], str],
    *,
    buttons: Callable[[int], tuple[Choice, ...]] = lambda number: (),
    asking: bool = False,
    quiet_hours: str,
) -> int:
    """Tell every reporter of `problem` and of the duplicates merged into it who asked to hear of progress;
    `render(number)` gives the text for the report a reporter knows (their own number), `buttons(number)` what to
    press under it. A question of the ward (`asking`) also reaches those who sent their name without asking for
    progress: the form told them the ward may contact them. Returns how many. Nothing of it is urgent: in
    `quiet_hours` it waits until they end, on both routes."""
    later = quiet_until(clock.now(), quiet_hours)
    count = 0
    for report in [problem, *await duplicates(session, pk(problem))]:
        if not report.wants_progress and not (asking and not report.anonymous):
            continue
        number = pk(report)
        key = f"problem:{number}:{what}"
        if await queued(session, key):
            continue
        if not report.anonymous:
            person = await session.get(Person, report.person_id) if report.person_id else None
            if person is None:
                continue

            def own_reply(number: int = number) -> Reply:
                return Reply(render(number), (*buttons(number), Choice(_("See it"), MyReport(number))))

            row = await enqueue_to_person(
                session,
                person,
                own_reply,
                kind="problem_progress",
                priority=Priority.NOTICE,
                dedupe_key=key,
                not_before=later,
                source_kind=SOURCE,
                source_id=str(number),
            )
            count += row is not None
            continue
        route = (await session.exec(select(ProblemRoute).where(ProblemRoute.problem_id == number))).first()
        if route is None:
            continue
        with use_locale(route.locale):
            reply = Reply(render(number), buttons(number))
        sealed = enqueue_sealed(
            session,
            route.sealed,
            reply,
            kind="problem_progress",
            dedupe_key=key,
            source_kind=SOURCE,
            source_id=str(number),
        )
        if later is not None:  # enqueue_sealed takes no due time: the row, not yet written, is held here
            sealed.not_before = later
        count += 1
    return count


async def answered(session: AsyncSession, problem: Problem, text: str) -> int:
    """Bring a reporter's answer to those who handle the report (never who sent it: the answer of a reporter
    without a name must stay unlinkable, and a named one is the ward office's to look up); returns how many."""
    number = pk(problem)
    sent = secrets.token_hex(4)  # each answer is its own push, even two alike

    def render() -> Reply:
        return Reply(
            _("A reporter of problem report no. {number} answered the ward's question:\n\n{text}").format(
                number=number, text=text
            ),
            (Choice(_("Open it"), OpenProblem(number)),),
        )

    count = 0
    for person in await managers_of(session, problem):
        row = await enqueue_to_person(
            session,
            person,
            render,
            kind="problem_answer",
            priority=Priority.NOTICE,
            dedupe_key=f"problem:{number}:answer:{sent}:p{person.id}",
            source_kind=SOURCE,
            source_id=str(number),
        )
        count += row is not None
    return count


async def destroy_routes(session: AsyncSession, problem: Problem) -> None:
    """The way back to anonymous reporters goes once the problem is closed (their last message is queued)."""
    ids = [pk(problem), *(pk(d) for d in await duplicates(session, pk(problem)))]
    for number in ids:
        route = (await session.exec(select(ProblemRoute).where(ProblemRoute.problem_id == number))).first()
        if route is not None:
            await session.delete(route)
