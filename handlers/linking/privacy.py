"""What the linking feature holds about a person, for /toi and /xoadulieu (declared in router.py): link codes,
the group chats they linked, the phone number they gave for ZNS (flows/zns.py) and the trail of deliveries to
them on their linked channels (bot.delivery.reach)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_date
from models import LinkCode, LinkedChat, Person
from models.outbox import DeliveryAttempt
from models.zalo import ZnsConsent

# Every table of the feature that holds a person's id (checked by a test against the models).
TABLES = (LinkCode, LinkedChat, ZnsConsent, DeliveryAttempt)
DELIVERIES_SHOWN = 200


async def export(session: AsyncSession, person: Person) -> dict[str, object]:
    """A code is a short-lived secret, and a linked group chat belongs to the group, not to the person: neither is
    exported. The phone given for ZNS (when) and the latest deliveries (channel, kind, outcome) are."""
    out: dict[str, object] = {}
    row = await session.get(ZnsConsent, person.id)
    if row is not None:
        out["zns_phone_given_at"] = row.consented_at.isoformat()
    attempts = (
        await session.exec(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.person_id == person.id)
            .order_by(col(DeliveryAttempt.id).desc())
            .limit(DELIVERIES_SHOWN)
        )
    ).all()
    if attempts:
        out["deliveries"] = [
            {"at": a.at.isoformat(), "channel": a.channel, "kind": a.via, "outcome": a.outcome}
            for a in attempts
        ]
    return out


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: what of this feature is held, in sentences (without it /toi named "linked group chats", which most
    people never linked, for a phone number or the trail of their alerts)."""
    lines: list[str] = []
    phone = await session.get(ZnsConsent, person.id)
    if phone is not None:
        lines.append(
            _(
                "Your phone number for Zalo notifications, given on {date}: /sdtzalo shows it, /sdtzalo xoa "
                "erases it."
            ).format(date=fmt_date(phone.consented_at))
        )
    chats = await _count(
        session, select(func.count()).select_from(LinkedChat).where(LinkedChat.linked_by == person.id)
    )
    if chats:
        lines.append(_("Group chats you linked: {n}.").format(n=chats))
    tries = await _count(
        session,
        select(func.count()).select_from(DeliveryAttempt).where(DeliveryAttempt.person_id == person.id),
    )
    if tries:
        lines.append(
            _(
                "A record of {n} sends to you (on which app, and whether they arrived), so that the ward knows "
                "whom an alert did not reach."
            ).format(n=tries)
        )
    return lines


async def _count(session: AsyncSession, statement: Any) -> int:
    return int((await session.exec(statement)).one())


async def erase(session: AsyncSession, person: Person) -> list[str]:
    await execute(session, delete(LinkCode).where(col(LinkCode.person_id) == person.id))
    await unlink(session, person, LinkedChat.linked_by)
    await execute(session, delete(ZnsConsent).where(col(ZnsConsent.person_id) == person.id))
    await execute(session, delete(DeliveryAttempt).where(col(DeliveryAttempt.person_id) == person.id))
    return []
