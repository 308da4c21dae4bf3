"""When each ward's digest is due, and writing it to the outbox exactly once per recipient and week.

Rows are written in chunks, each committed with its dedupe keys ("digest:<ward>:<week>:p<person>" or ":c<chat>");
a run that stops half-way (crash, restart, failure) is completed by the next run, which skips the keys already
queued, so every digest goes out exactly once. Missed Mondays are caught up within CATCH_UP, not later: a digest
about last week arriving on Thursday would mislead.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_rows, pending_row
from bot.delivery.quiet import quiet_until
from bot.digest.audience import group_chats, group_names, recipients, unreachable_count
from bot.digest.build import police_media, text_for, ward_week
from bot.digest.memo import building
from bot.i18n import _, fmt_number, local, use_locale, zone
from models import DigestSetting, LinkedChat, OutboxMessage, Priority, RoleGrant

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
CATCH_UP = timedelta(days=1)
CHUNK = 500


def latest_moment(setting: DigestSetting | None, now: datetime) -> datetime:
    """The most recent scheduled digest moment at or before `now` (Monday 07:00 local by default)."""
    weekday = setting.weekday if setting else 0
    hour, minute = (int(p) for p in (setting.send_time if setting else "07:00").split(":"))
    here = local(now)
    day = here.date() - timedelta(days=(here.weekday() - weekday) % 7)
    moment = datetime.combine(day, time(hour, minute), tzinfo=zone())
    return moment if moment <= here else moment - timedelta(days=7)


async def due_wards(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    """(ward, digest moment) for every ward with people or linked chats whose digest is due and not too old."""
    people = select(RoleGrant.ward_code).where(col(RoleGrant.revoked_at).is_(None)).distinct()
    chats = select(LinkedChat.ward_code).distinct()
    wards = {int(w) for w in (await session.exec(people)).all()} | {
        int(w) for w in (await session.exec(chats)).all()
    }
    settings = {s.ward_code: s for s in (await session.exec(select(DigestSetting))).all()}
    due = []
    for ward in sorted(wards):
        moment = latest_moment(settings.get(ward), now)
        if now - moment <= CATCH_UP:
            due.append((ward, moment))
    return due


async def digest_tick(app: App) -> None:
    now = clock.now()
    async with app.db.session() as session:
        due = await due_wards(session, now)
    for ward, moment in due:
        await send_ward(app, ward, moment)


def week_key(ward_code: int, moment: datetime) -> str:
    """Keyed by the day the digest is due, which names its week (the days before it)."""
    return f"digest:{ward_code}:{local(moment).date().isoformat()}:"


async def send_ward(app: App, ward_code: int, moment: datetime) -> int:
    """Queue the ward's digest due at `moment` (about the whole days of the week before that day, however late it
    is sent: bot.digest.days); returns how many rows this call queued."""
    prefix = week_key(ward_code, moment)
    now = clock.now()
    not_before = quiet_until(now, app.settings.quiet_hours) or now
    queued = 0
    with building():
        async with app.db.session() as session:
            done = set(
                (
                    await session.exec(
                        select(OutboxMessage.dedupe_key).where(
                            col(OutboxMessage.dedupe_key).startswith(prefix)
                        )
                    )
                ).all()
            )
            week = await ward_week(
                session, ward_code, moment, await group_names(session, ward_code), app.registry
            )
            pending: list[dict[str, Any]] = []
            for chat in await group_chats(session, ward_code):
                key = f"{prefix}c{chat.id}"
                if key not in done:
                    text = await text_for(
                        session,
                        week,
                        "resident",
                        chat.group_id,
                        app.settings.default_locale,
                        for_person=False,
                    )
                    pending.append(
                        _row(
                            key,
                            Reply(text),
                            now,
                            not_before,
                            ward_code,
                            moment,
                            channel=chat.channel,
                            chat_id=chat.chat_id,
                            linked_chat_id=chat.id,
                        )
                    )
                    queued += await _flush(session, pending)
            unreachable: int | None = None
            for who in await recipients(session, ward_code, app.settings):
                key = f"{prefix}p{who.person_id}"
                if key in done:
                    continue
                text = await text_for(session, week, who.audience, who.group_id, who.locale, for_person=True)
                if who.is_admin:
                    if unreachable is None:
                        unreachable = await unreachable_count(session, ward_code, app.settings)
                    text = f"{text}\n\n{unreachable_line(unreachable, who.locale)}"
                media = (
                    await police_media(session, app.media, week, who.locale)
                    if who.audience == "police"
                    else ()
                )
                pending.append(
                    _row(
                        key,
                        Reply(text, media=media),
                        now,
                        not_before,
                        ward_code,
                        moment,
                        channel=who.channel,
                        chat_id=who.chat_id,
                        person_id=who.person_id,
                        via=who.via,
                    )
                )
                queued += await _flush(session, pending)
            queued += await _flush(session, pending, force=True)
    if queued:
        log.info("weekly digest queued", extra={"ward": ward_code, "messages": queued})
    return queued


def _row(
    key: str,
    reply: Reply,
    now: datetime,
    not_before: datetime,
    ward_code: int,
    moment: datetime,
    *,
    channel: str,
    chat_id: str,
    person_id: int | None = None,
    linked_chat_id: int | None = None,
    via: str | None = None,
) -> dict[str, Any]:
    """One digest push, for the outbox writer's batched insert."""
    return pending_row(
        reply,
        kind="digest",
        channel=channel,
        chat_id=chat_id,
        person_id=person_id,
        linked_chat_id=linked_chat_id,
        priority=Priority.ROUTINE,
        dedupe_key=key,
        not_before=not_before,
        source_kind="digest",
        source_id=f"{ward_code}:{local(moment).date().isoformat()}",
        now=now,
        via=via,
    )


def unreachable_line(count: int, locale: str) -> str:
    """The ward admin's line on the people no push reaches (bot.digest.audience.unreachable_count)."""
    with use_locale(locale):
        if not count:
            return _("Every resident can be reached on at least one channel.")
        return _(
            "Residents reachable on no channel: {n}. They hear alerts only from their group leader; ask them "
            "to write to the bot on Zalo, Telegram or the web chat."
        ).format(n=fmt_number(count))


async def _flush(session: AsyncSession, pending: list[dict[str, Any]], force: bool = False) -> int:
    """Commit a chunk of rows: what is committed survives a crash, and the rerun skips its keys."""
    if not pending or (len(pending) < CHUNK and not force):
        return 0
    count = len(pending)
    await write_chunk(session, pending)
    pending.clear()
    return count


async def write_chunk(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await enqueue_rows(session, rows)  # one batched insert through the outbox writer
    await session.commit()
