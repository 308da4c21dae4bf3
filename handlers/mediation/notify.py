"""Pushes about a case to the people involved, through the outbox, each in their own language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_to_person
from models import OutboxMessage, Person, Priority
from models.mediation import MediationCase

SOURCE = "mediation_case"


async def push(
    session: AsyncSession,
    person_ids: Iterable[int | None],
    case: MediationCase,
    what: str,
    text: Callable[[], str],
    choices: Callable[[], list[Choice]] = list,
    *,
    priority: int = Priority.NOTICE,
    kind: str = "mediation",
    key: str | None = None,
    not_before: datetime | None = None,
) -> int:
    """Queue `text` (rendered per recipient's language) to each person once; returns how many were queued.

    `what` names the event in the dedupe key; `key` makes it unique per occurrence (a timestamp by default), so
    the same press handled twice never queues twice while a later, genuinely new event still does.
    """
    occurrence = key or f"{clock.now().timestamp():.6f}"
    queued = 0
    for person_id in dict.fromkeys(p for p in person_ids if p is not None):
        person = await session.get(Person, person_id)
        dedupe = f"hg:{case.id}:{what}:{person_id}:{occurrence}"
        if person is None or await already_queued(session, dedupe):
            continue
        row = await enqueue_to_person(
            session,
            person,
            lambda: Reply(text(), tuple(choices())),
            kind=kind,
            priority=priority,
            dedupe_key=dedupe,
            source_kind=SOURCE,
            source_id=str(case.id),
            not_before=not_before,
        )
        queued += row is not None
    return queued


async def already_queued(session: AsyncSession, dedupe_key: str) -> bool:
    """Whether this push exists already (a retried tick or a second press): inserting it again would fail."""
    found = await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    return found.first() is not None
