"""Queries and writes the review's screens share: who may see which ward or group, ratings, entries, nominations."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.context import Context
from bot.core.router import Registry
from bot.directory.people import home_grant
from bot.settings import Settings
from handlers.review import criteria, evaluate
from models import Group, OutboxMessage, Person, Role, RoleGrant
from models.review import ReviewEntry, ReviewNomination, ReviewRating

OFFICIALS = {Role.WARD_ADMIN.value, Role.POLICE.value}
LEADERS = {Role.GROUP_ADMIN.value}


async def official_ward(ctx: Context) -> int | None:
    """The ward a ward admin or police officer works for (their most specific grant of those roles)."""
    grant = home_grant([g for g in await ctx.grants() if g.role in OFFICIALS])
    return grant.ward_code if grant else None


async def leader_group(ctx: Context) -> Group | None:
    grant = home_grant([g for g in await ctx.grants() if g.role in LEADERS and g.group_id is not None])
    return await ctx.session.get(Group, grant.group_id) if grant and grant.group_id else None


async def review_of(
    session: AsyncSession, registry: Registry, settings: Settings, ward_code: int, year: int
) -> evaluate.Review:
    await criteria.ensure_year(session, ward_code, year, settings.default_locale)
    return await evaluate.build(session, registry, ward_code, year)


async def rating(session: AsyncSession, ward_code: int, year: int, kind: str, place_id: int) -> ReviewRating:
    found = (
        await session.exec(
            select(ReviewRating).where(
                ReviewRating.ward_code == ward_code,
                ReviewRating.year == year,
                ReviewRating.place_kind == kind,
                ReviewRating.place_id == place_id,
            )
        )
    ).first()
    if found is None:
        found = ReviewRating(ward_code=ward_code, year=year, place_kind=kind, place_id=place_id)
        session.add(found)
        await session.flush()
    return found


async def ratings(
    session: AsyncSession, ward_code: int, year: int, kind: str = "group"
) -> dict[int, ReviewRating]:
    """The year's ratings of one kind of place ("group", "area", "ward") by place id."""
    rows = await session.exec(
        select(ReviewRating).where(
            ReviewRating.ward_code == ward_code, ReviewRating.year == year, ReviewRating.place_kind == kind
        )
    )
    return {r.place_id: r for r in rows.all()}


def record_draft(row: ReviewRating, grade: str | None, reasons: list[str]) -> None:
    """Keep the draft as it stands when shown or seen, so the record says what the leaders saw."""
    if row.final_grade is None:
        row.draft_grade, row.draft_reasons = grade, reasons


async def has_leader(session: AsyncSession, group_id: int) -> bool:
    found = await session.exec(
        select(RoleGrant.id).where(
            RoleGrant.group_id == group_id,
            RoleGrant.role == Role.GROUP_ADMIN,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return found.first() is not None


async def may_decide(session: AsyncSession, row: ReviewRating) -> bool:
    """The final grade is recorded only after the group's leaders saw the draft (or, for a group with no leader,
    after the draft was made available)."""
    if row.seen_at is not None:
        return True
    return row.shown_at is not None and not await has_leader(session, row.place_id)


async def propose_entry(
    session: AsyncSession,
    criterion_id: int,
    ward_code: int,
    kind: str,
    place_id: int,
    met: bool,
    note: str,
    by: int,
) -> ReviewEntry:
    """A new proposal replaces an earlier one for the same place and waits for the police again."""
    found = (
        await session.exec(
            select(ReviewEntry).where(
                ReviewEntry.criterion_id == criterion_id,
                ReviewEntry.place_kind == kind,
                ReviewEntry.place_id == place_id,
            )
        )
    ).first()
    row = found or ReviewEntry(
        criterion_id=criterion_id, ward_code=ward_code, place_kind=kind, place_id=place_id, met=met
    )
    row.met, row.note, row.proposed_by, row.proposed_at = met, note, by, clock.now()
    row.confirmed, row.confirm_note, row.confirmed_by, row.confirmed_at = None, "", None, None
    session.add(row)
    await session.flush()
    return row


def confirm_entry(session: AsyncSession, row: ReviewEntry, ok: bool, note: str, by: int) -> None:
    row.confirmed, row.confirm_note, row.confirmed_by, row.confirmed_at = ok, note, by, clock.now()
    session.add(row)


async def waiting_entries(session: AsyncSession, ward_code: int, year: int) -> list[ReviewEntry]:
    ids = [c.id for c in await criteria.of_year(session, ward_code, year)]
    rows = await session.exec(
        select(ReviewEntry)
        .where(col(ReviewEntry.criterion_id).in_(ids), col(ReviewEntry.confirmed).is_(None))
        .order_by(col(ReviewEntry.id))
    )
    return list(rows.all())


async def nominations(session: AsyncSession, ward_code: int, year: int) -> list[ReviewNomination]:
    rows = await session.exec(
        select(ReviewNomination)
        .where(ReviewNomination.ward_code == ward_code, ReviewNomination.year == year)
        .order_by(col(ReviewNomination.group_id), col(ReviewNomination.id))
    )
    return list(rows.all())


async def leaders_of(
    session: AsyncSession, ward_code: int, group_ids: list[int] | None = None
) -> list[Person]:
    """The group leaders of the ward (or of these groups)."""
    query = (
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            RoleGrant.ward_code == ward_code,
            RoleGrant.role == Role.GROUP_ADMIN,
            col(RoleGrant.revoked_at).is_(None),
            col(RoleGrant.group_id).is_not(None),
        )
        .distinct()
    )
    if group_ids is not None:
        query = query.where(col(RoleGrant.group_id).in_(group_ids))
    return list((await session.exec(query)).all())


async def officials_of(session: AsyncSession, ward_code: int) -> list[Person]:
    """The ward admins and police officers of the ward."""
    query = (
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            RoleGrant.ward_code == ward_code,
            col(RoleGrant.role).in_(list(OFFICIALS)),
            col(RoleGrant.revoked_at).is_(None),
        )
        .distinct()
    )
    return list((await session.exec(query)).all())


async def not_yet_sent(
    session: AsyncSession, people: list[Person], key: Callable[[Person], str]
) -> list[Person]:
    """The people not yet sent a message with this dedupe key (the outbox keeps each key once: pressing a button
    twice, or a catch-up run of a tick, must not write it again)."""
    keys = {key(p): p for p in people}
    if not keys:
        return []
    sent = set(
        (
            await session.exec(
                select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).in_(list(keys)))
            )
        ).all()
    )
    return [p for k, p in keys.items() if k not in sent]
