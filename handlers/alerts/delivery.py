"""Storing a confirmed alert and writing its deliveries to the outbox, all in the caller's transaction.

Every resident in scope gets one row on their push channel, rendered in their language; every linked community
chat of the groups in scope gets one row in the ward's language. Dedupe keys make a second release a no-op.
A resident no channel can reach gets a row too, already "not reached", so nobody is silently missed; the sender
moves a row along the person's other channels and the Zalo fallbacks (bot.delivery.reach).

Once an alert's sending is done (an urgent one: `zalo_reach_leader_minutes` after it started, tries or not),
`unreached_tick` gives each group leader, once, the residents of their group it has not reached (their name, or
their household's address), to tell them in person; the police who wrote it get those no leader is given.
Nobody else gets these lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, update
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
from handlers.common import group_label
from models import Household, LinkedChat, OutboxMessage, OutboxStatus, Person, Priority, Role, RoleGrant
from models.alerts import Alert, AlertIdentifier, AlertStatus, AlertTarget
from models.base import pk
from models.outbox import DeliveryAttempt
from models.pledges import HouseholdMember

if TYPE_CHECKING:
    from bot.app import App

SOURCE = "alert"
UNREACHED = "alert_unreached"  # the leaders' lists: a source of their own, never counted as the alert's
UNREACHED_LOOKBACK = timedelta(hours=2)  # alerts this much past their list time are no longer looked at
LIST_WAIT_MAX = timedelta(hours=24)  # a try that never ends holds a list back no longer than this
QUIET_MAX = timedelta(hours=24)  # quiet hours delay the start of a sending by less than this
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
    """People with a role in the alert's place (never its author); muted information alerts skip those who muted.

    A police grant does not make its holder a recipient: the ward's police issue its alerts and follow each of
    them in /canhbao, so an officer is neither sent a copy nor counted as a resident of no group it reached. An
    officer who also lives in a group of the place receives it there, as a resident.
    """
    grants = select(RoleGrant.person_id).where(
        RoleGrant.ward_code == alert.ward_code,
        col(RoleGrant.revoked_at).is_(None),
        RoleGrant.role != Role.POLICE,
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


# The lists of who an alert did not reach ---------------------------------------------------------------------
@dataclass(frozen=True)
class Missed:
    """A resident an alert has not reached, as their group leader knows them."""

    line: str
    trying: bool  # still being tried: an urgent alert's list goes before every try is over


def unreached_line(person: Person, address: str | None) -> str:
    """How the leader knows them: their name and household address, whichever the bot has."""
    name = (person.display_name or "").strip()
    if name and address:
        return f"{name} ({address})"
    return name or address or _("a resident without a name or address on file")


async def _addresses(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for person_id, address in (
        await session.exec(
            select(HouseholdMember.person_id, Household.address)
            .join(Household, col(Household.id) == HouseholdMember.household_id)
            .where(col(HouseholdMember.person_id).in_(person_ids))
        )
    ).all():
        found.setdefault(person_id, address)
    return found


async def unreached_of(session: AsyncSession, alert: Alert) -> dict[int | None, list[Missed]]:
    """{group (None: not in a group): residents} the alert has not reached (yet): every row not sent, not
    cancelled. Read from the rows as they are now, so a message held and then sent once the person wrote again
    is not listed."""
    rows = (
        await session.exec(
            select(OutboxMessage.person_id, OutboxMessage.status).where(
                OutboxMessage.source_kind == SOURCE,
                OutboxMessage.source_id == str(alert.id),
                col(OutboxMessage.person_id).is_not(None),
                col(OutboxMessage.status).not_in([OutboxStatus.SENT, OutboxStatus.CANCELLED]),
            )
        )
    ).all()
    missing = {int(p): _state(status) == "trying" for p, status in rows if p is not None}
    if not missing:
        return {}
    groups = await person_groups(session, alert.ward_code, set(missing))
    people = (await session.exec(select(Person).where(col(Person.id).in_(set(missing))))).all()
    addresses = await _addresses(session, set(missing))
    out: dict[int | None, list[Missed]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.id or 0):
        assert person.id is not None  # a stored row
        line = unreached_line(person, addresses.get(person.id))
        out[groups.get(person.id)].append(Missed(line, missing[person.id]))
    return dict(out)


def sending_starts(alert: Alert, settings: Settings) -> datetime:
    """When the alert's deliveries could first go out: its release, or for a non-urgent alert the end of the
    night's quiet hours (as `release` sets it)."""
    released = alert.released_at or alert.send_at
    if alert.severity == "urgent":
        return released
    return quiet_until(released, settings.quiet_hours) or released


async def _last_try(session: AsyncSession, alert: Alert) -> tuple[int, datetime | None]:
    """(residents still being tried, when the latest try of any delivery ended)."""
    trying = (
        await session.exec(
            select(func.count()).where(
                OutboxMessage.source_kind == SOURCE,
                OutboxMessage.source_id == str(alert.id),
                col(OutboxMessage.person_id).is_not(None),
                col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            )
        )
    ).one()
    last = (
        await session.exec(
            select(func.max(DeliveryAttempt.at)).where(
                DeliveryAttempt.source_kind == SOURCE, DeliveryAttempt.source_id == str(alert.id)
            )
        )
    ).one()
    return int(trying or 0), last


async def list_time(session: AsyncSession, settings: Settings, alert: Alert) -> datetime | None:
    """When the lists of who the alert did not reach are due; None while its sending is not done.

    An urgent alert's lists go `zalo_reach_leader_minutes` after it started, tries or not: someone must knock
    on the door now. Any other alert's go once its sending is done (no try left), and no earlier than that; a
    try that never ends holds them back at most LIST_WAIT_MAX.
    """
    due = sending_starts(alert, settings) + timedelta(minutes=settings.zalo_reach_leader_minutes)
    if alert.severity == "urgent":
        return due
    trying, last = await _last_try(session, alert)
    if trying:
        return due + LIST_WAIT_MAX if clock.now() >= due + LIST_WAIT_MAX else None
    return max(due, as_utc(last)) if last is not None else due


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _bullets(missed: list[Missed], label: str = "") -> list[str]:
    out = []
    for one in missed:
        line = f"{label}: {one.line}" if label else one.line
        out.append("• " + (_("{line} (still being tried)").format(line=line) if one.trying else line))
    return out


def leader_text(alert: Alert, missed: list[Missed]) -> str:
    head = _(
        'The alert "{title}" has not reached these {n} residents of your group. Please tell them in person or '
        "by phone. This list is only for you."
    ).format(title=alert.title, n=len(missed))
    return "\n".join([head, *_bullets(missed)])


def author_text(alert: Alert, lines: list[str]) -> str:
    head = _(
        'Your alert "{title}" has not reached these {n} residents, and no group leader has their names. Please '
        "have them told in person or by phone. This list is only for you."
    ).format(title=alert.title, n=len(lines))
    return "\n".join([head, *lines])


async def _queue_list(
    session: AsyncSession, alert: Alert, person: Person, key: str, text: Callable[[], str]
) -> int:
    """Queue one list to one person, once (its dedupe key); returns how many rows were written."""
    if (await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))).first():
        return 0
    rows = await enqueue_to_people(
        session,
        [person],
        lambda: Reply(text()),
        kind=UNREACHED,
        priority=Priority.URGENT if alert.severity == "urgent" else Priority.IMPORTANT,
        dedupe_key=lambda _person: key,
        source_kind=UNREACHED,
        source_id=str(alert.id),
    )
    return len(rows)


async def _leaders(session: AsyncSession, group_ids: set[int]) -> list[tuple[int, Person]]:
    rows = await session.exec(
        select(RoleGrant.group_id, Person)
        .join(Person, col(Person.id) == RoleGrant.person_id)
        .where(
            RoleGrant.role == Role.GROUP_ADMIN,
            col(RoleGrant.revoked_at).is_(None),
            col(RoleGrant.group_id).in_(group_ids),
        )
    )
    return [(group_id, leader) for group_id, leader in rows.all() if group_id is not None]


async def is_ward_police(session: AsyncSession, person_id: int, ward_code: int) -> bool:
    """Whether the person still serves as police of the ward: only then do they see the ward's names."""
    found = await session.exec(
        select(RoleGrant.id).where(
            RoleGrant.person_id == person_id,
            RoleGrant.ward_code == ward_code,
            RoleGrant.role == Role.POLICE,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return found.first() is not None


async def send_unreached(session: AsyncSession, alert: Alert) -> int:
    """Queue the lists of one alert (once each: dedupe keys); returns how many were queued.

    Each leader of a group gets their group's residents. The author, while police of the ward, gets those no
    leader is given: residents of a group without a leader, and those in no group. Only names and addresses:
    never why a channel failed.
    """
    by_group = await unreached_of(session, alert)
    if not by_group:
        return 0
    queued = 0
    leaders = await _leaders(session, {g for g in by_group if g is not None})
    for group_id, leader in leaders:
        missed = by_group[group_id]
        key = f"alert:{alert.id}:unreached:g{group_id}:p{leader.id}"
        queued += await _queue_list(session, alert, leader, key, lambda m=missed: leader_text(alert, m))  # type: ignore[misc]
    led = {group_id for group_id, _leader in leaders}
    author = await session.get(Person, alert.author_person_id) if alert.author_person_id else None
    if author is None or not await is_ward_police(session, pk(author), alert.ward_code):
        return queued
    lines: list[str] = []
    for place, unled in sorted(by_group.items(), key=lambda item: item[0] or 0):
        if place not in led:
            label = await group_label(session, place) if place is not None else ""
            lines += _bullets(unled, label)
    if lines:
        key = f"alert:{alert.id}:unreached:author:p{author.id}"
        queued += await _queue_list(session, alert, author, key, lambda: author_text(alert, lines))
    return queued


async def unreached_tick(app: App) -> None:
    """Alerts whose lists are due (and not long past): queue them."""
    now = clock.now()
    settings = app.settings
    oldest = now - timedelta(minutes=settings.zalo_reach_leader_minutes) - LIST_WAIT_MAX - QUIET_MAX
    async with app.db.session() as session:
        alerts = (
            await session.exec(
                select(Alert).where(Alert.status == AlertStatus.SENT, col(Alert.released_at) > oldest)
            )
        ).all()
        for alert in alerts:
            when = await list_time(session, settings, alert)
            if when is not None and now - UNREACHED_LOOKBACK < as_utc(when) <= now:
                await send_unreached(session, alert)
                await session.commit()
