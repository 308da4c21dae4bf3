"""A resident's request to join a household, as the group leader sees and answers it: its words, its buttons (which
name the person who asked), the confirmation or refusal, and the resident told of it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.delivery.outbox import enqueue_to_person
from bot.i18n import _
from handlers.pledges.buttons import EarlierMemberDecision, MemberDecision
from handlers.pledges.store import may_keep
from handlers.pledges.texts import household_hint, household_label
from models import Household, Person, Priority
from models.pledges import HouseholdMember

router = Router("pledges.join_requests")


async def request_text(
    session: AsyncSession, member: HouseholdMember, household: Household, phone: str | None = None
) -> str:
    person = await session.get(Person, member.person_id)
    name = person.display_name if person and person.display_name else _("A resident")
    if phone:
        name = f"{name} ({phone})"
    return _("{name} asks to be linked to the household {household}. Do they belong to it?").format(
        name=name, household=household_label(household)
    )


def request_key(member: HouseholdMember) -> str:
    """One request to join, for the outbox's dedupe keys: a link that ended (declined, left, moved away) may
    have its id taken again by a later request (SQLite reuses the highest id), which must still be sent."""
    return f"{member.id}:{member.household_id}:{member.requested_at.timestamp():.6f}"


def decision_choices(member: HouseholdMember) -> list[Choice]:
    member_id, person_id = member.id or 0, member.person_id or 0
    return [
        Choice(_("Yes, confirm"), MemberDecision("ok", member_id, person_id)),
        Choice(_("No"), MemberDecision("no", member_id, person_id)),
    ]


@router.choice(MemberDecision)
async def on_decision(ctx: Context) -> None:
    pressed = MemberDecision.read(ctx)
    if pressed is None:
        if EarlierMemberDecision.read(ctx) is None:
            raise NotChosen()
        ctx.reply(
            _(
                "That request's button is from an earlier version of An Dân: answer the requests waiting for "
                "you in /hogiadinh."
            )
        )
        return
    member = await ctx.session.get(HouseholdMember, pressed.member_id)
    household = await ctx.session.get(Household, member.household_id) if member else None
    if member is None or household is None or member.person_id != pressed.person_id:
        # Declined (deleted) or folded away when its person linked two chat apps; on SQLite its number may now be
        # the next request's: either way this button is not that request's.
        ctx.reply(
            _(
                "That request was answered or has changed since this message. The requests waiting for you are "
                "in /hogiadinh."
            )
        )
        return
    if not await may_keep(ctx.session, await ctx.grants(), household.group_id):
        ctx.reply(_("Only the leader of that group can answer this request."))
        return
    if member.confirmed_at is not None:
        ctx.reply(_("Already confirmed."))
        return
    await decide(ctx, member, household, pressed.answer == "ok")


async def decide(ctx: Context, member: HouseholdMember, household: Household, accept: bool) -> None:
    session = ctx.session
    resident = await session.get(Person, member.person_id)
    label = household_label(household)
    if accept:
        member.confirmed_at, member.confirmed_by = clock.now(), ctx.person_id
        session.add(member)
        ctx.reply(_("Confirmed: linked to {household}.").format(household=label))
    else:
        await session.delete(member)
        ctx.reply(_("Declined; the resident will be told."))
    ctx.audit(
        "pledge.member_" + ("confirmed" if accept else "declined"), "household", str(household.id), None
    )
    if resident is None or resident.id == ctx.person_id:
        return

    def render() -> Reply:
        if accept:
            return Reply(
                _(
                    "Your group leader confirmed that you belong to {household}. You can now sign the "
                    "household pledge with /camket."
                ).format(household=label)
            )
        return Reply(
            _(
                "Your group leader did not confirm that you belong to {household}. Type /hocuatoi to "
                "choose again, or talk to your group leader."
            ).format(household=household_hint(household))  # not theirs: the head's name stays initials
        )

    await enqueue_to_person(
        session,
        resident,
        render,
        kind="pledge_join",
        priority=Priority.NOTICE,
        dedupe_key=f"pledge-joined:{request_key(member)}:{int(accept)}",
        source_kind="household_member",
        source_id=str(member.id),
    )
