"""What /me shows and /forget erases of a person's tips: named tips only, since anonymous ones were never linked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.delivery.outbox import open_route
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_datetime
from handlers.tips.texts import category_name, status_for_tipster, status_name
from models import Person, Tip, TipMessage, TipRoute

if TYPE_CHECKING:
    from collections.abc import Collection

    from bot.security import Keyring


async def export_tips(session: AsyncSession, person: Person) -> dict:
    """Named tips only: anonymous ones are not linked to anyone, so they cannot be found or shown here."""
    tips = (await session.exec(select(Tip).where(Tip.person_id == person.id).order_by(col(Tip.id)))).all()
    if not tips:
        return {}
    return {
        "named_tips": [
            {
                "number": t.id,
                "received": fmt_datetime(t.received_at),
                "category": category_name(t.category),
                "status": status_name(t.status),
                "name": t.reporter_name,
                "phone": t.reporter_phone,
                "text": t.text,
            }
            for t in tips
        ]
    }


async def erase_tips(session: AsyncSession, person: Person) -> list[str]:
    """Named tips stay with the police (name and phone as given); only the link to the account goes."""
    count = int(
        (await session.exec(select(func.count()).select_from(Tip).where(Tip.person_id == person.id))).one()
    )
    await execute(session, update(Tip).where(col(Tip.person_id) == person.id).values(person_id=None))
    await execute(session, update(Tip).where(col(Tip.assigned_to) == person.id).values(assigned_to=None))
    await unlink(
        session, person, TipMessage.author_person_id
    )  # an officer's replies stay on the tip, unsigned
    if not count:
        return []
    return [
        _(
            "{n} tips you sent with your name (tố giác) are records handed to the ward police; they keep them as "
            "the law requires, and we cannot erase them. Anonymous tips were never linked to you."
        ).format(n=count)
    ]


async def forget_routes(session: AsyncSession, keyring: Keyring, chats: Collection[tuple[str, str]]) -> int:
    """Drop the sealed reply routes of anonymous tips that lead to these (channel, chat) pairs, the chats of a
    person who erases their data; returns how many. The route is the one thing that still leads from such a tip to
    the tipster: kept, a police question would reach a chat whose owner asked to be forgotten, and could not be
    answered there. The tip itself stays (the police's record), and its view says the tipster can no longer be
    reached through An Dân. Nothing is written on the tip: a note made at once on several tips would tell the police
    that they came from one person. Routes are opened one by one, as bot.delivery.held does (few tips are open)."""
    wanted = set(chats)
    if not wanted:
        return 0
    routes = (await session.exec(select(TipRoute))).all()
    ours = [route for route in routes if open_route(keyring, route.sealed) in wanted]
    for route in ours:
        await session.delete(route)
    return len(ours)


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: the named tips, one sentence; anonymous tips cannot be found, and saying so reassures."""
    tips = (await session.exec(select(Tip).where(Tip.person_id == person.id).order_by(col(Tip.id)))).all()
    if not tips:
        return []
    listed = "; ".join(
        _("no. {number}, {category}, sent {when}, {status}").format(
            number=t.id,
            category=category_name(t.category),
            when=fmt_datetime(t.received_at),
            status=status_for_tipster(t.status),
        )
        for t in tips
    )
    return [
        _("Tips you sent with your name (tố giác): {tips}. Anonymous tips are not linked to you.").format(
            tips=listed
        )
    ]
