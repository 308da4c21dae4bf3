"""What the places feature holds about a person: the groups they joined by a join link, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.i18n import _, fmt_date
from handlers.places.store import group_label
from models import Group, GroupJoin, Person


async def export_joins(session: AsyncSession, person: Person) -> dict[str, Any]:
    rows = (
        await session.exec(
            select(GroupJoin, Group)
            .join(Group, col(Group.id) == col(GroupJoin.group_id))
            .where(GroupJoin.person_id == person.id)
            .order_by(col(GroupJoin.id))
        )
    ).all()
    if not rows:
        return {}
    return {
        "joined_by_link": [
            {"group": await group_label(session, group), "joined_at": join.joined_at} for join, group in rows
        ]
    }


async def erase_joins(session: AsyncSession, person: Person) -> list[str]:
    # The link's use count stays: it says how many joined, not who.
    await execute(session, delete(GroupJoin).where(col(GroupJoin.person_id) == person.id))
    return []


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: the groups joined by a join link, and when."""
    joins = (await export_joins(session, person)).get("joined_by_link", [])
    if not joins:
        return []
    return [
        _("Groups you joined by a join link: {groups}.").format(
            groups="; ".join(
                _("{group} ({when})").format(group=j["group"], when=fmt_date(j["joined_at"])) for j in joins
            )
        )
    ]
