"""The outbox rows the sender works on: claiming due rows under a lease, and recording what became of them.

A claim is one statement: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes claim side by side
without ever taking the same row; SQLite has a single writer, so one conditional UPDATE is already atomic.
Every later write is conditional on our claim (`claimed_by`, status "sending"), so a sender whose lease
expired cannot overwrite what the sender that took the row over recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, null, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from models import OutboxMessage, OutboxStatus

ERROR_LENGTH = 500


@dataclass
class Job:
    """One claimed row, detached from the session that claimed it."""

    id: int
    kind: str
    priority: int
    attempts: int
    person_id: int | None
    channel: str | None
    chat_id: str | None
    sealed_route: str | None
    linked_chat_id: int | None
    payload: dict[str, Any] = field(repr=False)
    via: str | None = None
    source_kind: str | None = None
    source_id: str | None = None


@dataclass
class Outcome:
    """What to write for one row: its new status and the fields that go with it."""

    status: str
    error: str | None = None
    not_before: datetime | None = None
    platform_message_id: str | None = None
    uncount_attempt: bool = False  # the platform never tried (pause, deferral): this claim is no attempt
    unreachable: bool = False  # mark the recipient (identity or linked chat) unreachable too
    record_choices: bool = False  # remember the offered choices in the recipient's conversation
    # The row moves on to another route (bot.delivery.reach): (channel, chat id, via), pending again.
    reroute: tuple[str, str, str] | None = None
    # A DeliveryAttempt to write for this outcome: (outcome, channel tried, via tried); None for no attempt
    # (a pacing deferral, a pause before any call).
    attempt: tuple[str, str | None, str | None] | None = None
    # Not reached on this route: a person's row may move on to their next step (the sender decides).
    onward: bool = False
    keep_step: bool = (
        False  # the route is fine, only not now (night, today's promotion used): may wait for it
    )
    quota_kind: str | None = None  # this kind of Zalo OA send is out of quota


def _queues(now: datetime, worker: str, exclude_channels: set[str]) -> list[Any]:
    """What a claim may take, in the order it takes it: rows another sender claimed and abandoned (its lease
    expired; never our own, which may still be waiting in this process), then rows due now.

    Two conditions, not one with OR: each walks an index in (priority, id) order and stops after `limit` rows.
    """
    expired = and_(
        col(OutboxMessage.status) == OutboxStatus.SENDING,
        col(OutboxMessage.claimed_until) < now,
        col(OutboxMessage.claimed_by) != worker,
    )
    due = and_(col(OutboxMessage.status) == OutboxStatus.PENDING, col(OutboxMessage.not_before) <= now)
    if not exclude_channels:
        return [expired, due]
    allowed = or_(
        col(OutboxMessage.channel).is_(None), col(OutboxMessage.channel).not_in(sorted(exclude_channels))
    )
    return [and_(expired, allowed), and_(due, allowed)]


async def claim(
    session: AsyncSession,
    worker: str,
    limit: int,
    lease: timedelta,
    *,
    postgres: bool,
    exclude_channels: set[str] | None = None,
) -> list[Job]:
    """Take up to `limit` due rows (urgent first, then oldest), including rows whose lease expired."""
    now = clock.now()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    jobs: list[Job] = []
    for condition in _queues(now, worker, exclude_channels or set()):
        if len(jobs) >= limit:
            break
        pick = (
            select(OutboxMessage.id)  # type: ignore[call-overload]
            .where(condition)
            .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
            .limit(limit - len(jobs))
        )
        if postgres:
            pick = pick.with_for_update(skip_locked=True)
        statement = (
            update(table)
            .where(table.c.id.in_(pick.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=table.c.attempts + 1,
            )
            .returning(
                table.c.id,
                table.c.kind,
                table.c.priority,
                table.c.attempts,
                table.c.person_id,
                table.c.channel,
                table.c.chat_id,
                table.c.sealed_route,
                table.c.linked_chat_id,
                table.c.payload,
                table.c.via,
                table.c.source_kind,
                table.c.source_id,
            )
        )
        jobs += [Job(*row) for row in (await execute(session, statement)).all()]
    await session.commit()
    return sorted(jobs, key=lambda j: (j.priority, j.id))  # RETURNING order is unspecified


def _params(job_id: int, outcome: Outcome, now: datetime) -> dict[str, Any]:
    pending = outcome.status == OutboxStatus.PENDING
    return {
        "b_id": job_id,
        "b_status": outcome.status,
        "b_error": outcome.error[:ERROR_LENGTH] if outcome.error else None,
        "b_not_before": (outcome.not_before or now) if pending else None,
        # A row that is done keeps nothing that could identify an anonymous recipient (a held one is not done).
        "b_keep_route": 1 if pending or outcome.status == OutboxStatus.HELD else 0,
        "b_sent_at": now if outcome.status == OutboxStatus.SENT else None,
        "b_message_id": outcome.platform_message_id if outcome.status == OutboxStatus.SENT else None,
        "b_uncount": 1 if outcome.uncount_attempt else 0,
        "b_channel": outcome.reroute[0] if outcome.reroute else None,
        "b_chat_id": outcome.reroute[1] if outcome.reroute else None,
        "b_via": outcome.reroute[2] if outcome.reroute else None,
    }


@cache
def _record_statement(worker: str) -> Any:
    """Built once per worker: at broadcast rates SQLAlchemy's cache-key walk over a new statement costs more
    than SQLite takes to run it."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    c = table.c
    return (
        update(table)
        .where(c.id == bindparam("b_id"), c.claimed_by == worker, c.status == OutboxStatus.SENDING)
        .values(
            status=bindparam("b_status"),
            claimed_by=None,
            claimed_until=None,
            error=bindparam("b_error"),
            not_before=func.coalesce(bindparam("b_not_before", type_=c.not_before.type), c.not_before),
            sealed_route=case((bindparam("b_keep_route", type_=Integer) == 1, c.sealed_route), else_=null()),
            sent_at=func.coalesce(bindparam("b_sent_at", type_=c.sent_at.type), c.sent_at),
            platform_message_id=func.coalesce(
                bindparam("b_message_id", type_=c.platform_message_id.type), c.platform_message_id
            ),
            attempts=c.attempts - bindparam("b_uncount", type_=Integer),
            channel=func.coalesce(bindparam("b_channel", type_=c.channel.type), c.channel),
            chat_id=func.coalesce(bindparam("b_chat_id", type_=c.chat_id.type), c.chat_id),
            via=func.coalesce(bindparam("b_via", type_=c.via.type), c.via),
        )
    )


async def record(
    session: AsyncSession, worker: str, outcomes: list[tuple[int, Outcome]], now: datetime
) -> set[int]:
    """Write outcomes of rows still claimed by us, in one statement; returns the ids written.

    A row missing from the result was taken over by another sender after our lease expired.
    """
    if not outcomes:
        return set()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    ids = [job_id for job_id, _outcome in outcomes]
    # Core statements on the session's connection: the ORM's per-statement bookkeeping is not needed here.
    connection = await session.connection()
    ours = set(
        (
            await connection.execute(
                select(table.c.id).where(
                    table.c.id.in_(ids), table.c.claimed_by == worker, table.c.status == OutboxStatus.SENDING
                )
            )
        )
        .scalars()
        .all()
    )
    params = [_params(job_id, outcome, now) for job_id, outcome in outcomes if job_id in ours]
    if params:
        await connection.execute(_record_statement(worker), params)
    return ours


async def release(session: AsyncSession, worker: str, job_ids: list[int]) -> int:
    """Put claimed rows that never reached the platform back in the queue (a clean shutdown)."""
    if not job_ids:
        return 0
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    result = await execute(
        session,
        update(table)
        .where(table.c.id.in_(job_ids), table.c.claimed_by == worker, table.c.status == OutboxStatus.SENDING)
        .values(
            status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None, attempts=table.c.attempts - 1
        ),
    )
    await session.commit()
    return int(result.rowcount or 0)
