"""/lienketnhom (/linkgroup): a group leader (or the ward police) links a group chat, so the bot posts reminders,
alerts and digests there. The code is made in a private chat and typed inside the group by the same person.

The same on every platform with group chats: Telegram groups, Zalo OA group chats (GMF, chat ids "group:<id>",
only groups the OA owns or manages) and Zalo Bot groups (chat type "GROUP", where the platform offers them)."""

from __future__ import annotations

from sqlmodel import col, delete, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice
from bot.core.router import Router
from bot.db import execute
from bot.directory.people import holds
from bot.i18n import N_, _
from handlers.common import place_label
from handlers.linking.buttons import LinkTarget
from handlers.linking.store import VALID_MINUTES, LinkError, Purpose, consume, error_text, find_counted, issue
from models import Group, LinkCode, LinkedChat, Role, RoleGrant, Ward

router = Router("linking.groups")

LINKERS = {Role.GROUP_ADMIN.value, Role.POLICE.value}


async def targets(ctx: Context) -> list[tuple[Purpose, int, int | None, str]]:
    """(purpose, ward, group, label) of every group chat link this person may make."""
    found: list[tuple[Purpose, int, int | None, str]] = []
    for g in await ctx.grants():
        if g.role == Role.GROUP_ADMIN and g.group_id is not None:
            found.append((Purpose.COMMUNITY, g.ward_code, g.group_id, await place_label(ctx.session, g)))
        elif g.role == Role.POLICE:
            ward = await ctx.session.get(Ward, g.ward_code)
            label = _("Police of {ward}").format(ward=ward.name if ward else g.ward_code)
            found.append((Purpose.POLICE, g.ward_code, None, label))
    return list(dict.fromkeys(found))


@router.command(
    "lienketnhom",
    "linkgroup",
    help=N_("Link a group chat to your group, for reminders and alerts"),
    roles=LINKERS,
    private_only=False,
    needs_person=False,
)
async def link_group(ctx: Context) -> None:
    typed = ctx.event.args.strip()
    if typed:
        await redeem(ctx, typed)
        return
    if ctx.event.is_group:
        ctx.reply(
            _(
                "To link this group chat, first send /lienketnhom to me in a private chat: I will give you a "
                "code to send here."
            )
        )
        return
    options = await targets(ctx)
    if not options:
        ctx.reply(_("You can no longer link a group chat there."))
        return
    if len(options) == 1:
        await make_code(ctx, *options[0][:3])
        return
    ctx.reply(
        _("Which group chat do you want to link?"),
        [
            Choice(label[:60], LinkTarget("p" if purpose == Purpose.POLICE else "c", group or ward))
            for purpose, ward, group, label in options[:20]
        ],
    )


@router.choice(LinkTarget)
async def picked_target(ctx: Context) -> None:
    pressed = LinkTarget.read(ctx)
    if pressed is None:
        raise NotChosen()
    for purpose, ward, group, _label in await targets(ctx):
        if (pressed.kind == "p" and purpose == Purpose.POLICE and ward == pressed.target) or (
            pressed.kind == "c" and purpose == Purpose.COMMUNITY and group == pressed.target
        ):
            await make_code(ctx, purpose, ward, group)
            return
    ctx.reply(_("You can no longer link a group chat there."))


async def make_code(ctx: Context, purpose: Purpose, ward: int, group: int | None) -> None:
    code = await issue(ctx.session, ctx.app.keyring, purpose, ctx.person_id, ward_code=ward, group_id=group)
    ctx.audit("chat.link_code_issued", "linked_chat", None, ward, purpose=purpose.value)
    ctx.reply(
        _(
            "Your group link code: {code}\n\n1. Add me to the group chat (on Telegram: open the group, "
            '"Add member", search for this bot; on Zalo: a group chat our Official Account created or '
            "manages).\n2. From this same account, send in the group:\n"
            "/lienketnhom {code}\n\nThe code works once, for {minutes} minutes."
        ).format(code=code, minutes=VALID_MINUTES)
    )


async def may_link(ctx: Context, row: LinkCode) -> bool:
    """Roles are checked again when the code is used: they may have changed in the meantime."""
    grants = await ctx.grants()
    if row.purpose == Purpose.POLICE:
        return holds(grants, Role.POLICE, ward_code=row.ward_code)
    return any(g.role == Role.GROUP_ADMIN and g.group_id == row.group_id for g in grants)


async def redeem(ctx: Context, typed: str) -> None:
    if not ctx.event.is_group:
        ctx.reply(_("Send this code inside the group chat you want to link, not here."))
        return
    found = await find_counted(ctx, typed, {Purpose.COMMUNITY, Purpose.POLICE})
    if found is None:
        return
    if ctx.person is None or found.person_id != ctx.person.id:
        ctx.reply(
            _(
                "This code was made for another account. Please send it from the same account that asked "
                "for it."
            )
        )
        return
    if not await may_link(ctx, found) or found.ward_code is None or not await consume(ctx.session, found):
        ctx.reply(error_text(LinkError.USED if found.used_at else LinkError.UNKNOWN))
        return
    chat = (
        await ctx.session.exec(
            select(LinkedChat).where(
                LinkedChat.channel == ctx.event.channel, LinkedChat.chat_id == ctx.event.chat_id
            )
        )
    ).first()
    chat = chat or LinkedChat(channel=ctx.event.channel, chat_id=ctx.event.chat_id, ward_code=found.ward_code)
    chat.purpose, chat.ward_code, chat.group_id = found.purpose, found.ward_code, found.group_id
    chat.linked_by, chat.unreachable_at = ctx.person_id, None
    ctx.session.add(chat)
    await ctx.session.flush()
    ctx.audit(
        "chat.linked",
        "linked_chat",
        str(chat.id),
        found.ward_code,
        purpose=found.purpose,
        channel=ctx.event.channel,
    )
    if found.purpose == Purpose.POLICE:
        ward = await ctx.session.get(Ward, found.ward_code)
        ctx.reply(
            _("This group chat now receives the police notices of {ward}.").format(
                ward=ward.name if ward else found.ward_code
            )
        )
        return
    group = await ctx.session.get(Group, found.group_id) if found.group_id else None
    place = await place_label(
        ctx.session,
        RoleGrant(
            person_id=0,
            role="",
            ward_code=found.ward_code,
            area_id=group.area_id if group else None,
            group_id=found.group_id,
        ),
    )
    ctx.reply(
        _(
            "This group chat is now linked to {place}. I will post reminders, alerts and the weekly digest "
            "here. I never ask for personal information in a group: for anything personal, write to me in a "
            "private chat."
        ).format(place=place)
    )


@router.command(
    "huylienketnhom",
    "unlinkgroup",
    help=N_("Stop posting to this group chat"),
    roles=LINKERS,
    private_only=False,
    needs_person=False,
)
async def unlink_group(ctx: Context) -> None:
    if not ctx.event.is_group:
        ctx.reply(_("Send /huylienketnhom inside the group chat you want to unlink."))
        return
    chat = (
        await ctx.session.exec(
            select(LinkedChat).where(
                LinkedChat.channel == ctx.event.channel, LinkedChat.chat_id == ctx.event.chat_id
            )
        )
    ).first()
    if chat is None:
        ctx.reply(_("This group chat is not linked."))
        return
    grants = await ctx.grants()
    allowed = (
        holds(grants, Role.POLICE, ward_code=chat.ward_code)
        if chat.purpose == Purpose.POLICE
        else any(g.role == Role.GROUP_ADMIN and g.group_id == chat.group_id for g in grants)
    )
    if not allowed:
        ctx.reply(
            _("Only the leader of the linked group (or the ward police, for a police chat) can unlink it.")
        )
        return
    ctx.audit("chat.unlinked", "linked_chat", str(chat.id), chat.ward_code, purpose=chat.purpose)
    await execute(ctx.session, delete(LinkedChat).where(col(LinkedChat.id) == chat.id))
    ctx.reply(_("Done: I will no longer post to this group chat."))
