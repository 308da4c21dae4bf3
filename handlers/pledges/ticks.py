"""The reminder tick: unsigned households' members at most once a week, and their group admins near the end.

Never in quiet hours (the tick simply does nothing then and catches up at its next run). Idempotent: the
outbox rows themselves record who was reminded when, and every row has a dedupe key per person and day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_date
from handlers.pledges import coverage
from handlers.pledges.store import is_open, today
from models import Group, Household, OutboxMessage, Person, Priority, Role, RoleGrant
from models.pledges import HouseholdMember, PledgeCampaign, PledgeSignature

if TYPE_CHECKING:
    from bot.app import App

MEMBER_EVERY = timedelta(days=7)
ADMIN_EVERY = timedelta(days=3)
LAST_DAYS = 14
SHOWN = 40


async def remind(app: App) -> None:
    now = clock.now()
    if quiet_until(now, app.settings.quiet_hours) is not None:
        return
    async with app.db.session() as session:
        campaigns = [c for c in (await session.exec(select(PledgeCampaign))).all() if is_open(c)]
        for campaign in campaigns:
            await remind_members(session, campaign, now)
            if (campaign.ends_on - today()).days < LAST_DAYS:
                await tell_admins(session, campaign, now)
        await session.commit()


def _recently(kind: str, source_id: str, since: datetime):
    """People already sent `kind` about this source since `since` (a subquery over the outbox)."""
    return select(OutboxMessage.person_id).where(
        OutboxMessage.source_kind == kind,
        OutboxMessage.source_id == source_id,
        col(OutboxMessage.created_at) > since,
        col(OutboxMessage.person_id).is_not(None),
    )


def _in_campaign(campaign: PledgeCampaign) -> list:
    conditions = [col(Group.ward_code) == campaign.ward_code, col(Group.retired_at).is_(None)]
    if campaign.area_ids:
        conditions.append(col(Group.area_id).in_(campaign.area_ids))
    return conditions


async def remind_members(session: AsyncSession, campaign: PledgeCampaign, now: datetime) -> int:
    signed = select(PledgeSignature.household_id).where(
        PledgeSignature.campaign_id == campaign.id,
        col(PledgeSignature.active_key).is_not(None),
        col(PledgeSignature.household_id).is_not(None),
    )
    rows = (
        await session.exec(
            select(Person, Household)
            .join(HouseholdMember, col(HouseholdMember.person_id) == col(Person.id))
            .join(Household, col(Household.id) == col(HouseholdMember.household_id))
            .join(Group, col(Group.id) == col(Household.group_id))
            .where(
                *_in_campaign(campaign),
                col(HouseholdMember.confirmed_at).is_not(None),
                col(Household.id).not_in(signed),
                col(Person.id).not_in(_recently("pledge_reminder", str(campaign.id), now - MEMBER_EVERY)),
            )
            .order_by(col(Person.id), col(Household.id))
        )
    ).all()
    by_person: dict[int, tuple[Person, list[str]]] = {}
    for person, household in rows:
        by_person.setdefault(person.id or 0, (person, []))[1].append(household.address)
    day = today().isoformat()
    for person, addresses in by_person.values():

        def render(addresses: list[str] = addresses) -> Reply:
            return Reply(
                _(
                    "Reminder: your household ({address}) has not signed “{title}” yet. It takes two minutes: "
                    "type /camket. Signing is open until {end}."
                ).format(address="; ".join(addresses), title=campaign.title, end=fmt_date(campaign.ends_on))
            )

        await enqueue_to_person(
            session,
            person,
            render,
            kind="reminder",
            priority=Priority.ROUTINE,
            dedupe_key=f"pledge-remind:{campaign.id}:{person.id}:{day}",
            source_kind="pledge_reminder",
            source_id=str(campaign.id),
        )
    return len(by_person)


async def tell_admins(session: AsyncSession, campaign: PledgeCampaign, now: datetime) -> int:
    unsigned = await coverage.households(
        session, campaign, coverage.Scope(campaign.ward_code), unsigned_only=True
    )
    left: dict[int, list[coverage.HouseholdLine]] = defaultdict(list)
    for line in unsigned:
        left[line.group_id].append(line)
    if not left:
        return 0
    grants = (
        await session.exec(
            select(RoleGrant, Person)
            .join(Person, col(Person.id) == col(RoleGrant.person_id))
            .where(
                RoleGrant.role == Role.GROUP_ADMIN,
                col(RoleGrant.group_id).in_(list(left)),
                col(RoleGrant.revoked_at).is_(None),
            )
        )
    ).all()
    day, sent = today().isoformat(), 0
    days_left = (campaign.ends_on - today()).days
    for grant, person in grants:
        source = f"{campaign.id}:{grant.group_id}"
        already = (
            await session.exec(
                _recently("pledge_left", source, now - ADMIN_EVERY).where(
                    OutboxMessage.person_id == person.id
                )
            )
        ).first()
        if already is not None:
            continue
        lines = left[grant.group_id or 0]

        def render(lines: list[coverage.HouseholdLine] = lines) -> Reply:
            text = [
                _(
                    "{n} households of {group} have not signed “{title}”; signing closes on {end} ({days} days "
                    "left):"
                ).format(
                    n=len(lines),
                    group=lines[0].group,
                    title=campaign.title,
                    end=fmt_date(campaign.ends_on),
                    days=days_left,
                )
            ]
            text += [f"• {h.address} — {h.head_name}" for h in lines[:SHOWN]]
            if len(lines) > SHOWN:
                text.append(_("… and {n} more: see /baophu.").format(n=len(lines) - SHOWN))
            return Reply("\n".join(text))

        await enqueue_to_person(
            session,
            person,
            render,
            kind="reminder",
            priority=Priority.ROUTINE,
            dedupe_key=f"pledge-left:{source}:{person.id}:{day}",
            source_kind="pledge_left",
            source_id=source,
        )
        sent += 1
    return sent
