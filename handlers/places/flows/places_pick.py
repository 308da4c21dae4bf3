"""/diaban, choosing an area or a group: the buttons (or, in a big ward, typing part of a name) the form's other
screens ask with, the place chosen, and what follows the choice (a leader's invite is made here)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Outcome, finish, goto, retry, stay
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.directory.invites import create
from bot.i18n import _
from bot.textnorm import fold, matches, place_key
from handlers.places import store
from handlers.places.buttons import PickPlace, PickTarget
from handlers.places.flows.places import MAX_BUTTONS, flow, still_admin
from handlers.places.texts import leader_invite_text
from models import Area, Group, Role
from models.base import pk

MAX_MATCHES = 10


async def candidates(ctx: Context, exclude: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the active places of the kind in hand: areas, or groups labelled "Tổ 3, Khóm 2"."""
    ward = ctx.data["ward"]
    areas = await store.areas_of_ward(ctx.session, ward)
    if ctx.data["kind"] == "area":
        found = [(pk(a), a.name) for a in areas]
    else:
        names = {a.id: a.name for a in areas}
        found = [
            (pk(g), f"{g.name}, {names.get(g.area_id, '')}")
            for g in await store.groups_of_ward(ctx.session, ward)
        ]
    return [c for c in found if c[0] != exclude]


async def offer(
    ctx: Context, question: str, button: type[PickPlace] | type[PickTarget], exclude: int | None
) -> None:
    found = await candidates(ctx, exclude)
    shortlist = ctx.data.get("matches")
    if shortlist:
        found = [c for c in found if c[0] in shortlist]
    if len(found) <= MAX_BUTTONS:
        ctx.reply(question, [Choice(label[:60], button(place_id)) for place_id, label in found])
    else:
        ctx.reply(question + "\n" + _("Type part of its name."))


async def choose(
    ctx: Context, button: type[PickPlace] | type[PickTarget], exclude: int | None
) -> int | Outcome:
    """The place pressed, or typed (accents optional); or the Outcome that re-asks."""
    found = await candidates(ctx, exclude)
    pressed: Payload | None = button.read(ctx)
    if isinstance(pressed, PickPlace | PickTarget):
        if pressed.place_id in {c[0] for c in found}:
            ctx.data.pop("matches", None)
            return pressed.place_id
        return retry(_("That one no longer exists. Please choose again."))
    typed = ctx.event.text.strip()
    if not typed:
        raise NotChosen()
    hits = [c for c in found if fold(c[1]) == fold(typed)] or [c for c in found if matches(typed, fold(c[1]))]
    if len(hits) == 1:
        ctx.data.pop("matches", None)
        return hits[0][0]
    if not hits:
        ctx.data.pop("matches", None)
        return retry(_("Nothing here matches “{query}”.").format(query=typed[:60]))
    ctx.data["matches"] = [c[0] for c in hits[:MAX_MATCHES]]
    return retry(_("Several match; please choose one."))


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    action, kind = ctx.data["action"], ctx.data["kind"]
    questions = {
        ("rename", "area"): _("Which area do you want to rename?"),
        ("rename", "group"): _("Which group do you want to rename?"),
        ("merge", "area"): _("Which area goes into another one? It is retired, and its groups move."),
        ("merge", "group"): _(
            "Which group goes into another one? It is retired, and its households and people move."
        ),
        ("retire", "area"): _("Which area do you want to retire?"),
        ("retire", "group"): _("Which group do you want to retire?"),
        ("add_group", "area"): _("In which area is the new group?"),
        ("leader", "group"): _("Which group gets a leader?"),
        ("links", "group"): _("Which group's join links?"),
    }
    await offer(ctx, questions[(action, kind)], PickPlace, None)


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    chosen = await choose(ctx, PickPlace, None)
    if isinstance(chosen, Outcome):
        return chosen
    return await picked(ctx, chosen)


async def named_place(ctx: Context, named: str) -> Outcome:
    """A change typed in words at the menu with the place in them ("xóa tổ 2"): that place, when the words name
    one (its name exactly, accents optional, else its name and area's words); else the place question, offering
    only those the words fit."""
    found = await candidates(ctx)
    words = [w for w in named.split() if w]
    exact = [c for c in found if place_key(c[1].split(",")[0]) == place_key(named)] if words else []
    hits = exact or ([c for c in found if matches(named, fold(c[1]))] if words[1:] else [])
    if len(hits) == 1:
        return await picked(ctx, hits[0][0])
    if hits:
        ctx.data["matches"] = [c[0] for c in hits[:MAX_MATCHES]]
    return goto("pick")


async def picked(ctx: Context, chosen: int) -> Outcome:
    """What follows the choice of the place: its new name, the place to merge it into, the confirmation, its
    join links or a leader's invite."""
    if not await still_admin(ctx):
        return finish()
    ctx.data["place"] = chosen
    action = ctx.data["action"]
    if action in ("rename", "add_group"):
        return goto("name")
    if action == "merge":
        return goto("into")
    if action == "retire":
        return goto("confirm")
    if action == "links":
        ctx.begin("places_link", group=chosen)
        return stay()
    return await appoint(ctx, chosen)


async def appoint(ctx: Context, group_id: int) -> Outcome:
    """A single-use group-leader invite for the group, shown with its code and links."""
    group = await ctx.session.get(Group, group_id)
    assert group is not None
    made = await create(
        ctx.session,
        ctx.app.keyring,
        ctx.app.settings,
        role=Role.GROUP_ADMIN.value,
        ward_code=group.ward_code,
        area_id=group.area_id,
        group_id=pk(group),
        created_by=ctx.person_id,
    )
    ctx.audit("invite.created", "invite", str(made.invite.id), group.ward_code, role=Role.GROUP_ADMIN.value)
    ctx.reply(leader_invite_text(ctx, await store.group_label(ctx.session, group), made.code, made.invite))
    return goto("menu")


async def place_of(ctx: Context, key: str = "place") -> Area | Group | None:
    """The place chosen earlier in the form, if it is still an active one of the ward."""
    place: Area | Group | None
    if ctx.data["kind"] == "area":
        place = await ctx.session.get(Area, ctx.data.get(key) or 0)
    else:
        place = await ctx.session.get(Group, ctx.data.get(key) or 0)
    if place is None or place.ward_code != ctx.data["ward"] or place.retired_at is not None:
        return None
    return place
