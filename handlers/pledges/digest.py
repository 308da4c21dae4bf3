"""The pledges part of the weekly digest: the group's coverage (the ward's for police), and a column per group."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.memo import memo
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _, local
from handlers.pledges import coverage
from handlers.pledges.texts import bar
from models.pledges import PledgeCampaign


async def campaign_in_week(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> PledgeCampaign | None:
    """The campaign whose signing period overlaps the digest's week, if any."""
    first, last = local(start).date(), local(end).date()
    rows = (
        await session.exec(
            select(PledgeCampaign)
            .where(
                PledgeCampaign.ward_code == ward_code,
                col(PledgeCampaign.starts_on) <= last,
                col(PledgeCampaign.ends_on) >= first,
            )
            .order_by(col(PledgeCampaign.year).desc())
        )
    ).all()
    return rows[0] if rows else None


async def ward_groups(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> tuple[PledgeCampaign | None, list[coverage.GroupCoverage]]:
    """One query for the whole ward, shared by every group's digest of the same build."""

    async def compute() -> tuple[PledgeCampaign | None, list[coverage.GroupCoverage]]:
        campaign = await campaign_in_week(session, ward_code, start, end)
        if campaign is None:
            return None, []
        return campaign, await coverage.by_group(session, campaign, coverage.Scope(ward_code), as_of=end)

    return await memo(("pledges", ward_code, start, end), compute)


async def pledges_section(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> Section | None:
    campaign, groups = await ward_groups(session, scope.ward_code, start, end)
    if campaign is None:
        return None
    if scope.group_id is not None and scope.audience != "police":
        groups = [g for g in groups if g.group_id == scope.group_id]
        if not groups:
            return None
    signed, total = coverage.totals(groups)
    lines = [
        _("{signed}/{total} households signed “{title}”").format(
            signed=signed, total=total, title=campaign.title
        )
        + "  "
        + bar(signed, total)
    ]
    if scope.group_id is None or scope.audience == "police":
        lines += [f"{name}: {s}/{t}  {bar(s, t)}" for name, s, t in coverage.by_area(groups)]
    return Section(
        title=_("Household pledges"),
        lines=lines,
        figures={
            _("households signed"): float(signed),
            _("coverage %"): round(100 * signed / total, 1) if total else 0.0,
        },
    )


async def pledge_column(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[int, float | str]:
    _campaign, groups = await ward_groups(session, ward_code, start, end)
    return {g.group_id: f"{g.signed}/{g.total}" for g in groups}
