"""The pledge in the year's review: the share of households that signed the year's campaign, per group, area
and ward, with the signatures counted as evidence (declared in router.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.extensions.year_figures import Figure, Place
from bot.i18n import local
from handlers.pledges.coverage import _signed_join
from models import Group, Household
from models.pledges import PledgeCampaign, PledgeSignature

SOURCE = "pledge_signature"


async def signed_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Households with a signature in force at the end of the period (or now, for the year under way) over the
    households of the campaign's groups. No campaign that year: no data."""
    year = local(start).year
    campaign = (
        await session.exec(
            select(PledgeCampaign).where(PledgeCampaign.ward_code == ward_code, PledgeCampaign.year == year)
        )
    ).first()
    if campaign is None or campaign.id is None:
        return {}
    as_of = min(end, clock.now())
    query = (
        select(Group.id, Group.area_id, Household.id, PledgeSignature.id)
        .join(Household, col(Household.group_id) == col(Group.id))
        .outerjoin(PledgeSignature, _signed_join(campaign.id, as_of))
        .where(
            col(Group.ward_code) == ward_code,
            _working(as_of),
            col(Household.created_at) < as_of,
        )
    )
    if campaign.area_ids:
        query = query.where(col(Group.area_id).in_(campaign.area_ids))
    households: dict[Place, int] = defaultdict(int)
    signatures: dict[Place, list[int]] = defaultdict(list)
    for group_id, area_id, _household, signature in (await session.exec(query)).all():
        for place in (Place("group", int(group_id or 0)), Place("area", area_id), Place("ward", ward_code)):
            households[place] += 1
            if signature is not None:
                signatures[place].append(int(signature))
    # A group of the campaign with no household list yet: 0 of 0 (it has not started, and fails the criterion),
    # and its area's and the ward's share is not known (no data) rather than the listed groups' share passed off
    # as the whole place's, as coverage reads (handlers/pledges/coverage.py).
    groups = select(Group.id, Group.area_id).where(col(Group.ward_code) == ward_code, _working(as_of))
    if campaign.area_ids:
        groups = groups.where(col(Group.area_id).in_(campaign.area_ids))
    unlisted = (
        {Place("group", int(g or 0)): a for g, a in (await session.exec(groups)).all()} if households else {}
    )
    unlisted = {group: area for group, area in unlisted.items() if group not in households}
    for group in unlisted:
        households[group] = 0
    unknown = {Place("area", area) for area in unlisted.values()} | (
        {Place("ward", ward_code)} if unlisted else set()
    )
    return {
        place: Figure(
            value=len(signatures[place]) / total if total else 0.0,
            numerator=len(signatures[place]),
            denominator=total,
            source=SOURCE,
            record_ids=tuple(sorted(signatures[place])),
        )
        for place, total in households.items()
        if place not in unknown
    }


def _working(as_of: datetime) -> Any:
    """Groups still working at `as_of`: one retired since (in January, before the review of the year it worked
    through is made) keeps its year's figure."""
    return or_(col(Group.retired_at).is_(None), col(Group.retired_at) > as_of)
