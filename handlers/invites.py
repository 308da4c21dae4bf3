"""/moi: a leader invites someone to a role in their place; prints a one-time code and links."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.geo import areas_of, groups_of
from bot.directory.invites import SCOPE, create, links, may_grant
from bot.directory.people import GRANTABLE
from bot.i18n import N_, _, fmt_date
from handlers.onboarding import role_name
from models import Area, Group, Role

router = Router("invites")
flow = Flow("invite", steps=("role", "place"))
LEADERS = set(GRANTABLE)


# Buttons -----------------------------------------------------------------------------------------------
class PickRole(Payload, prefix="role"):
    """The role the invite gives."""

    role: Role


class PickPlace(Payload, prefix="place"):
    """Where the invite gives the role: an index into the places offered (kept in the flow's data)."""

    index: int


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
    return goto("place")


async def candidate_places(ctx: Context, role: str) -> list[list]:
    """[label, ward, area, group] for each place at the role's scope that the inviter may grant in."""
    scope = SCOPE[Role(role)]
    grants = await ctx.grants()
    found: list[list] = []
    for ward in sorted({g.ward_code for g in grants}):
        if scope == "ward":
            if may_grant(grants, role, ward, None, None):
                found.append(["", ward, None, None])
            continue
        for area in await areas_of(ctx.session, ward):
            if scope == "area":
                if may_grant(grants, role, ward, area.id, None):
                    found.append([area.name, ward, area.id, None])
                continue
            for group in await groups_of(ctx.session, area.id or 0):
                if may_grant(grants, role, ward, area.id, group.id):
                    found.append([f"{group.name}, {area.name}", ward, area.id, group.id])
    return found


@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    places = ctx.data["places"]
    ctx.reply(_("For which place?"), [Choice(p[0], PickPlace(i)) for i, p in enumerate(places[:40])])


@flow.on("place")
async def on_place(ctx: Context) -> Outcome:
    index = PickPlace.expect(ctx).index
    places = ctx.data["places"]
    if not 0 <= index < len(places):
        raise NotChosen()
    return await make(ctx, places[index])


async def make(ctx: Context, place: list) -> Outcome:
    _label, ward, area_id, group_id = place
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
    place_name = _label or ""
    if area_id is None and group_id is None:
        place_name = ""
    elif group_id is not None:
        group = await ctx.session.get(Group, group_id)
        place_name = group.name if group else place_name
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
