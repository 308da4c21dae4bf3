"""/lienket (/link): show a code on the app a person already uses, type it on another, and be one person on both."""

from __future__ import annotations

from sqlmodel import select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from handlers.help import CHANNEL_NAMES
from handlers.linking.buttons import PushTo
from handlers.linking.merge import merge_people
from handlers.linking.store import VALID_MINUTES, LinkError, Purpose, consume, error_text, find_counted, issue
from models import ChannelIdentity, Person
from models.base import pk

router = Router("linking.accounts")


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


@router.command(
    "lienket", "link", help=N_("Use An Dân on another chat app too (Telegram, Zalo, web)"), needs_person=False
)
async def link(ctx: Context) -> None:
    typed = ctx.event.args.strip()
    if typed:
        await redeem(ctx, typed)
        return
    if ctx.person is None:
        ctx.reply(
            _(
                "If you already use An Dân on another chat app, type /lienket there to get a code, then type "
                "/lienket followed by that code here. If you are new, type /start to register."
            )
        )
        return
    code = await issue(ctx.session, ctx.app.keyring, Purpose.IDENTITY, ctx.person_id)
    ctx.audit("identity.link_code_issued", "person", str(ctx.person_id))
    ctx.reply(
        _(
            "Your link code: {code}\n\nOpen An Dân on your other chat app (Telegram, Zalo or the web chat) "
            "and type there:\n/lienket {code}\n\nThe code works once, for {minutes} minutes. Your role, group "
            "and history will then be the same there. Never share this code: whoever types it could act "
            "as you."
        ).format(code=code, minutes=VALID_MINUTES)
    )


async def redeem(ctx: Context, typed: str) -> None:
    found = await find_counted(ctx, typed, {Purpose.IDENTITY})
    if found is None:
        return
    keep = await ctx.session.get(Person, found.person_id)
    if keep is None:
        ctx.reply(error_text(LinkError.UNKNOWN))
        return
    if ctx.person is not None and ctx.person.id == keep.id:
        ctx.reply(_("This chat already belongs to your account. Type the code on your other chat app."))
        return
    if not await consume(ctx.session, found):
        ctx.reply(error_text(LinkError.USED))
        return
    merged_id = None
    if ctx.identity is None:
        identity = ChannelIdentity(
            person_id=found.person_id,
            channel=ctx.event.channel,
            external_user_id=ctx.event.user_id,
            chat_id=ctx.event.chat_id,
            last_interaction_at=clock.now(),
        )
        ctx.session.add(identity)
        await ctx.session.flush()
    else:
        identity = ctx.identity
        gone = ctx.person
        assert gone is not None
        merged_id = gone.id
        await merge_people(ctx.session, keep, gone)
        identity.person_id = found.person_id  # the bulk move does not touch this already-loaded row
    ctx.person, ctx.identity = keep, identity
    ctx.forget_grants()
    ctx.set_locale(keep.locale)
    ctx.audit("identity.linked", "person", str(keep.id), channel=ctx.event.channel, merged_person=merged_id)
    ctx.reply(_("Done: this chat is now linked to your account. Your roles and groups are the same here."))
    await offer_push_choice(ctx, identity)


async def offer_push_choice(ctx: Context, here: ChannelIdentity) -> None:
    """Replies always come back where one writes; pushed alerts and reminders go to one chosen app."""
    person = ctx.person
    assert person is not None
    others = (
        await ctx.session.exec(
            select(ChannelIdentity).where(
                ChannelIdentity.person_id == person.id, ChannelIdentity.id != here.id
            )
        )
    ).all()
    current = next((i for i in others if i.id == person.preferred_identity_id), None)
    if current is None or current.channel == here.channel:
        return
    ctx.reply(
        _("Where should alerts, reminders and the weekly digest reach you?"),
        [
            Choice(_("Here ({channel})").format(channel=channel_name(here.channel)), PushTo(pk(here))),
            Choice(_("Keep {channel}").format(channel=channel_name(current.channel)), PushTo(pk(current))),
        ],
    )


@router.choice(PushTo)
async def push_to(ctx: Context) -> None:
    pressed = PushTo.read(ctx)
    identity = await ctx.session.get(ChannelIdentity, pressed.identity_id) if pressed else None
    if ctx.person is None or identity is None or identity.person_id != ctx.person.id:
        raise NotChosen()  # an account since unlinked, or another person's button
    ctx.person.preferred_identity_id = identity.id
    ctx.session.add(ctx.person)
    ctx.reply(
        _("Alerts, reminders and the weekly digest will reach you on {channel}.").format(
            channel=channel_name(identity.channel)
        )
    )
