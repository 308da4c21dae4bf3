"""/moi: a leader invites someone to a role in their place; prints a one-time code and links."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.geo import areas_of, groups_of
from bot.directory.invites import SCOPE, create, links, may_grant
from bot.directory.people import GRANTABLE
from bot.i18n import N_, _, fmt_date, ngettext
from bot.textnorm import fold, matches, place_key
from handlers.onboarding import role_name
from models import Area, Group, Role

router = Router("invites")
flow = Flow("invite", steps=("role", "place", "group"))
LEADERS = set(GRANTABLE)


# Buttons -----------------------------------------------------------------------------------------------
class PickRole(Payload, prefix="role"):
    """The role the invite gives."""

    role: Role


class PickPlace(Payload, prefix="place"):
    """Where the invite gives the role: an index into the places offered (kept in the flow's data)."""

    index: int


class PickArea(Payload, prefix="iarea"):
    """The area whose groups to offer next, in a ward of more groups than one message holds."""

    area_id: int


class OtherArea(Payload, prefix="iarea:other"):
    """Back from an area's groups to the list of areas."""


@router.command("moi", "invite", help=N_("Invite someone to your group or to a role"), roles=LEADERS)
async def invite(ctx: Context) -> None:
    ctx.begin("invite")


def grantable_roles(roles: set[str]) -> list[str]:
    allowed: set[str] = set()
    for r in roles:
        allowed |= GRANTABLE.get(r, set())
    return [r.value for r in Role if r.value in allowed]


@flow.ask("role")
async def ask_role(ctx: Context) -> None:
    roles = grantable_roles(await ctx.roles())
    ctx.reply(_("Whom do you want to invite?"), [Choice(role_name(r), PickRole(Role(r))) for r in roles])


@flow.on("role")
async def on_role(ctx: Context) -> Outcome:
    role = PickRole.expect(ctx).role.value
    if role not in grantable_roles(await ctx.roles()):
        raise NotChosen()  # no longer theirs to give: roles may have changed
    ctx.data["role"] = role
    places = await candidate_places(ctx, role)
    if not places:
        ctx.reply(_("You have no place where you may give this role."))
        return finish()
    if len(places) == 1:
        return await make(ctx, places[0])
    ctx.data["places"] = places
    areas = _areas(places)
    if len(places) > MAX_BUTTONS and len(areas) == 1 and all(p[3] is not None for p in places):
        ctx.data["area"] = next(iter(areas))  # an area leader's own groups: asked by name or number
        return goto("group")
    return goto("place")


async def candidate_places(ctx: Context, role: str) -> list[list]:
    """[label, ward, area, group, name, area name] for each place at the role's scope that the inviter may grant
    in; a group's label names its area too ("Tổ 1, Khu vực 2": every area has a Tổ 1)."""
    scope = SCOPE[Role(role)]
    grants = await ctx.grants()
    found: list[list] = []
    for ward in sorted({g.ward_code for g in grants}):
        if scope == "ward":
            if may_grant(grants, role, ward, None, None):
                found.append(["", ward, None, None, "", ""])
            continue
        for area in await areas_of(ctx.session, ward):
            if scope == "area":
                if may_grant(grants, role, ward, area.id, None):
                    found.append([area.name, ward, area.id, None, area.name, area.name])
                continue
            for group in await groups_of(ctx.session, area.id or 0):
                if may_grant(grants, role, ward, area.id, group.id):
                    found.append(
                        [f"{group.name}, {area.name}", ward, area.id, group.id, group.name, area.name]
                    )
    return found


# Choosing the place -------------------------------------------------------------------------------------------
# A merged ward has well over a hundred groups: a few buttons at a time, the area first, and any place by its name.
MAX_BUTTONS = 20
MAX_MATCHES = 10


def _name(place: list) -> str:
    """The place's own name ("Tổ 3"), without its area (kept since invites name the area too)."""
    return str(place[4]) if len(place) > 4 else str(place[0])


def _area_name(place: list) -> str:
    return str(place[5]) if len(place) > 5 else ""


def _number(place: list) -> int | None:
    found = re.findall(r"\d+", _name(place))
    return int(found[-1]) if found else None


def _areas(places: list[list]) -> dict[int, tuple[str, int]]:
    """Area id → (name, number of its groups) of group places, in the order they come."""
    found: dict[int, tuple[str, int]] = {}
    for p in places:
        if p[3] is not None and p[2] is not None:
            name, count = found.get(p[2], (_area_name(p), 0))
            found[p[2]] = (name, count + 1)
    return found


def _in_area(places: list[list], area_id: int | None) -> list[int]:
    return [i for i, p in enumerate(places) if area_id is None or p[2] == area_id]


def find(places: list[list], typed: str, among: list[int], exact: bool = False) -> list[int]:
    """The places of `among` the typed words name: the whole label ("Tổ 10, Khu vực 3") or the name alone ("tổ
    10"); unless `exact`, else every label the words start ("to 10 khu")."""
    key = place_key(typed)
    if not key:
        return []
    named = [i for i in among if key in (place_key(places[i][0]), place_key(_name(places[i])))]
    if named or exact:
        return named
    return [i for i in among if matches(typed, fold(places[i][0]))]


def _area_named(places: list[list], typed: str) -> int | None:
    key = place_key(typed)
    named = [a for a, (name, _n) in _areas(places).items() if place_key(name) == key]
    return named[0] if len(named) == 1 else None


def _by_area(places: list[list]) -> bool:
    """Whether to ask for the area first: groups too many for one message, in more than one area."""
    return len(places) > MAX_BUTTONS and len(_areas(places)) > 1


@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    places = ctx.data["places"]
    shortlist = [i for i in ctx.data.get("matches") or [] if 0 <= i < len(places)]
    if shortlist:
        ctx.reply(_("Which one?"), [Choice(places[i][0], PickPlace(i)) for i in shortlist])
    elif len(places) <= MAX_BUTTONS:
        ctx.reply(_("For which place?"), [Choice(p[0], PickPlace(i)) for i, p in enumerate(places)])
    elif _by_area(places):
        areas = _areas(places)
        question = _(
            "For which group? The ward has {n} groups: choose the area first, or type the group's name with its "
            "area, for example “{example}”."
        ).format(n=len(places), example=places[-1][0])
        if len(areas) <= MAX_BUTTONS:
            labels = [
                ngettext("{area} ({n} group)", "{area} ({n} groups)", count).format(area=name, n=count)
                for name, count in areas.values()
            ]
            ctx.reply(question, [Choice(label, PickArea(a)) for label, a in zip(labels, areas, strict=True)])
        else:
            ctx.reply(question)
    else:
        ctx.reply(
            _("For which place? There are {n}: type its name, for example “{example}”.").format(
                n=len(places), example=places[-1][0]
            )
        )


@flow.on("place")
async def on_place(ctx: Context) -> Outcome:
    places = ctx.data["places"]
    area = PickArea.read(ctx) if ctx.event.choice is not None else None
    if area is not None:
        if area.area_id not in _areas(places):
            raise NotChosen()
        ctx.data.pop("matches", None)
        ctx.data["area"] = area.area_id
        return goto("group")
    return await chosen(ctx, list(range(len(places))))


@flow.ask("group")
async def ask_group(ctx: Context) -> None:
    places = ctx.data["places"]
    here = _in_area(places, ctx.data.get("area"))
    area = _area_name(places[here[0]]) if here else ""
    back = [Choice(_("« Another area"), OtherArea())] if _by_area(places) else []
    if len(here) <= MAX_BUTTONS:
        choices = [Choice(_name(places[i]), PickPlace(i)) for i in here]
        ctx.reply(_("Which group of {area}?").format(area=area), choices + back)
    else:
        ctx.reply(
            _(
                "Which group of {area}? It has {n} groups: type its name or its number, for example “{example}”."
            ).format(area=area, n=len(here), example=_name(places[here[-1]])),
            back,
        )


@flow.on("group")
async def on_group(ctx: Context) -> Outcome:
    places = ctx.data["places"]
    if ctx.event.choice is not None and OtherArea.read(ctx) is not None:
        ctx.data.pop("area", None)
        return goto("place")
    here = _in_area(places, ctx.data.get("area"))
    typed = ctx.event.text.strip() if ctx.event.choice is None else ""
    number = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 6 else None
    if number is not None:
        # "24" typed under "Which group of Khu vực 1?" is Tổ 24 of that area, not the 24th of the ward.
        numbered = [i for i in here if _number(places[i]) == number]
        if len(numbered) == 1:
            return await make(ctx, places[numbered[0]])
    return await chosen(ctx, here)


async def chosen(ctx: Context, among: list[int]) -> Outcome:
    """The place pressed, or typed (its name, accents optional; a group's with or without its area); several that
    fit are offered as a short list, and an area's name asks for its groups."""
    places = ctx.data["places"]
    typed = ctx.event.text.strip() if ctx.event.choice is None else ""
    if typed:
        everywhere = list(range(len(places)))
        # What names a place exactly first (a group of another area too, named with its area), then an area's
        # name (its groups follow), then the places whose words it starts.
        hits = find(places, typed, among, exact=True) or find(places, typed, everywhere, exact=True)
        area = _area_named(places, typed) if not hits and _by_area(places) else None
        if area is not None:
            ctx.data.pop("matches", None)
            ctx.data["area"] = area
            return goto("group")
        hits = hits or find(places, typed, among) or find(places, typed, everywhere)
        if len(hits) == 1:
            return await make(ctx, places[hits[0]])
        if len(hits) > MAX_MATCHES:
            return retry(
                _("{n} places match “{query}”; please type more of the name.").format(
                    n=len(hits), query=typed[:60]
                )
            )
        if hits:
            ctx.data["matches"] = hits
            return goto("place")
    pressed = PickPlace.read(ctx)
    if pressed is None:
        if typed:
            ctx.data.pop("matches", None)
            return retry(_("Nothing here is called “{query}”.").format(query=typed[:60]))
        raise NotChosen()
    if not 0 <= pressed.index < len(places):
        raise NotChosen()
    return await make(ctx, places[pressed.index])


async def make(ctx: Context, place: list) -> Outcome:
    label, ward, area_id, group_id = place[:4]
    role = ctx.data["role"]
    if not may_grant(await ctx.grants(), role, ward, area_id, group_id):  # re-checked: roles may have changed
        ctx.reply(_("You may not give this role there."))
        return finish()
    created = await create(
        ctx.session,
        ctx.app.keyring,
        ctx.app.settings,
        role=role,
        ward_code=ward,
        area_id=area_id,
        group_id=group_id,
        created_by=ctx.person_id,
    )
    ctx.audit("invite.created", "invite", str(created.invite.id), ward, role=role)
    found = links(ctx.app.settings, created.code)
    found.update(
        {
            name: link
            for name, channel in ctx.app.channels.items()
            if (link := channel.join_link(created.code))
        }
    )
    place_name = label or ""
    if area_id is None and group_id is None:
        place_name = ""
    elif group_id is not None:
        group = await ctx.session.get(Group, group_id)
        area = await ctx.session.get(Area, group.area_id) if group else None
        place_name = f"{group.name}, {area.name}" if group and area else place_name
    elif area_id is not None:
        area = await ctx.session.get(Area, area_id)
        place_name = area.name if area else place_name
    lines = [
        _("Invite for {role}{place}: code {code}").format(
            role=role_name(role), place=f" ({place_name})" if place_name else "", code=created.code
        ),
        _("It works once, until {date}.").format(date=fmt_date(created.invite.expires_at)),
        _("Share this link, or ask them to type /thamgia {code} in the chat:").format(code=created.code),
    ]
    lines += list(found.values())
    ctx.reply("\n".join(lines))
    return finish()


router.flow(flow)
router.menu("moi", label=N_("Invite someone"), order=70, roles=LEADERS)
