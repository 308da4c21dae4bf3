"""Scheduled work on tips: reminders of the ward police's own clocks (notice of receipt, transfer) and the
overdue list, and the retention purge.

Both are idempotent (dedupe keys, and purging only what is not purged yet) and log counts only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, cast, delete, update
from sqlmodel import col, select

from bot import clock
from bot.core.replies import Choice, Reply
from bot.db import execute
from bot.delivery.outbox import enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_date, fmt_datetime, local
from handlers.tips.buttons import OpenTip
from handlers.tips.clocks import Rules, is_overdue, reminder_due, transfer_deadline, transfer_reminder_due
from handlers.tips.notify import notify_officers, queued
from handlers.tips.store import discard_files, police_of_ward, ward_name
from models import (
    ConversationState,
    OutboxMessage,
    OutboxStatus,
    Priority,
    Role,
    Tip,
    TipAttachment,
    TipMessage,
    TipRateCounter,
    TipRoute,
    TipStatus,
)
from models.base import pk

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
TIP_FLOWS = ("tip", "tip_emergency", "tip_code", "tip_status")


def reminder(clock_name: str, number: int, due: datetime) -> Callable[[], Reply]:
    def render() -> Reply:
        if clock_name == "receipt":
            text = _("Reminder: the notice of receipt for tip no. {number} is due by {date}.").format(
                number=number, date=fmt_date(due)
            )
        else:
            text = _(
                "Reminder: tip no. {number} is to be checked and transferred to the investigating body by {time} "
                "(Criminal Procedure Code, art. 145)."
            ).format(number=number, time=fmt_datetime(due))
        return Reply(text, (Choice(_("Open it"), OpenTip(number)),))

    return render


async def remind_clocks(app: App) -> None:
    now = clock.now()
    later = quiet_until(now, app.settings.quiet_hours)
    rules = Rules.of(app.settings)
    reminders = 0
    async with app.db.session() as session:
        tips = (
            await session.exec(
                select(Tip).where(col(Tip.status).in_(TipStatus.OPEN), col(Tip.purged_at).is_(None))
            )
        ).all()
        overdue: dict[int, list[Tip]] = defaultdict(list)
        for tip in tips:
            number = pk(tip)
            if tip.acknowledged_at is None and reminder_due(tip.receipt_due_at, now):
                reminders += await notify_officers(
                    session,
                    tip,
                    reminder("receipt", number, tip.receipt_due_at),
                    dedupe=f"tip:{number}:due:receipt",
                    priority=Priority.ROUTINE,
                    not_before=later,
                )
            transfer_by = transfer_deadline(tip, rules)
            if transfer_reminder_due(transfer_by, now, rules):
                # Hours count here, so the reminder is not held back to the morning by quiet hours.
                reminders += await notify_officers(
                    session,
                    tip,
                    reminder("transfer", number, transfer_by),
                    dedupe=f"tip:{number}:due:transfer",
                    priority=Priority.NOTICE,
                )
            if is_overdue(tip, now, rules):
                overdue[tip.ward_code].append(tip)
        today = local(now).date().isoformat()
        for ward_code, late in overdue.items():
            ward = await ward_name(session, ward_code)
            numbers = sorted(t.id or 0 for t in late)
            for leader in await police_of_ward(session, ward_code, Role.WARD_ADMIN.value):
                key = f"tips:overdue:{ward_code}:{today}:p{leader.id}"
                if await queued(session, key):
                    continue

                def render(w: str = ward, ns: list[int] = numbers) -> Reply:
                    return Reply(
                        _(
                            "Overdue tips in {ward} ({n}): no. {numbers}. A deadline of the ward police has "
                            "passed without a notice of receipt or a transfer to the investigating body."
                        ).format(ward=w, n=len(ns), numbers=", ".join(str(x) for x in ns))
                    )

                row = await enqueue_to_person(
                    session,
                    leader,
                    render,
                    kind="tip_overdue",
                    dedupe_key=key,
                    priority=Priority.ROUTINE,
                    not_before=later,
                    source_kind="tip_overdue",
                    source_id=str(ward_code),
                )
                reminders += row is not None
        await session.commit()
    log.info("tip clocks checked", extra={"open": len(tips), "queued": reminders})


async def purge(app: App) -> None:
    """Empty closed tips after the retention period; drop reply routes, stale form states and old counters."""
    now = clock.now()
    cutoff = now - timedelta(days=app.settings.tip_retention_days)
    async with app.db.session() as session:
        closed_ids = select(Tip.id).where(col(Tip.status).in_(TipStatus.CLOSED))
        routes = await execute(session, delete(TipRoute).where(col(TipRoute.tip_id).in_(closed_ids)))
        # Delivered pushes of closed tips need their sealed copy of the route no more.
        closed_numbers = select(cast(Tip.id, String)).where(col(Tip.status).in_(TipStatus.CLOSED))
        await execute(
            session,
            update(OutboxMessage)
            .where(
                col(OutboxMessage.source_kind) == "tip",
                col(OutboxMessage.source_id).in_(closed_numbers),
                col(OutboxMessage.sealed_route).is_not(None),
                col(OutboxMessage.status).not_in([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
            .values(sealed_route=None),
        )
        due = (
            await session.exec(select(Tip).where(col(Tip.closed_at) < cutoff, col(Tip.purged_at).is_(None)))
        ).all()
        for tip in due:
            files = (await session.exec(select(TipAttachment).where(TipAttachment.tip_id == tip.id))).all()
            for attachment in files:
                if attachment.police_ref:
                    await app.media.delete(attachment.police_ref)
                await app.media.delete(attachment.original_ref)
                await session.delete(attachment)
            await execute(session, delete(TipMessage).where(col(TipMessage.tip_id) == tip.id))
            for column in (
                "person_id",
                "reporter_name",
                "reporter_phone",
                "text",
                "place_text",
                "latitude",
                "longitude",
                "occurred",
                "receipt_bucket",
                "receipt_salt",
                "receipt_hash",
                "assigned_to",
                "extension_reason",
                "outcome_reason",
            ):
                setattr(tip, column, None)
            tip.indicators = []
            tip.purged_at = now
            session.add(tip)
        # Forms abandoned midway: their words and files must not outlive them.
        abandoned = (
            await session.exec(
                select(ConversationState).where(
                    col(ConversationState.flow).in_(TIP_FLOWS), col(ConversationState.expires_at) < now
                )
            )
        ).all()
        for state in abandoned:
            await discard_files(app, (state.data or {}).get("files", []))
            await session.delete(state)
        yesterday = (local(now).date() - timedelta(days=1)).isoformat()
        counters = await execute(session, delete(TipRateCounter).where(col(TipRateCounter.day) < yesterday))
        await session.commit()
    log.info(
        "tip retention done",
        extra={
            "purged": len(due),
            "routes": routes.rowcount,
            "states": len(abandoned),
            "counters": counters.rowcount,
        },
    )
