"""/hocuatoi: a resident asks to be attached to a household; the group admin confirms or declines."""

from __future__ import annotations

import re

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.names import person_name
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.db import execute
from bot.delivery.outbox import enqueue_to_person
from bot.i18n import N_, _, use_locale
from bot.textnorm import fold
from handlers.alerts.identifiers import phones_in
from handlers.common import group_label
from handlers.pledges.buttons import (
    JoinHousehold,
    LeaveHousehold,
    NotListed,
)
from handlers.pledges.flows.join_requests import decide, decision_choices, request_key, request_text
from handlers.pledges.store import end_links_moved_away, home_group, my_households
from handlers.pledges.texts import household_hint, household_label
from models import Household, Person, Priority, Role, RoleGrant
from models.pledges import HouseholdMember

router = Router("pledges.membership")
flow = Flow("pledge_join", steps=("search", "who"))
MAX_MATCHES = 10
# Words of an address that say nothing about which street it is ("số 12, đường …", "hẻm 5"): a search must name
# a street besides them, so the list of a group's households cannot be read out a number at a time.
ADDRESS_WORDS = frozenset(
    "so nha duong pho hem ngo ngach kiet ap thon to khom khu phuong xa p q tp tx".split()
)
_NUMBER = re.compile(r"\d+[a-z]?(?:/\d+[a-z]?)*")


@router.command("hocuatoi", "myhousehold", help=N_("See or choose the household you belong to"))
async def my_household(ctx: Context) -> None:
    await settle_move(ctx)
    confirmed = await my_households(ctx.session, ctx.person_id)
    waiting = await my_households(ctx.session, ctx.person_id, confirmed=False)
    lines = [_("Your household: {household}").format(household=household_label(h)) for h in confirmed]
    # Not theirs until the leader confirms: the head of household's name stays initials, as in the search.
    lines += [
        _("Waiting for your group leader to confirm: {household}").format(household=household_hint(h))
        for h in waiting
    ]
    if lines:
        ctx.reply("\n".join(lines), [Choice(_("I have moved to another household"), LeaveHousehold())])
        return
    await start_join(ctx)


async def settle_move(ctx: Context) -> None:
    """A resident who joined another group has moved: their links to households of the old group end (the
    hourly sweep does it too), and they are told, so that they choose their new household."""
    if ctx.person is None:
        return
    ended = await end_links_moved_away(ctx.session, ctx.person_id, await ctx.grants())
    group = await home_group(ctx.session, await ctx.grants())
    for household in ended:
        ctx.reply(moved_text(household, await group_label(ctx.session, group.id or 0) if group else ""))


def moved_text(household: Household, group: str) -> str:
    return _(
        "You are now a resident of {group}, so your link to the household {household} of your former group "
        "has ended."
    ).format(group=group, household=household_hint(household))


@router.choice(LeaveHousehold)
async def on_leave(ctx: Context) -> None:
    """One press: the links end (a waiting request too) and the search for the new household starts."""
    if LeaveHousehold.read(ctx) is None or ctx.person is None:
        raise NotChosen()
    left = [
        *await my_households(ctx.session, ctx.person_id),
        *await my_households(ctx.session, ctx.person_id, confirmed=False),
    ]
    await execute(ctx.session, delete(HouseholdMember).where(col(HouseholdMember.person_id) == ctx.person_id))
    for household in left:
        ctx.audit("pledge.member_left", "household", str(household.id), None)
        ctx.reply(_("You are no longer linked to {household}.").format(household=household_label(household)))
    await start_join(ctx)


async def start_join(ctx: Context) -> None:
    group = await home_group(ctx.session, await ctx.grants())
    if group is None:
        ctx.reply(
            _(
                "You have not chosen a group yet, so I cannot find your household. Join your group with the "
                "invite code your group leader gave you (/thamgia)."
            )
        )
        return
    ctx.begin("pledge_join", group_id=group.id)


@flow.ask("search")
async def ask_search(ctx: Context) -> None:
    ctx.reply(
        _(
            "Which household do you live in? Type your house number and street, for example “12 Nguyễn Huệ” "
            "(accents are optional)."
        ),
        [Choice(_("My household is not on the list"), NotListed())],
    )


def address_query(text: str) -> tuple[list[str], list[str]]:
    """The house numbers and the street words of what a resident typed ("số 12/3 nguyen hue")."""
    folded = fold(text)
    numbers = _NUMBER.findall(folded)
    street = [w for w in _NUMBER.sub(" ", folded).split() if len(w) >= 2 and w not in ADDRESS_WORDS]
    return numbers, street


def same_address(numbers: list[str], street: list[str], household: Household) -> bool:
    words = fold(household.address).split()
    return all(n in words for n in numbers) and all(any(w.startswith(s) for w in words) for s in street)


@flow.on("search", numbers=True)
async def on_search(ctx: Context) -> Outcome:
    group_id = ctx.data["group_id"]
    if NotListed.read(ctx) is not None:
        await ask_leader_to_add(ctx, ctx.data.get("typed", ""))
        return finish()
    pressed = JoinHousehold.read(ctx)
    if pressed is not None:
        household = await ctx.session.get(Household, pressed.household_id)
        if household is None or household.group_id != group_id:
            raise NotChosen()
        ctx.data["household_id"] = household.id
        return await ask_who_or_request(ctx, household)
    query = ctx.event.text.strip()
    numbers, street = address_query(query)
    if not numbers or not street:
        return retry(
            _(
                "Please type both your house number and your street, for example “12 Nguyễn Huệ”. If you do not "
                "know them, your group leader can add you to your household."
            )
        )
    ctx.data["typed"] = query[:120]
    rows = (
        await ctx.session.exec(
            select(Household).where(Household.group_id == group_id).order_by(col(Household.id))
        )
    ).all()
    found = [h for h in rows if same_address(numbers, street, h)]
    not_listed = Choice(_("My household is not on the list"), NotListed())
    if not found:
        ctx.reply(
            _(
                "No household of your group has the address “{query}”. Check the number and street, or press "
                "below and I will ask your group leader to add it."
            ).format(query=query[:60]),
            [not_listed],
        )
        return stay()
    ctx.reply(
        _("Choose your household:"),
        [Choice(household_hint(h)[:60], JoinHousehold(h.id or 0)) for h in found[:MAX_MATCHES]]
        + [not_listed],
    )
    return stay()


async def ask_who_or_request(ctx: Context, household: Household) -> Outcome:
    """The group leader must see who asks: a person the bot knows by no name is asked for one first."""
    if ctx.person is not None and (ctx.person.display_name or "").strip():
        await request(ctx, household)
        return finish()
    return goto("who")


@flow.ask("who")
async def ask_who(ctx: Context) -> None:
    ctx.reply(
        _(
            "So that your group leader knows who is asking, type your full name, and your phone number if you "
            "like (for example “Trần Thị Lan 0912 345 678”)."
        )
    )


@flow.on("who", names=True)
async def on_who(ctx: Context) -> Outcome:
    typed = ctx.event.text.strip()
    phones = phones_in(typed)
    # The name is what is left without the phone number and other digits ("Trần Thị Lan 0912 345 678").
    name = person_name(re.sub(r"[\d+()]+|(?<=\d)[.\-]", " ", typed))
    if name is None:
        return retry(
            _("Please type your name (for example Trần Thị Lan), and your phone number if you like.")
        )
    assert ctx.person is not None
    ctx.person.display_name = name
    ctx.session.add(ctx.person)
    household = await ctx.session.get(Household, ctx.data["household_id"])
    if household is None:
        ctx.reply(_("That household is no longer on the list. Please search again."))
        return goto("search")
    await request(ctx, household, phone=phones[0] if phones else None)
    return finish()


async def group_leaders(session: AsyncSession, group_id: int) -> list[Person]:
    return list(
        (
            await session.exec(
                select(Person)
                .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
                .where(
                    RoleGrant.role == Role.GROUP_ADMIN,
                    RoleGrant.group_id == group_id,
                    col(RoleGrant.revoked_at).is_(None),
                )
                .distinct()
            )
        ).all()
    )


async def ask_leader_to_add(ctx: Context, typed: str) -> None:
    """ "My household is not listed": the group leader gets who asks and the address they gave, to add it."""
    leaders = await group_leaders(ctx.session, ctx.data["group_id"])
    who = (ctx.person.display_name if ctx.person else None) or _("A resident of your group")
    for leader in leaders:
        with use_locale(leader.locale):
            text = _(
                "{name} says their household is not on your group's list{address}. Please add it with "
                "/hogiadinh; they can then choose it with /hocuatoi."
            ).format(name=who, address=_(" (they gave: “{typed}”)").format(typed=typed) if typed else "")

        def render(text: str = text) -> Reply:
            return Reply(text)

        await enqueue_to_person(
            ctx.session,
            leader,
            render,
            kind="pledge_join",
            priority=Priority.NOTICE,
            dedupe_key=f"pledge-missing:{ctx.person_id}:{fold(typed)[:40]}",
            source_kind="person",
            source_id=str(ctx.person_id),
        )
    if leaders:
        ctx.reply(_("I asked your group leader to add your household. Once they have, type /hocuatoi again."))
    else:
        ctx.reply(_("Your group has no leader on An Dân yet. Please ask your group leader in person."))


async def request(ctx: Context, household: Household, phone: str | None = None) -> None:
    session = ctx.session
    existing = (
        await session.exec(
            select(HouseholdMember).where(
                HouseholdMember.household_id == household.id, HouseholdMember.person_id == ctx.person_id
            )
        )
    ).first()
    if existing is not None:
        ctx.reply(_("You already asked to join this household."))
        return
    member = HouseholdMember(household_id=household.id or 0, person_id=ctx.person_id)
    session.add(member)
    await session.flush()
    admins = await group_leaders(session, household.group_id)
    if any(a.id == ctx.person_id for a in admins):
        await decide(ctx, member, household, True)  # a group admin attaching themselves needs nobody else
        return
    for admin in admins:
        with use_locale(admin.locale):  # rendered here: the text needs a query, render() must not
            text = await request_text(session, member, household, phone)

        def render(text: str = text) -> Reply:
            return Reply(text, tuple(decision_choices(member)))

        await enqueue_to_person(
            session,
            admin,
            render,
            kind="pledge_join",
            priority=Priority.NOTICE,
            dedupe_key=f"pledge-join:{request_key(member)}:{admin.id}",
            source_kind="household_member",
            source_id=str(member.id),
        )
    if not admins:
        # Kept all the same: a leader who joins later finds it among the group's requests to join.
        ctx.reply(
            _(
                "Your request to join {household} is kept, but your group has no group leader on An Dân yet, so "
                "no one can confirm it for now. It will wait for the group leader; you may also tell them in "
                "person. I will tell you once it is confirmed."
            ).format(household=household_hint(household))
        )
        return
    ctx.reply(
        _("Asked. Your group leader will confirm that you belong to {household}; I will tell you.").format(
            household=household_hint(household)
        )
    )
