"""Storing a confirmed alert and writing its deliveries to the outbox, all in the caller's transaction.

Every resident in scope gets one row on their push channel, rendered in their language; every linked community
chat of the groups in scope gets one row in the ward's language. Dedupe keys make a second release a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.db import execute
from bot.delivery.outbox import enqueue_to_chat, enqueue_to_people
from bot.delivery.quiet import quiet_until
from bot.i18n import current_locale, use_locale
from bot.settings import Settings
from bot.textnorm import fold
from handlers.alerts.identifiers import classify, identifiers_of
from handlers.alerts.places import groups_in_scope, ward_of
from handlers.alerts.render import fields_of, render
from models import LinkedChat, Person, Priority, RoleGrant
from models.alerts import Alert, AlertIdentifier, AlertStatus, AlertTarget

SOURCE = "alert"
PRIORITY = {"urgent": Priority.URGENT, "important": Priority.IMPORTANT, "info": Priority.ROUTINE}


async def store(session: AsyncSession, draft: dict[str, Any], author_id: int, send_at: datetime) -> Alert:
    """Create the alert, its targets and its identifiers from a confirmed compose draft."""
    ward = await ward_of(session, draft["ward_code"])
    watch_for = "\n".join(draft.get("watch_for") or [])
    alert = Alert(
        ward_code=ward.code,
        province_code=ward.province_code,
        author_person_id=author_id,
        author_role=draft["author_role"],
        issuer=draft["issuer"],
        category=draft["category"],
        severity=draft["severity"],
        title=draft["title"],
        body=draft["body"],
        photo_ref=draft.get("photo"),
        link=draft.get("link"),
        watch_for=watch_for,
        search_folded=fold(f"{draft['title']} {draft['body']}"),
        scope=draft["scope"],
        verification_code=draft.get("code"),
        send_at=send_at,
        status=AlertStatus.SCHEDULED,
    )
    session.add(alert)
    await session.flush()
    assert alert.id is not None
    for area_id in draft.get("area_ids") or []:
        session.add(AlertTarget(alert_id=alert.id, area_id=area_id))
    for group_id in draft.get("group_ids") or []:
        session.add(AlertTarget(alert_id=alert.id, group_id=group_id))
    found = identifiers_of(alert.title, alert.body, alert.link or "")
    found |= {pair for pair in (classify(line) for line in draft.get("watch_for") or []) if pair is not None}
    for kind, value in sorted(found):
        session.add(
            AlertIdentifier(alert_id=alert.id, kind=kind, value=value, province_code=ward.province_code)
        )
    await session.flush()
    return alert


async def recipients(session: AsyncSession, alert: Alert) -> list[Person]:
    """People with a role in the alert's place (never its author); muted information alerts skip those who muted."""
    grants = select(RoleGrant.person_id).where(
        RoleGrant.ward_code == alert.ward_code, col(RoleGrant.revoked_at).is_(None)
    )
    if alert.scope != "ward":
        targets = (await session.exec(select(AlertTarget).where(AlertTarget.alert_id == alert.id))).all()
        area_ids = [t.area_id for t in targets if t.area_id is not None]
        group_ids = await groups_in_scope(session, alert)
        grants = grants.where(
            or_(
                col(RoleGrant.group_id).in_(group_ids),
                and_(col(RoleGrant.group_id).is_(None), col(RoleGrant.area_id).in_(area_ids)),
            )
        )
    query = select(Person).where(col(Person.id).in_(grants), col(Person.id) != alert.author_person_id)
    if alert.author_person_id is None:
        query = select(Person).where(col(Person.id).in_(grants))
    if alert.severity == "info":
        query = query.where(col(Person.mute_info_alerts).is_(False))
    return list((await session.exec(query.order_by(col(Person.id)))).all())


async def release(session: AsyncSession, settings: Settings, alert: Alert) -> tuple[int, int]:
    """Write the alert's deliveries (once: the status moves from scheduled to sent atomically).

    Returns how many people and how many group chats it was queued for.
    """
    claimed = await execute(
        session,
        update(Alert)
        .where(col(Alert.id) == alert.id, col(Alert.status) == AlertStatus.SCHEDULED)
        .values(status=AlertStatus.SENT, released_at=clock.now()),
    )
    if not claimed.rowcount:
        return 0, 0  # released by another run, or cancelled
    await session.refresh(alert)
    now = clock.now()
    # Only urgent alerts may wake people; the rest wait for the end of quiet hours.
    not_before = now if alert.severity == "urgent" else (quiet_until(now, settings.quiet_hours) or now)
    fields = fields_of(alert)
    rendered: dict[str, Reply] = {}

    def in_locale() -> Reply:
        locale = current_locale()
        if locale not in rendered:
            rendered[locale] = render(fields, alert.id)
        return rendered[locale]

    common = dict(
        kind=SOURCE,
        priority=PRIORITY[alert.severity],
        not_before=not_before,
        source_kind=SOURCE,
        source_id=str(alert.id),
    )
    queued = await enqueue_to_people(
        session,
        await recipients(session, alert),
        in_locale,
        dedupe_key=lambda person: f"alert:{alert.id}:person:{person.id}",
        **common,  # type: ignore[arg-type]
    )
    people = len(queued)
    group_ids = await groups_in_scope(session, alert)
    chats = (
        await session.exec(
            select(LinkedChat).where(
                LinkedChat.ward_code == alert.ward_code,
                LinkedChat.purpose == "community",
                col(LinkedChat.group_id).in_(group_ids),
                col(LinkedChat.unreachable_at).is_(None),
            )
        )
    ).all()
    with use_locale(settings.default_locale):
        chat_reply = render(fields, alert.id)
    for chat in chats:
        enqueue_to_chat(session, chat, chat_reply, dedupe_key=f"alert:{alert.id}:chat:{chat.id}", **common)  # type: ignore[arg-type]
    await session.flush()
    return people, len(chats)


async def due(session: AsyncSession) -> list[Alert]:
    """Scheduled alerts whose time has come."""
    rows = await session.exec(
        select(Alert)
        .where(Alert.status == AlertStatus.SCHEDULED, col(Alert.send_at) <= clock.now())
        .order_by(col(Alert.send_at), col(Alert.id))
    )
    return list(rows.all())
