"""Year-end reminders: from the day set by ANDAN_REVIEW_REMIND_MONTH/DAY, each ward admin and police officer of a
ward that uses An Dân is told once a year that the review is due (/tongket), and each group leader whose group's
draft they have not opened yet is asked to review it (/xeploai). Idempotent: the outbox's dedupe key is per year
and person, so a catch-up run after downtime sends nothing twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_to_people
from bot.delivery.quiet import quiet_until
from bot.i18n import _, local
from handlers.review import store
from models import Group, Person, RoleGrant

if TYPE_CHECKING:
    from bot.app import App


async def remind(app: App) -> None:
    now = clock.now()
    today = local(now)
    if (today.month, today.day) < (app.settings.review_remind_month, app.settings.review_remind_day):
        return
    if quiet_until(now, app.settings.quiet_hours) is not None:
        return
    async with app.db.session() as session:
        wards = (
            await session.exec(
                select(RoleGrant.ward_code)
                .where(col(RoleGrant.role).in_(list(store.OFFICIALS)), col(RoleGrant.revoked_at).is_(None))
                .distinct()
            )
        ).all()
        for ward in wards:
            await remind_ward(session, int(ward), today.year)
        await session.commit()


async def remind_ward(session: AsyncSession, ward: int, year: int) -> int:
    def official_key(person: Person) -> str:
        return f"review-remind:{ward}:{year}:{person.id}"

    def leader_key(person: Person) -> str:
        return f"review-leader:{ward}:{year}:{person.id}"

    officials = await store.not_yet_sent(session, await store.officials_of(session, ward), official_key)
    sent = len(
        await enqueue_to_people(
            session,
            officials,
            lambda: Reply(
                _(
                    "The year's review {year} is due: see how the groups and areas stand, show the drafts to the group "
                    "leaders and make the recognition file with /tongket."
                ).format(year=year)
            ),
            kind="reminder",
            dedupe_key=official_key,
            source_kind="review_remind",
            source_id=f"{ward}:{year}",
        )
    )
    seen = {gid for gid, row in (await store.ratings(session, ward, year)).items() if row.seen_at is not None}
    groups = [
        int(g)
        for g in (
            await session.exec(
                select(Group.id).where(Group.ward_code == ward, col(Group.retired_at).is_(None))
            )
        ).all()
        if g is not None and g not in seen
    ]
    if groups:
        sent += len(
            await enqueue_to_people(
                session,
                await store.not_yet_sent(session, await store.leaders_of(session, ward, groups), leader_key),
                lambda: Reply(
                    _(
                        "Your group's draft rating for {year} is waiting for you: see what is missing, propose it and "
                        "comment with /xeploai."
                    ).format(year=year)
                ),
                kind="reminder",
                dedupe_key=leader_key,
                source_kind="review_remind",
                source_id=f"{ward}:{year}",
            )
        )
    return sent
