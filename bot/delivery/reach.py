"""Reaching a person: the order their pushes try, which Zalo sends are allowed now, and the trail of attempts.

Each push to a person tries, in order: their preferred channel, their other linked channels (most recently used
first), then the Zalo fallbacks that are configured. A Zalo OA identity is sent a consultation message ("cs")
while the person is inside the OA's window (they wrote within `zalo_oa_window_days`), and beyond it, when the OA
holds the permission (`zalo_oa_promotion_enabled`), a promotion message: alerts and digests only, in the allowed
hours, at most `zalo_oa_promotion_daily_cap` a day per follower, while the OA has quota. Last comes ZNS (by the
phone number the person gave for it, `models.ZnsConsent`) for urgent alerts and tip notices, when a template is
configured for that kind.

The outbox row keeps one route at a time (`channel`, `chat_id`, `via`); when a route turns out unreachable the
sender moves the row to the next step (`next_step`), so a push is one row per person however many ways were
tried, and every try is a `DeliveryAttempt`. A step that cannot go now (night, today's promotion used) is taken
only when no later step can go at once, and then the row waits for it: nobody is silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.channels.zalo_oa.api import is_window_reason
from bot.i18n import _, local, zone
from models import ChannelIdentity, Person, Priority, Role, RoleGrant
from models.outbox import DeliveryAttempt
from models.zalo import ZaloQuota, ZnsConsent

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

MESSAGE, CS, PROMOTION, ZNS, GROUP = "message", "cs", "promotion", "zns", "group"
ZALO_OA = "zalo_oa"
ZNS_CHAT_PREFIX = "zns:"  # the chat id of a ZNS step: the person, whose sealed phone is opened at send time
PROMOTION_KINDS = frozenset({"alert", "digest"})  # what may go out as a promotion message
PHONE_PURPOSE = "zns-phone"
QUOTA_RECHECK = timedelta(hours=6)  # an exhausted kind is tried again after this (Zalo tops quotas up)


@dataclass(frozen=True)
class Step:
    channel: str
    chat_id: str
    via: str


def via_of(channel: str) -> str:
    return CS if channel == ZALO_OA else MESSAGE


def zns_template(settings: Settings, kind: str, priority: int) -> str | None:
    """The approved ZNS template for this kind of push, if ZNS is configured for it."""
    if kind == "alert" and priority == Priority.URGENT:
        return settings.zalo_zns_urgent_alert_template
    if kind == "tip_notice":
        return settings.zalo_zns_tip_reply_template
    return None


# [U] A template's parameters are named when it is submitted to Zalo for approval; ours are these. The tip
# notice carries none: never the tip's content, only "you have a new reply, open An Dân".
ZNS_TITLE_PARAM = "title"
ZNS_PARAM_LIMIT = 100


def zns_data(kind: str, reply: Any) -> dict[str, str]:
    """The template data of a ZNS message: an urgent alert's first line (its title), nothing for a tip notice."""
    if kind != "alert":
        return {}
    # An alert's text is its severity line, then its title (handlers.alerts.render).
    lines = [line.strip() for line in (getattr(reply, "text", "") or "").strip().splitlines()]
    title = lines[1] if len(lines) > 1 and lines[1] else (lines[0] if lines else "")
    return {ZNS_TITLE_PARAM: title[:ZNS_PARAM_LIMIT]}


def zalo_oa_on(settings: Settings) -> bool:
    return bool(settings.zalo_oa_app_id)


def uses_fallbacks(settings: Settings) -> bool:
    return zalo_oa_on(settings) and bool(
        settings.zalo_oa_promotion_enabled
        or settings.zalo_zns_urgent_alert_template
        or settings.zalo_zns_tip_reply_template
    )


def inside_window(identity: ChannelIdentity, settings: Settings, now: datetime) -> bool:
    """Whether the OA may still send this follower consultation messages. An identity never used (no time yet)
    counts as inside: the platform says otherwise with -230, which is recorded."""
    seen = identity.last_interaction_at
    return seen is None or now - seen < timedelta(days=settings.zalo_oa_window_days)


async def plans(
    session: AsyncSession,
    settings: Settings,
    people: Sequence[Person],
    kind: str,
    priority: int,
    now: datetime | None = None,
) -> dict[int, list[Step]]:
    """The ordered steps of every person (people with none have an empty list), in a few queries."""
    now = now or clock.now()
    ids = [p.id for p in people if p.id is not None]
    preferred = {p.id: p.preferred_identity_id for p in people}
    out: dict[int, list[Step]] = {pid: [] for pid in ids}
    if not ids:
        return out
    found: dict[int, list[ChannelIdentity]] = {pid: [] for pid in ids}
    consents: set[int] = set()
    template = zns_template(settings, kind, priority) if zalo_oa_on(settings) else None
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = await session.exec(
            select(ChannelIdentity)
            .where(col(ChannelIdentity.person_id).in_(chunk))
            .order_by(
                col(ChannelIdentity.last_interaction_at).desc().nulls_last(), col(ChannelIdentity.id).desc()
            )
        )
        for identity in rows.all():
            found[identity.person_id].append(identity)
        if template:
            consents |= set(
                (
                    await session.exec(
                        select(ZnsConsent.person_id).where(col(ZnsConsent.person_id).in_(chunk))
                    )
                ).all()
            )
    promote = zalo_oa_on(settings) and settings.zalo_oa_promotion_enabled and kind in PROMOTION_KINDS
    for pid, identities in found.items():
        ordered = sorted(identities, key=lambda i: i.id != preferred.get(pid))  # stable: recency kept
        steps = out[pid]
        for identity in ordered:
            if identity.unreachable_at is not None:
                continue
            if identity.channel == ZALO_OA and not inside_window(identity, settings, now):
                continue
            steps.append(Step(identity.channel, identity.chat_id, via_of(identity.channel)))
        if promote:
            for identity in ordered:
                if identity.channel == ZALO_OA and (
                    identity.unreachable_at is None or is_window_reason(identity.unreachable_reason)
                ):
                    steps.append(Step(ZALO_OA, identity.chat_id, PROMOTION))
        if template and pid in consents:
            steps.append(Step(ZALO_OA, f"{ZNS_CHAT_PREFIX}{pid}", ZNS))
    return out


# Whether a step may go now ---------------------------------------------------------------------------------
def parse_hours(spec: str) -> tuple[time, time]:
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    return start, end


def hours_open_at(moment: datetime, spec: str) -> datetime:
    """`moment` when it falls in the allowed hours, else when they next open (aware, in UTC)."""
    start, end = parse_hours(spec)
    here = local(moment)
    now_t = here.timetz().replace(tzinfo=None)
    inside = (start <= now_t < end) if start < end else (now_t >= start or now_t < end)
    if inside:
        return moment
    day = here.date() if now_t < start else here.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone()).astimezone(moment.tzinfo)


def day_start(moment: datetime) -> datetime:
    here = local(moment)
    return datetime.combine(here.date(), time(0, 0), tzinfo=zone()).astimezone(moment.tzinfo)


async def exhausted(session: AsyncSession, now: datetime) -> dict[str, datetime]:
    """{kind: until} of the Zalo send kinds out of quota now."""
    rows = await session.exec(select(ZaloQuota).where(col(ZaloQuota.resume_at) > now))
    return {row.kind: row.resume_at for row in rows.all()}


async def available_at(
    session: AsyncSession,
    settings: Settings,
    step: Step,
    person_id: int | None,
    now: datetime,
    out_of_quota: dict[str, datetime],
) -> datetime | None:
    """When this step may be tried: now, a later moment, or None (not while its kind is out of quota)."""
    if step.channel == ZALO_OA and step.via in out_of_quota:
        return None
    if step.via != PROMOTION:
        return now
    opens = hours_open_at(now, settings.zalo_oa_promotion_hours)
    if person_id is not None and settings.zalo_oa_promotion_daily_cap >= 0:
        today = day_start(opens)
        sent = (
            await session.exec(
                select(func.count()).where(
                    DeliveryAttempt.person_id == person_id,
                    DeliveryAttempt.via == PROMOTION,
                    DeliveryAttempt.outcome == "sent",
                    col(DeliveryAttempt.at) >= today,
                )
            )
        ).one()
        if int(sent) >= settings.zalo_oa_promotion_daily_cap:
            opens = hours_open_at(today + timedelta(days=1, hours=1), settings.zalo_oa_promotion_hours)
    return opens


async def tried(session: AsyncSession, outbox_id: int) -> set[tuple[str, str, str]]:
    rows = await session.exec(
        select(DeliveryAttempt.channel, DeliveryAttempt.via, DeliveryAttempt.outcome).where(
            DeliveryAttempt.outbox_id == outbox_id
        )
    )
    return {(c or "", v or "", o) for c, v, o in rows.all()}


async def next_step(
    session: AsyncSession,
    settings: Settings,
    *,
    outbox_id: int,
    person_id: int,
    kind: str,
    priority: int,
    done: Iterable[Step],
    now: datetime | None = None,
) -> tuple[Step, datetime] | None:
    """The step this row moves to after the ones in `done` (and those already tried) failed, and when it may go;
    None when nothing is left: the person was not reached."""
    now = now or clock.now()
    person = await session.get(Person, person_id)
    if person is None:
        return None
    steps = (await plans(session, settings, [person], kind, priority, now)).get(person_id, [])
    gone = {(s.channel, s.chat_id, s.via) for s in done}
    past = {(c, v) for c, v, o in await tried(session, outbox_id) if o not in ("held", "retry")}
    quota = await exhausted(session, now)
    waiting: tuple[Step, datetime] | None = None
    for step in steps:
        if (step.channel, step.chat_id, step.via) in gone or (step.channel, step.via) in past:
            continue
        when = await available_at(session, settings, step, person_id, now, quota)
        if when is None:
            continue
        if when <= now:
            return step, now
        if waiting is None or when < waiting[1]:
            waiting = (step, when)
    return waiting


# Out of quota ----------------------------------------------------------------------------------------------
async def note_exhausted(session: AsyncSession, kind: str, now: datetime) -> bool:
    """Stop OA sends of `kind` for a while; True when this starts a new episode (the admins are to be told)."""
    row = await session.get(ZaloQuota, kind)
    if row is not None and row.resume_at > now:
        return False
    if row is None:
        row = ZaloQuota(kind=kind, exhausted_at=now, resume_at=now + QUOTA_RECHECK)
    else:
        row.exhausted_at, row.resume_at = now, now + QUOTA_RECHECK
    fresh = row.told_at is None or row.told_at < now - QUOTA_RECHECK * 4
    if fresh:
        row.told_at = now
    session.add(row)
    return fresh


def quota_notice(kind: str) -> str:
    """What the ward admins are told, once, when a kind of Zalo OA send runs out of quota."""
    what = {
        CS: _("consultation messages"),
        PROMOTION: _("promotion messages"),
        ZNS: _("ZNS notifications"),
    }.get(kind, kind)
    return _(
        "The Zalo Official Account is out of quota for {what}. I stopped sending them and am reaching people "
        "another way where I can; those I cannot reach are listed for their group leaders. Top up the OA's "
        "package to resume. You are told this once."
    ).format(what=what)


async def ward_admins(session: AsyncSession) -> list[Person]:
    grants = select(RoleGrant.person_id).where(
        RoleGrant.role == Role.WARD_ADMIN, col(RoleGrant.revoked_at).is_(None)
    )
    return list((await session.exec(select(Person).where(col(Person.id).in_(grants)))).all())


def attempt_row(
    *,
    outbox_id: int,
    person_id: int | None,
    linked_chat_id: int | None,
    source_kind: str | None,
    source_id: str | None,
    channel: str | None,
    via: str | None,
    outcome: str,
    error: str | None,
    at: datetime,
) -> dict[str, Any]:
    """Column values of one DeliveryAttempt, for a batched insert."""
    return dict(
        outbox_id=outbox_id,
        person_id=person_id,
        linked_chat_id=linked_chat_id,
        source_kind=source_kind,
        source_id=source_id,
        channel=channel,
        via=via,
        outcome=outcome,
        error=error[:300] if error else None,
        at=at,
    )
