"""The pledges part of the weekly digest: the group's coverage (the ward's for police), and a column per group."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.days import last_day
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
    first, last = local(start).date(), last_day(end)  # not a campaign that opens the day the digest is sent
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
    counted = coverage.tally(groups)
    if not counted.total:
        first = _(
            "No household list yet for “{title}”: nobody can sign it before the list is entered."
        ).format(title=campaign.title)
    elif counted.known:
        first = (
            _("{signed}/{total} households signed “{title}”").format(
                signed=counted.signed, total=counted.total, title=campaign.title
            )
            + "  "
            + bar(counted.signed, counted.total)
        )
    else:
        first = _(
            "{signed}/{total} households signed “{title}”, in the {listed} of {groups} groups that have a household "
            "list"
        ).format(
            signed=counted.signed,
            total=counted.total,
            title=campaign.title,
            listed=counted.listed,
            groups=counted.groups,
        )
    lines = [first]
    if not counted.total and scope.audience == "group_admin":
        lines.append(_("Enter the list in “{entry}” (/hogiadinh).").format(entry=_("Households of my group")))
    ward_wide = scope.group_id is None or scope.audience == "police"
    if ward_wide and counted.unlisted:
        lines.append(coverage.unlisted_groups(counted.unlisted) + ".")
    if ward_wide:
        lines += [f"{name}: {coverage.share(area)}" for name, area in coverage.by_area(groups)]
    figures = {_("households signed"): float(counted.signed)}
    if counted.known:
        figures[_("coverage %")] = round(100 * counted.signed / counted.total, 1) if counted.total else 0.0
    else:
        # An unknown share is left out of the chart rather than drawn at the listed groups' 100%.
        figures[_("groups without a household list")] = float(counted.unlisted)
    return Section(title=_("Household pledges"), lines=lines, figures=figures)


async def pledge_column(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[int, float | str]:
    _campaign, groups = await ward_groups(session, ward_code, start, end)
    return {g.group_id: f"{g.signed}/{g.total}" if g.listed else coverage.no_list() for g in groups}
