"""The hourly sweep of residents who moved: joining another group ends the old residence
(bot.directory.invites), but not the link to a household there, which would keep counting them (its leader's list,
reminders, coverage) until they next open /hocuatoi. The sweep ends those links and tells each person how to
choose their new household, in one press.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.menu import command_payload
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_to_person
from bot.directory.people import active_grants
from bot.i18n import _
from handlers.common import group_label
from handlers.pledges.flows.membership import moved_text
from handlers.pledges.store import current_grant, end_links_moved_away
from models import Household, Person, Priority, Role, RoleGrant
from models.pledges import HouseholdMember

if TYPE_CHECKING:
    from bot.app import App


async def end_moved_links(app: App) -> None:
    """End the household links of everyone who became a resident of another group, and tell them."""
    async with app.db.session() as session:
        # Only people linked to a household of a group other than one where they are a resident: most people
        # have one group, so this is a short list; the exact rule is store.moved_away's, applied per person.
        candidates = (
            await session.exec(
                select(HouseholdMember.person_id)
                .join(Household, col(Household.id) == col(HouseholdMember.household_id))
                .join(
                    RoleGrant,
                    and_(
                        col(RoleGrant.person_id) == col(HouseholdMember.person_id),
                        col(RoleGrant.role) == Role.RESIDENT.value,
                        col(RoleGrant.revoked_at).is_(None),
                        col(RoleGrant.group_id).is_not(None),
                        col(RoleGrant.group_id) != col(Household.group_id),
                    ),
                )
                .distinct()
            )
        ).all()
        for person_id in candidates:
            person = await session.get(Person, person_id)
            if person is None:
                continue
            grants = await active_grants(session, person_id)
            ended = await end_links_moved_away(session, person_id, grants)
            if ended:
                await tell(session, person, ended, current_grant(grants))
        await session.commit()


async def tell(
    session: AsyncSession, person: Person, ended: list[Household], grant: RoleGrant | None
) -> None:
    group = await group_label(session, grant.group_id) if grant and grant.group_id else ""

    def render() -> Reply:
        lines = [moved_text(h, group) for h in ended]
        lines.append(
            _("Type /hocuatoi, or press below, to choose your household in {group}.").format(group=group)
        )
        return Reply(
            "\n".join(lines),
            (Choice(_("Choose my household in the new group"), command_payload("hocuatoi")),),
        )

    await enqueue_to_person(
        session,
        person,
        render,
        kind="pledge_join",
        priority=Priority.NOTICE,
        dedupe_key=f"pledge-moved:{person.id}:{','.join(str(h.id) for h in ended)}",
        source_kind="person",
        source_id=str(person.id),
    )
