"""/linknhom: a group's reusable join links — the link a group leader posts in the group's Zalo group or on the
notice board. Its maker picks how long it stays valid and how many people may join by it; the list shows how
many joined, and any link can be withdrawn."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.invites import create, is_open, join_links, revoke
from bot.directory.people import holds
from bot.i18n import N_, _, fmt_date
from handlers.places import store
from handlers.places.buttons import LinkCap, LinkDays, LinkMenu, LinksFor, RevokeLink
from handlers.places.texts import link_state, share_links
from models import Group, Invite, Role
from models.base import pk

router = Router("places.links")
flow = Flow("places_link", steps=("menu", "days", "cap"))

MAX_BUTTONS = 20
MAX_LISTED = 10
DAY_OPTIONS = (1, 7, 30)
CAP_OPTIONS = (10, 50, 100, 200)
LONGEST_DAYS = 365
MOST_USES = 10_000


async def may_link(ctx: Context, group: Group | None) -> bool:
    """The group's leader, or the admin of its ward, may make and withdraw its join links."""
    if group is None or group.retired_at is not None:
        return False
    grants = await ctx.grants()
    return holds(grants, Role.GROUP_ADMIN, ward_code=group.ward_code, group_id=group.id) or holds(
        grants, Role.WARD_ADMIN, ward_code=group.ward_code
    )


async def linkable_groups(ctx: Context) -> list[Group]:
    grants = await ctx.grants()
    led = {g.group_id for g in grants if g.role == Role.GROUP_ADMIN and g.group_id is not None}
    wards = {g.ward_code for g in grants if g.role == Role.WARD_ADMIN}
    found: dict[int, Group] = {}
    for ward in sorted(wards | {g.ward_code for g in grants if g.group_id in led}):
        for group in await store.groups_of_ward(ctx.session, ward):
            if group.id in led or ward in wards:
                found[pk(group)] = group
    return list(found.values())


@router.command(
    "linknhom",
    "grouplink",
    help=N_("A join link for your group, to post in its Zalo group or on the notice board"),
    roles={Role.GROUP_ADMIN.value, Role.WARD_ADMIN.value},
)
async def group_link(ctx: Context) -> None:
    groups = await linkable_groups(ctx)
    if not groups:
        ctx.reply(
            _("There is no group to make a join link for yet. The ward sets its groups up with /diaban.")
        )
        return
    if len(groups) == 1:
        ctx.begin("places_link", group=groups[0].id)
        return
    if len(groups) > MAX_BUTTONS:
        ctx.reply(
            _("Your ward has many groups: open /diaban, choose “Group join links” and type the group's name.")
        )
        return
    ctx.reply(
        _("For which group?"),
        [Choice((await store.group_label(ctx.session, g))[:60], LinksFor(pk(g))) for g in groups],
    )


@router.choice(LinksFor)
async def on_links_for(ctx: Context) -> None:
    pressed = LinksFor.read(ctx)
    group = await ctx.session.get(Group, pressed.group_id) if pressed else None
    if not await may_link(ctx, group):
        raise NotChosen()
    assert group is not None
    ctx.begin("places_link", group=group.id)


async def current_group(ctx: Context) -> Group | None:
    group = await ctx.session.get(Group, ctx.data["group"])
    return group if await may_link(ctx, group) else None


# The group's links -----------------------------------------------------------------------------------------------
@flow.ask("menu")
async def ask_menu(ctx: Context) -> None:
    group = await ctx.session.get(Group, ctx.data["group"])
    assert group is not None
    label = await store.group_label(ctx.session, group)
    found = (await join_links(ctx.session, pk(group)))[:MAX_LISTED]
    lines = [_("Join links of {group}:").format(group=label)]
    if not found:
        lines.append(_("none yet."))
    for number, invite in enumerate(found, 1):
        lines.append(
            f"{number}. "
            + _("made on {date}, {state}").format(date=fmt_date(invite.created_at), state=link_state(invite))
        )
    lines += [
        "",
        _(
            "Anyone who opens a join link joins {group} as a resident, without asking you: share it only "
            "where your group's households are (their Zalo group, the notice board), and withdraw it when it "
            "has done its job."
        ).format(group=label),
    ]
    choices = [Choice(_("Make a new join link"), LinkMenu("new"))]
    choices += [
        Choice(_("Withdraw link {n}").format(n=number), RevokeLink(pk(invite)))
        for number, invite in enumerate(found, 1)
        if is_open(invite)
    ]
    choices.append(Choice(_("Done"), LinkMenu("done")))
    ctx.reply("\n".join(lines), choices)


@flow.on("menu")
async def on_menu(ctx: Context) -> Outcome:
    pressed = read_any(ctx, LinkMenu, RevokeLink)
    if pressed is None:
        raise NotChosen()
    if isinstance(pressed, LinkMenu) and pressed.action == "done":
        ctx.reply(_("Done."))
        return finish()
    group = await current_group(ctx)
    if group is None:
        ctx.reply(_("You can no longer make join links for this group."))
        return finish()
    if isinstance(pressed, LinkMenu):
        return goto("days")
    assert isinstance(pressed, RevokeLink)
    invite = await ctx.session.get(Invite, pressed.invite_id)
    if invite is None or invite.group_id != group.id or invite.max_uses is None:
        raise NotChosen()
    if await revoke(ctx.session, invite):
        ctx.audit("invite.revoked", "invite", str(invite.id), group.ward_code, uses=invite.uses)
    ctx.reply(
        _(
            "Withdrawn: nobody new can join by that link. The {n} people who joined by it stay in the group."
        ).format(n=invite.uses)
    )
    return retry("")


# A new link -------------------------------------------------------------------------------------------------------
def days_label(days: int) -> str:
    return _("1 day") if days == 1 else _("{n} days").format(n=days)


def with_default(options: tuple[int, ...], default: int) -> list[int]:
    """The usual choice first, then the others in order."""
    return [default, *sorted(set(options) - {default})]


@flow.ask("days")
async def ask_days(ctx: Context) -> None:
    default = ctx.app.settings.join_link_days
    ctx.reply(
        _("How long should the link stay valid?"),
        [
            Choice(
                _("{choice} (recommended)").format(choice=days_label(d)) if d == default else days_label(d),
                LinkDays(d),
            )
            for d in with_default(DAY_OPTIONS, default)
        ],
    )


@flow.on("days")
async def on_days(ctx: Context) -> Outcome:
    days = LinkDays.expect(ctx).days
    if not 1 <= days <= LONGEST_DAYS:
        raise NotChosen()
    ctx.data["days"] = days
    return goto("cap")


@flow.ask("cap")
async def ask_cap(ctx: Context) -> None:
    default = ctx.app.settings.join_link_max_uses
    ctx.reply(
        _("How many people at most may join by it? (Count the group's residents, with some room.)"),
        [
            Choice(
                _("{choice} (recommended)").format(choice=_("{n} people").format(n=n))
                if n == default
                else _("{n} people").format(n=n),
                LinkCap(n),
            )
            for n in with_default(CAP_OPTIONS, default)
        ],
    )


@flow.on("cap")
async def on_cap(ctx: Context) -> Outcome:
    uses = LinkCap.expect(ctx).uses
    if not 1 <= uses <= MOST_USES:
        raise NotChosen()
    group = await current_group(ctx)
    if group is None:
        ctx.reply(_("You can no longer make join links for this group."))
        return finish()
    made = await create(
        ctx.session,
        ctx.app.keyring,
        ctx.app.settings,
        role=Role.RESIDENT.value,
        ward_code=group.ward_code,
        area_id=group.area_id,
        group_id=pk(group),
        created_by=ctx.person_id,
        max_uses=uses,
        days=ctx.data["days"],
    )
    ctx.audit(
        "invite.created",
        "invite",
        str(made.invite.id),
        group.ward_code,
        role=Role.RESIDENT.value,
        max_uses=uses,
        days=ctx.data["days"],
    )
    label = await store.group_label(ctx.session, group)
    lines = [
        _("Join link for {group}: code {code}").format(group=label, code=made.code),
        _("Anyone who opens it until {date} joins {group} as a resident; at most {n} people.").format(
            date=fmt_date(made.invite.expires_at), group=label, n=uses
        ),
        _("Post it in your group's Zalo group or on the notice board:"),
        *share_links(ctx, made.code),
        _("/linknhom shows how many joined, and withdraws it."),
    ]
    ctx.reply("\n".join(lines))
    return finish()
