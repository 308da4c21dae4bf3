"""Scheduled work on footage requests: one reminder to an owner who has not answered, before their recording is
overwritten; and deleting clips after ANDAN_CAMERA_CLIP_RETENTION_DAYS unless marked as evidence.

Both are idempotent (a reminder is sent once, `reminded_at`; a clip is purged once, `purged_at`) and log counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot import clock
from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_datetime
from handlers.cameras.flows.request import answer_choices
from handlers.cameras.store import delete_clip_media
from handlers.cameras.texts import window_label
from models import Person, Priority
from models.base import pk
from models.cameras import AskStatus, FootageAsk, FootageClip, FootageRequest

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


async def remind(app: App) -> None:
    now = clock.now()
    soon = now + timedelta(hours=app.settings.camera_remind_hours)
    reminded = 0
    async with app.db.session() as session:
        rows = (
            await session.exec(
                select(FootageAsk, FootageRequest)
                .join(FootageRequest, col(FootageRequest.id) == col(FootageAsk.request_id))
                .where(
                    FootageAsk.status == AskStatus.ASKED,
                    col(FootageAsk.reminded_at).is_(None),
                    col(FootageAsk.deadline_at) > now,
                    col(FootageAsk.deadline_at) <= soon,
                )
            )
        ).all()
        for ask, request in rows:
            ask.reminded_at = now
            session.add(ask)
            owner = await session.get(Person, ask.owner_person_id) if ask.owner_person_id else None
            if owner is None:
                continue
            await enqueue_to_person(
                session,
                owner,
                reminder(pk(ask), request, ask),
                kind="camera_reminder",
                priority=Priority.NOTICE,
                dedupe_key=f"camera:remind:{ask.id}",
                not_before=quiet_until(now, app.settings.quiet_hours),  # a reminder waits for the morning
                source_kind="footage_ask",
                source_id=str(ask.id),
            )
            reminded += 1
        await session.commit()
    if reminded:
        log.info("camera owners reminded", extra={"count": reminded})


def reminder(ask_id: int, request: FootageRequest, ask: FootageAsk) -> Callable[[], Reply]:
    start, end, deadline = request.window_start, request.window_end, ask.deadline_at
    cameras = ", ".join(str(c) for c in ask.camera_ids)

    def render() -> Reply:
        return Reply(
            _(
                "Reminder: the ward police asked whether your camera {cameras} recorded anything {window}. It "
                "records over its footage after about {when}. Please answer (declining is your right)."
            ).format(cameras=cameras, window=window_label(start, end), when=fmt_datetime(deadline)),
            answer_choices(ask_id),
        )

    return render


async def purge(app: App) -> None:
    cutoff = clock.now() - timedelta(days=app.settings.camera_clip_retention_days)
    async with app.db.session() as session:
        clips = (
            await session.exec(
                select(FootageClip).where(
                    col(FootageClip.purged_at).is_(None),
                    col(FootageClip.evidence).is_(False),
                    col(FootageClip.added_at) < cutoff,
                )
            )
        ).all()
        for clip in clips:
            await delete_clip_media(app, clip)
            session.add(clip)
        # Upload links past their time are forgotten too.
        stale = (
            await session.exec(
                select(FootageAsk).where(
                    col(FootageAsk.upload_token_hash).is_not(None),
                    col(FootageAsk.upload_expires_at) < clock.now(),
                )
            )
        ).all()
        for ask in stale:
            ask.upload_token_hash = None
            session.add(ask)
        await session.commit()
    if clips:
        log.info("camera clips deleted after retention", extra={"count": len(clips)})
