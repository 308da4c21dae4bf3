"""Storing a confirmed alert and writing its deliveries to the outbox, all in the caller's transaction.

Every resident in scope gets one row on their push channel, rendered in their language; every linked community
chat of the groups in scope gets one row in the ward's language. Dedupe keys make a second release a no-op.
A resident no channel can reach gets a row too, already "not reached", so nobody is silently missed; the sender
moves a row along the person's other channels and the Zalo fallbacks (bot.delivery.reach).

For an urgent alert, `unreached_tick` gives each group leader, once and after `zalo_reach_leader_minutes`, the
residents of their group it has not reached (their name, or their household's address): only to them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.db import execute
from bot.delivery.outbox import enqueue_reaching, enqueue_to_chat, enqueue_to_people
from bot.delivery.quiet import quiet_until
from bot.i18n import _, current_locale, use_locale
from bot.settings import Settings
from bot.textnorm import fold
from handlers.alerts.identifiers import classify, identifiers_of
from handlers.alerts.places import groups_in_scope, ward_of
from handlers.alerts.render import fields_of, render
from models import Household, LinkedChat, OutboxMessage, OutboxStatus, Person, Priority, Role, RoleGrant
from models.alerts import Alert, AlertIdentifier, AlertStatus, AlertTarget
from models.pledges import HouseholdMember

if TYPE_CHECKING:
    from bot.app import App

SOURCE = "alert"
UNREACHED = "alert_unreached"  # the leaders' lists: a source of their own, never counted as the alert's
UNREACHED_LOOKBACK = timedelta(hours=2)  # alerts this much past their list time are no longer looked at
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
    queued = await enqueue_reaching(
        session,
        settings,
        await recipients(session, alert),
        in_locale,
        dedupe_key=lambda person: f"alert:{alert.id}:person:{person.id}",
        **common,  # type: ignore[arg-type]
    )
    people = sum(1 for row in queued if row.status == OutboxStatus.PENDING)
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


# Who was reached, per group ---------------------------------------------------------------------------------
async def person_groups(session: AsyncSession, ward_code: int, person_ids: set[int]) -> dict[int, int]:
    """{person: their group in the ward} for those placed in a group (the first grant naming one)."""
    if not person_ids:
        return {}
    rows = await session.exec(
        select(RoleGrant.person_id, RoleGrant.group_id)
        .where(
            RoleGrant.ward_code == ward_code,
            col(RoleGrant.revoked_at).is_(None),
            col(RoleGrant.group_id).is_not(None),
            col(RoleGrant.person_id).in_(person_ids),
        )
        .order_by(col(RoleGrant.id))
    )
    found: dict[int, int] = {}
    for person_id, group_id in rows.all():
        if group_id is not None:
            found.setdefault(person_id, group_id)
    return found


def _state(status: str) -> str | None:
    if status == OutboxStatus.SENT:
        return "reached"
    if status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
        return "trying"
    if status == OutboxStatus.CANCELLED:
        return None
    return "not_reached"


async def reach_by_group(session: AsyncSession, alert: Alert) -> dict[int | None, dict[str, int]]:
    """{group (None: not in a group): {"reached", "trying", "not_reached", "chats_reached", "chats_not"}}."""
    rows = (
        await session.exec(
            select(OutboxMessage.person_id, OutboxMessage.linked_chat_id, OutboxMessage.status).where(
                OutboxMessage.source_kind == SOURCE, OutboxMessage.source_id == str(alert.id)
            )
        )
    ).all()
    groups = await person_groups(session, alert.ward_code, {p for p, _c, _s in rows if p is not None})
    chat_ids = {c for _p, c, _s in rows if c is not None}
    chat_groups: dict[int, int | None] = {}
    if chat_ids:
        for chat in (await session.exec(select(LinkedChat).where(col(LinkedChat.id).in_(chat_ids)))).all():
            if chat.id is not None:
                chat_groups[chat.id] = chat.group_id
    out: dict[int | None, dict[str, int]] = defaultdict(
        lambda: {"reached": 0, "trying": 0, "not_reached": 0, "chats_reached": 0, "chats_not": 0}
    )
    for person_id, chat_id, status in rows:
        state = _state(status)
        if state is None:
            continue
        if chat_id is not None:
            out[chat_groups.get(chat_id)]["chats_reached" if state == "reached" else "chats_not"] += 1
        elif person_id is not None:
            out[groups.get(person_id)][state] += 1
    return dict(out)


# The leaders' lists of who an urgent alert did not reach -----------------------------------------------------
def unreached_line(person: Person, address: str | None) -> str:
    """How the leader knows them: their name and household address, whichever the bot has."""
    name = (person.display_name or "").strip()
    if name and address:
        return f"{name} ({address})"
    return name or address or _("a resident without a name or address on file")


async def unreached_of(session: AsyncSession, alert: Alert) -> dict[int, list[str]]:
    """{group: lines} of the residents the alert has not reached yet (not sent, not cancelled)."""
    rows = (
        await session.exec(
            select(OutboxMessage.person_id).where(
                OutboxMessage.source_kind == SOURCE,
                OutboxMessage.source_id == str(alert.id),
                col(OutboxMessage.person_id).is_not(None),
                col(OutboxMessage.status).not_in([OutboxStatus.SENT, OutboxStatus.CANCELLED]),
            )
        )
    ).all()
    missing = {int(p) for p in rows if p is not None}
    groups = await person_groups(session, alert.ward_code, missing)
    if not groups:
        return {}
    people = {
        p.id: p
        for p in (await session.exec(select(Person).where(col(Person.id).in_(set(groups))))).all()
        if p.id is not None
    }
    addresses: dict[int, str] = {}
    for person_id, address in (
        await session.exec(
            select(HouseholdMember.person_id, Household.address)
            .join(Household, col(Household.id) == HouseholdMember.household_id)
            .where(col(HouseholdMember.person_id).in_(set(groups)))
        )
    ).all():
        addresses.setdefault(person_id, address)
    out: dict[int, list[str]] = defaultdict(list)
    for person_id, group_id in sorted(groups.items()):
        person = people.get(person_id)
        if person is not None:
            out[group_id].append(unreached_line(person, addresses.get(person_id)))
    return dict(out)


def unreached_text(alert: Alert, lines: list[str]) -> str:
    head = _(
        'The urgent alert "{title}" has not reached these {n} residents of your group. Please tell them in '
        "person or by phone. This list is only for you."
    ).format(title=alert.title, n=len(lines))
    return "\n".join([head, *(f"• {line}" for line in lines)])


async def send_unreached(session: AsyncSession, alert: Alert) -> int:
    """Queue each group leader's list for one urgent alert (once: dedupe keys); returns how many were queued."""
    by_group = await unreached_of(session, alert)
    if not by_group:
        return 0
    leaders = (
        await session.exec(
            select(RoleGrant.group_id, Person)
            .join(Person, col(Person.id) == RoleGrant.person_id)
            .where(
                RoleGrant.role == Role.GROUP_ADMIN,
                col(RoleGrant.revoked_at).is_(None),
                col(RoleGrant.group_id).in_(set(by_group)),
            )
        )
    ).all()
    queued = 0
    for group_id, leader in leaders:
        if group_id is None:
            continue
        lines = by_group[group_id]
        key = f"alert:{alert.id}:unreached:g{group_id}:p{leader.id}"
        if (await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))).first():
            continue
        rows = await enqueue_to_people(
            session,
            [leader],
            lambda lines=lines: _reply(alert, lines),  # type: ignore[misc]
            kind=UNREACHED,
            priority=Priority.URGENT,
            dedupe_key=lambda _person, key=key: key,  # type: ignore[misc]
            source_kind=UNREACHED,
            source_id=str(alert.id),
        )
        queued += len(rows)
    return queued


def _reply(alert: Alert, lines: list[str]) -> Reply:
    return Reply(unreached_text(alert, lines))


async def unreached_tick(app: App) -> None:
    """Urgent alerts released `zalo_reach_leader_minutes` ago (and not long before): their leaders' lists."""
    now = clock.now()
    due = now - timedelta(minutes=app.settings.zalo_reach_leader_minutes)
    async with app.db.session() as session:
        alerts = (
            await session.exec(
                select(Alert).where(
                    Alert.severity == "urgent",
                    Alert.status == AlertStatus.SENT,
                    col(Alert.released_at) <= due,
                    col(Alert.released_at) > due - UNREACHED_LOOKBACK,
                )
            )
        ).all()
        for alert in alerts:
            await send_unreached(session, alert)
            await session.commit()
