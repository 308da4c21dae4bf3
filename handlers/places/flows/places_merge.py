"""/diaban, merging and retiring: the place to merge into, the confirmation that says what moves and who is asked
to choose a new group, and the change itself."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.flow import Outcome, finish, goto
from bot.core.replies import Choice
from bot.i18n import _
from handlers.places import store
from handlers.places.buttons import ConfirmChange, PickTarget
from handlers.places.flows.places import flow, still_admin
from handlers.places.flows.places_pick import choose, offer, place_of
from models import Area, Group
from models.base import pk


@flow.ask("into")
async def ask_into(ctx: Context) -> None:
    place = await place_of(ctx)
    name = place.name if place else ""
    question = (
        _("Into which area should {place} go?")
        if ctx.data["kind"] == "area"
        else _("Into which group should {place} go?")
    ).format(place=name)
    await offer(ctx, question, PickTarget, ctx.data.get("place"))


@flow.on("into")
async def on_into(ctx: Context) -> Outcome:
    chosen = await choose(ctx, PickTarget, ctx.data.get("place"))
    if isinstance(chosen, Outcome):
        return chosen
    ctx.data["into"] = chosen
    source, target = await place_of(ctx), await place_of(ctx, "into")
    if isinstance(source, Area) and isinstance(target, Area):
        clashes = await store.clashing_groups(ctx.session, source, target)
        if clashes:
            ctx.reply(
                _(
                    "Both areas have groups called {names}. Rename those of {source} first (Rename → A group), "
                    "then merge."
                ).format(names=", ".join(f"“{n}”" for n in clashes[:10]), source=source.name)
            )
            return goto("menu")
    return goto("confirm")


async def group_people(ctx: Context, group_ids: list[int]) -> tuple[int, int]:
    """(households, people) of these groups."""
    counts = await store.group_counts(ctx.session, ctx.data["ward"])
    people = {p.id for g in group_ids for p in await store.people_of_group(ctx.session, g)}
    return sum(counts.get(g, store.Counts()).households for g in group_ids), len(people)


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    place = await place_of(ctx)
    target = await place_of(ctx, "into") if ctx.data["action"] == "merge" else None
    if place is None:
        ctx.reply(_("That place no longer exists."), [Choice(_("Back"), ConfirmChange(False))])
        return
    own = (
        [pk(g) for g in await store.groups_of_ward(ctx.session, ctx.data["ward"]) if g.area_id == place.id]
        if isinstance(place, Area)
        else [pk(place)]
    )
    households, people = await group_people(ctx, own)
    if ctx.data["action"] == "retire" and isinstance(place, Area):
        text = _(
            "Retire {place}? Its {groups} groups are retired with it, and their {people} people are asked to "
            "choose their new group. Nothing is deleted: reports, pledges and households stay on record."
        ).format(place=place.name, groups=len(own), people=people)
    elif ctx.data["action"] == "retire":
        text = _(
            "Retire {place}? Its {people} people are asked to choose their new group. Its {households} "
            "households stay on record with it; if they now belong to another group, merge it instead."
        ).format(place=place.name, people=people, households=households)
    elif isinstance(place, Area):
        text = _(
            "Merge {place} into {target}? Its {groups} groups move to {target}, and {place} is retired."
        ).format(place=place.name, target=target.name if target else "", groups=len(own))
    else:
        text = _(
            "Merge {place} into {target}? Its {households} households and {people} people move to {target} "
            "(its leaders become residents there), and {place} is retired."
        ).format(place=place.name, target=target.name if target else "", households=households, people=people)
    ctx.reply(text, [Choice(_("Yes, go ahead"), ConfirmChange(True)), Choice(_("No"), ConfirmChange(False))])


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmChange.expect(ctx).yes:
        ctx.reply(_("Nothing was changed."))
        return goto("menu")
    if not await still_admin(ctx):
        return finish()
    place = await place_of(ctx)
    target = await place_of(ctx, "into") if ctx.data["action"] == "merge" else None
    if place is None or (ctx.data["action"] == "merge" and target is None):
        ctx.reply(_("That place no longer exists."))
        return goto("menu")
    if ctx.data["action"] == "retire" and isinstance(place, Area):
        groups, asked = await store.retire_area(ctx.session, place, actor=ctx.person_id)
        ctx.reply(
            _(
                "Retired {place} and its {groups} groups; {people} people were asked to choose their new group."
            ).format(place=place.name, groups=groups, people=asked)
        )
    elif ctx.data["action"] == "retire" and isinstance(place, Group):
        asked = await store.retire_group(ctx.session, place, actor=ctx.person_id)
        ctx.reply(
            _("Retired {place}; {people} people were asked to choose their new group.").format(
                place=place.name, people=asked
            )
        )
    elif isinstance(place, Area) and isinstance(target, Area):
        if await store.clashing_groups(ctx.session, place, target):
            ctx.reply(_("Both areas now have groups of the same name; nothing was changed."))
            return goto("menu")
        moved = await store.merge_areas(ctx.session, place, target, actor=ctx.person_id)
        ctx.reply(
            _("Merged {place} into {target}: {groups} groups moved.").format(
                place=place.name, target=target.name, groups=moved
            )
        )
    elif isinstance(place, Group) and isinstance(target, Group):
        done = await store.merge_groups(ctx.session, place, target, actor=ctx.person_id)
        text = _("Merged {place} into {target}: {households} households and {people} people moved.").format(
            place=place.name, target=target.name, households=done.households, people=done.people
        )
        if done.leaders:
            text += "\n" + _(
                "Its {n} leaders are now residents of {target}; appoint them again here if they should lead."
            ).format(n=done.leaders, target=target.name)
        ctx.reply(text)
    return goto("menu")
