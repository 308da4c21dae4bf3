"""The fire-safety part of the weekly digest, for leaders only: the group's checklist and extinguisher coverage
(the ward's by area for police), and the public fire points overdue for a check. Residents get no section."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.days import last_day
from bot.digest.memo import memo
from bot.digest.small import hidden
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _
from handlers.firesafety import coverage
from handlers.firesafety.store import last_checks
from handlers.pledges.coverage import unlisted_groups
from models.fire_safety import FirePoint

OVERDUE_DAYS = 35  # as ANDAN_FIRESAFETY_POINT_OVERDUE_DAYS' default: a digest section gets no settings


async def ward_groups(session: AsyncSession, ward_code: int, end: datetime) -> list[coverage.GroupFigures]:
    """One query for the whole ward, shared by every leader's digest of the same build."""

    async def compute() -> list[coverage.GroupFigures]:
        day = last_day(end)  # the week's Sunday: a week ending on 1 January is about last year's checklist
        return await coverage.by_group(session, ward_code, day.year, day, before=end)

    return await memo(("firesafety", ward_code, end), compute)


def count(n: int) -> str:
    return _("fewer than 5") if hidden(n) else str(n)


async def overdue_points(session: AsyncSession, ward_code: int, end: datetime) -> int:
    points = (
        await session.exec(
            select(FirePoint).where(FirePoint.ward_code == ward_code, col(FirePoint.retired_at).is_(None))
        )
    ).all()
    checks = await last_checks(session, [p.id or 0 for p in points])
    late = 0
    for point in points:
        last = checks.get(point.id or 0)
        since = last.checked_at if last is not None else point.created_at
        late += end - since > timedelta(days=OVERDUE_DAYS)
    return late


async def section(session: AsyncSession, scope: Scope, start: datetime, end: datetime) -> Section | None:
    if scope.audience == "resident":
        return None
    groups = await ward_groups(session, scope.ward_code, end)
    if scope.group_id is not None and scope.audience != "police":
        groups = [g for g in groups if g.group_id == scope.group_id]
    counted = coverage.tally(groups)
    checklist, extinguishers = counted.checklist, counted.extinguishers
    if not checklist.total:
        return None
    lines = [
        coverage.with_share(
            _("{checked}/{total} households filled in this year's fire-safety checklist").format(
                checked=checklist.signed, total=checklist.total
            ),
            checklist,
        ),
        _("Households without a valid fire extinguisher: {n}").format(
            n=count(extinguishers.total - extinguishers.signed)
        ),
    ]
    if scope.audience == "police":
        if checklist.unlisted:
            lines.append(unlisted_groups(checklist.unlisted) + ".")
        lines += [coverage.place_line(name, area) for _id, name, area in coverage.by_area(groups)]
        late = await overdue_points(session, scope.ward_code, end)
        if late:
            lines.append(_("Public fire points overdue for a check: {n} (see /pccc)").format(n=late))
    figures: dict[str, float] = {}
    if checklist.known:
        # An unknown share is left out of the chart rather than drawn at the listed groups' 100%.
        figures[_("checklist coverage %")] = round(100 * checklist.signed / checklist.total, 1)
    return Section(
        title=_("Fire safety (PCCC)"),
        lines=lines,
        figures=figures,
    )
