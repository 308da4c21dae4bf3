"""Choosing a new group after the ward retired yours, or a first one when the ward sets up its groups after you
joined at ward level: started by the button in the notice that says so."""

from __future__ import annotations

from typing import TypeVar

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _
from bot.textnorm import fold, matches
from handlers.common import place_label
from handlers.places import store
from handlers.places.buttons import ChooseFirstGroup, ChooseNewGroup, RegroupArea, RegroupGroup
from models import Area, Group, Role, RoleGrant
from models.base import pk

router = Router("places.regroup")
flow = Flow("places_regroup", steps=("area", "group"))

MAX_BUTTONS = 20
P = TypeVar("P", Area, Group)


async def held_in(ctx: Context, group_id: int) -> list[RoleGrant]:
    return [g for g in await ctx.grants() if g.group_id == group_id]


@router.choice(ChooseNewGroup)
async def choose_new_group(ctx: Context) -> None:
    pressed = ChooseNewGroup.read(ctx)
    old = await ctx.session.get(Group, pressed.group_id) if pressed else None
    if old is None or old.retired_at is None or ctx.person is None:
        raise NotChosen()
    if not await held_in(ctx, pk(old)):
        ctx.reply(_("You have already chosen your new group. Type /help to see what you can do."))
        return
    if not await store.groups_of_ward(ctx.session, old.ward_code):
        ctx.reply(
            _(
                "The ward has no groups in An Dân at the moment. Your group leader or the ward will invite "
                "you again once it has."
            )
        )
        return
    ctx.begin("places_regroup", old=old.id, ward=old.ward_code)


@router.choice(ChooseFirstGroup)
async def choose_first_group(ctx: Context) -> None:
    pressed = ChooseFirstGroup.expect(ctx)
    if ctx.person is None:
        raise NotChosen()
    if not any(
        g.ward_code == pressed.ward_code and g.group_id is None and g.role == Role.RESIDENT
        for g in await ctx.grants()
    ):
        ctx.reply(_("You have already chosen your group. Type /help to see what you can do."))
        return
    ctx.begin("places_regroup", old=None, ward=pressed.ward_code)


def by_name(places: list[P], typed: str) -> list[P]:
    """The places whose name is what was typed (accents optional), else those it starts the words of."""
    exact = [p for p in places if p.name_folded == fold(typed)]
    return exact or [p for p in places if matches(typed, p.name_folded)]


async def areas_with_groups(ctx: Context) -> list[Area]:
    groups = await store.groups_of_ward(ctx.session, ctx.data["ward"])
    used = {g.area_id for g in groups}
    return [a for a in await store.areas_of_ward(ctx.session, ctx.data["ward"]) if a.id in used]


@flow.ask("area")
async def ask_area(ctx: Context) -> None:
    areas = await areas_with_groups(ctx)
    if len(areas) <= MAX_BUTTONS:
        ctx.reply(
            _("Which residential area (thôn, tổ dân phố, khóm, ấp) do you live in now?"),
            [Choice(a.name[:60], RegroupArea(pk(a))) for a in areas],
        )
    else:
        ctx.reply(_("Which residential area (thôn, tổ dân phố, khóm, ấp) do you live in now? Type its name."))


@flow.on("area")
async def on_area(ctx: Context) -> Outcome:
    areas = await areas_with_groups(ctx)
    pressed = RegroupArea.read(ctx)
    if pressed is not None:
        chosen = [a for a in areas if a.id == pressed.area_id]
    elif ctx.event.text.strip():
        chosen = by_name(areas, ctx.event.text)
    else:
        raise NotChosen()
    if len(chosen) != 1:
        return retry(_("Please choose your area from the list, or type more of its name."))
    ctx.data["area"] = chosen[0].id
    return goto("group")


async def groups_here(ctx: Context) -> list[Group]:
    return [
        g for g in await store.groups_of_ward(ctx.session, ctx.data["ward"]) if g.area_id == ctx.data["area"]
    ]


@flow.ask("group")
async def ask_group(ctx: Context) -> None:
    groups = await groups_here(ctx)
    if len(groups) <= MAX_BUTTONS:
        ctx.reply(_("And your group (tổ)?"), [Choice(g.name[:60], RegroupGroup(pk(g))) for g in groups])
    else:
        ctx.reply(_("And your group (tổ)? Type its name or number."))


@flow.on("group")
async def on_group(ctx: Context) -> Outcome:
    groups = await groups_here(ctx)
    pressed = RegroupGroup.read(ctx)
    if pressed is not None:
        chosen = [g for g in groups if g.id == pressed.group_id]
    elif ctx.event.text.strip():
        chosen = by_name(groups, ctx.event.text)
    else:
        raise NotChosen()
    if len(chosen) != 1:
        return retry(_("Please choose your group from the list."))
    old = await ctx.session.get(Group, ctx.data["old"]) if ctx.data.get("old") is not None else None
    first = ctx.data.get("old") is None  # a resident who joined at ward level, choosing their first group
    if not first and (old is None or not await held_in(ctx, pk(old))):
        ctx.reply(_("You have already chosen your new group. Type /help to see what you can do."))
        return finish()
    made = await store.regroup(ctx.session, ctx.person_id, old, chosen[0])
    ctx.forget_grants()
    ctx.reply(
        _("Done! You are now a resident of {place}.").format(place=await place_label(ctx.session, made))
    )
    return finish()
