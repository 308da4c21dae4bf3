"""/hocuatoi: a resident asks to be attached to a household; the group admin confirms or declines."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, retry, stay
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_to_person
from bot.i18n import N_, _, use_locale
from bot.textnorm import fold, matches
from handlers.pledges.common import admin_groups, home_group, household_label, my_households, router
from models import Household, Person, Priority, Role, RoleGrant
from models.pledges import HouseholdMember

flow = Flow("pledge_join", steps=("search",))
MAX_MATCHES = 10


@router.command("hocuatoi", "myhousehold", help=N_("See or choose the household you belong to"))
async def my_household(ctx: Context) -> None:
    confirmed = await my_households(ctx.session, ctx.person_id)
    waiting = await my_households(ctx.session, ctx.person_id, confirmed=False)
    lines = [_("Your household: {household}").format(household=household_label(h)) for h in confirmed]
    lines += [
        _("Waiting for your group leader to confirm: {household}").format(household=household_label(h))
        for h in waiting
    ]
    if lines:
        ctx.reply("\n".join(lines))
        return
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
            "Which household do you live in? Type the house number and street, or the name of the head of "
            "household (accents are optional)."
        )
    )


@flow.on("search")
async def on_search(ctx: Context) -> Outcome:
    rows = list(
        (
            await ctx.session.exec(
                select(Household)
                .where(Household.group_id == ctx.data["group_id"])
                .order_by(col(Household.id))
            )
        ).all()
    )
    choice = ctx.event.choice or ""
    if choice.startswith("phjoin:"):
        household = next((h for h in rows if f"phjoin:{h.id}" == choice), None)
        if household is None:
            return retry(_("Please choose one of the households below."))
        await request(ctx, household)
        return finish()
    query = ctx.event.text.strip()
    found = [h for h in rows if query and matches(query, fold(household_label(h)))]
    if not found:
        return retry(
            _(
                "No household of your group matches “{query}”. If yours is missing, ask your group leader "
                "to add it."
            ).format(query=query[:60])
        )
    ctx.reply(
        _("Choose your household:"),
        [Choice(household_label(h)[:60], f"phjoin:{h.id}") for h in found[:MAX_MATCHES]],
    )
    return stay()


async def request(ctx: Context, household: Household) -> None:
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
    admins = (
        await session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(
                RoleGrant.role == Role.GROUP_ADMIN,
                RoleGrant.group_id == household.group_id,
                col(RoleGrant.revoked_at).is_(None),
            )
            .distinct()
        )
    ).all()
    label = household_label(household)
    if any(a.id == ctx.person_id for a in admins):
        await decide(ctx, member, household, True)  # a group admin attaching themselves needs nobody else
        return
    for admin in admins:
        with use_locale(admin.locale):  # rendered here: the text needs a query, render() must not
            text = await request_text(session, member, household)

        def render(text: str = text) -> Reply:
            return Reply(text, tuple(decision_choices(member)))

        await enqueue_to_person(
            session,
            admin,
            render,
            kind="pledge_join",
            priority=Priority.NOTICE,
            dedupe_key=f"pledge-join:{member.id}:{admin.id}",
            source_kind="household_member",
            source_id=str(member.id),
        )
    ctx.reply(
        _("Asked. Your group leader will confirm that you belong to {household}; I will tell you.").format(
            household=label
        )
    )


async def request_text(session: AsyncSession, member: HouseholdMember, household: Household) -> str:
    person = await session.get(Person, member.person_id)
    name = person.display_name if person and person.display_name else _("A resident")
    return _("{name} asks to be linked to the household {household}. Do they belong to it?").format(
        name=name, household=household_label(household)
    )


def decision_choices(member: HouseholdMember) -> list[Choice]:
    return [Choice(_("Yes, confirm"), f"phm:ok:{member.id}"), Choice(_("No"), f"phm:no:{member.id}")]


@router.choice("phm")
async def on_decision(ctx: Context) -> None:
    _prefix, answer, raw_id = ((ctx.event.choice or "") + "::").split(":")[:3]
    member = await ctx.session.get(HouseholdMember, int(raw_id)) if raw_id.isdigit() else None
    household = await ctx.session.get(Household, member.household_id) if member else None
    if member is None or household is None:
        ctx.reply(_("That request no longer exists."))
        return
    if household.group_id not in admin_groups(await ctx.grants()):
        ctx.reply(_("Only the leader of that group can answer this request."))
        return
    if member.confirmed_at is not None:
        ctx.reply(_("Already confirmed."))
        return
    await decide(ctx, member, household, answer == "ok")


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
            ).format(household=label)
        )

    await enqueue_to_person(
        session,
        resident,
        render,
        kind="pledge_join",
        priority=Priority.NOTICE,
        dedupe_key=f"pledge-joined:{member.id}:{int(accept)}",
        source_kind="household_member",
        source_id=str(member.id),
    )


router.flow(flow)
