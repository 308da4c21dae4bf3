"""The fire-safety figures of the year's review, per group, area and ward, each from one set-based pass over the
ward: households with the year's checklist, households with a valid extinguisher, and public fire points checked
in each of the last months."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.extensions.year_figures import Figure, Place
from bot.i18n import local
from handlers.firesafety import coverage
from handlers.firesafety.store import month_key
from models.fire_safety import FirePoint, FirePointCheck

# A point counts as checked when the keeper confirmed each of the last three complete months (a quarter): one
# missed month shows for a quarter, not for the whole year.
POINT_MONTHS = 3


def _as_of(end: datetime) -> datetime:
    """Figures describe the period's end, or now while it is still running."""
    return min(end, clock.now())


def _share(numerator: int, denominator: int, source: str, ids: tuple[int, ...] = ()) -> Figure:
    return Figure(
        value=numerator / denominator if denominator else 0.0,
        numerator=numerator,
        denominator=denominator,
        source=source,
        record_ids=ids,
    )


async def _groups(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> list[coverage.GroupFigures]:
    as_of = _as_of(end)
    return await coverage.by_group(session, ward_code, local(start).year, local(as_of).date(), before=end)


def _per_place(
    ward_code: int,
    groups: list[coverage.GroupFigures],
    count: Callable[[coverage.GroupFigures], int],
    ids: dict[int, list[int]],
    source: str,
) -> dict[Place, Figure]:
    """Each group's share, and each area's and the ward's where every group in it has its household list: where
    one has none, the place's share is not known (no data), rather than the listed groups' share passed off as
    the whole place's (an area at 100% while one of its groups has not started)."""
    found: dict[Place, Figure] = {}
    areas: dict[int, list[coverage.GroupFigures]] = defaultdict(list)
    for g in groups:
        areas[g.area_id].append(g)
        found[Place("group", g.group_id)] = _share(
            count(g), g.households, source, tuple(ids.get(g.group_id, []))
        )
    places = [(Place("area", area_id), members) for area_id, members in areas.items()]
    if groups:
        places.append((Place("ward", ward_code), groups))
    for place, members in places:
        if all(g.listed for g in members):
            found[place] = _share(
                sum(count(g) for g in members),
                sum(g.households for g in members),
                source,
                tuple(i for g in members for i in ids.get(g.group_id, [])),
            )
    return found


async def checklist_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Households with the period's year checklist / households."""
    groups = await _groups(session, ward_code, start, end)
    ids = await coverage.checklist_ids(session, ward_code, local(start).year, before=end)
    return _per_place(ward_code, groups, lambda g: g.checked, ids, "fire_safety_checklist")


async def extinguisher_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Households whose newest checklist names an extinguisher valid at the period's end (or today) / households."""
    groups = await _groups(session, ward_code, start, end)
    return _per_place(ward_code, groups, lambda g: g.extinguishers, {}, "fire_safety_checklist")


def last_months(day: date, n: int) -> list[str]:
    """The `n` complete months before `day`'s month, newest first ("2027-11", "2027-10", …)."""
    months, year, month = [], day.year, day.month
    for _i in range(n):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return months


async def fire_points_checked_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime, months: int = POINT_MONTHS
) -> dict[Place, Figure]:
    """Points checked in each of the last complete months (those since the point was registered) / points, per
    area and ward (fire points belong to areas, so groups have no such figure)."""
    as_of = local(_as_of(end)).date()
    wanted = last_months(as_of, months)
    points = (
        await session.exec(
            select(FirePoint).where(
                FirePoint.ward_code == ward_code,
                col(FirePoint.created_at) < end,
                (col(FirePoint.retired_at).is_(None)) | (col(FirePoint.retired_at) >= end),
            )
        )
    ).all()
    checks = (
        await session.exec(
            select(FirePointCheck.point_id, FirePointCheck.month)
            .join(FirePoint, col(FirePoint.id) == col(FirePointCheck.point_id))
            .where(FirePoint.ward_code == ward_code, col(FirePointCheck.month).in_(wanted))
        )
    ).all()
    seen: dict[int, set[str]] = defaultdict(set)
    for point_id, month in checks:
        seen[point_id].add(month)
    by_area: dict[int, tuple[int, int, list[int]]] = {}
    for point in points:
        since = month_key(local(point.created_at).date())
        due = {m for m in wanted if m >= since}
        ok = due <= seen[point.id or 0]
        checked, total, ids = by_area.get(point.area_id, (0, 0, []))
        by_area[point.area_id] = (checked + ok, total + 1, [*ids, point.id or 0] if ok else ids)
    found = {
        Place("area", area_id): _share(c, t, "fire_point_check", tuple(ids))
        for area_id, (c, t, ids) in by_area.items()
    }
    if points:
        found[Place("ward", ward_code)] = _share(
            sum(c for c, _t, _i in by_area.values()),
            len(points),
            "fire_point_check",
            tuple(i for _c, _t, ids in by_area.values() for i in ids),
        )
    return found
