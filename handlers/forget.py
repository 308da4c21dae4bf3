"""/forget: hand the person a copy of what we hold, then erase it (Law 91/2025 on personal data)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish
from bot.core.payloads import YesNo
from bot.core.router import Router
from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import N_, _
from handlers.common import yes_no
from models import (
    AuditEntry,
    ChannelIdentity,
    ConsentRecord,
    ConversationState,
    Invite,
    OutboxMessage,
    Person,
    RoleGrant,
)

# The account's own tables, exported and erased here after every feature's provider has run (the providers cover
# the features' tables: see Router.personal_data). A test checks that these and the providers' tables together
# are every table that holds a person's id.
ACCOUNT_TABLES = (Person, ChannelIdentity, ConsentRecord, RoleGrant, Invite, OutboxMessage, AuditEntry)

router = Router("forget")
flow = Flow("forget", steps=("confirm",))


# Buttons -----------------------------------------------------------------------------------------------
class ConfirmForget(YesNo, prefix="forget"):
    """Erase my data (after sending me a copy), or keep it."""


@router.command("xoadulieu", "forget", help=N_("Get a copy of your data and erase it"))
async def forget(ctx: Context) -> None:
    ctx.begin("forget")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    ctx.reply(
        _(
            "This sends you a copy of everything An Dân holds about you and then erases it: your account, "
            "roles, chat accounts and the forms you filled in. Anonymous tips are not linked to you and stay "
            "with the police. Records already handed to the police or needed as legal records cannot be "
            "erased; I will list them. Continue?"
        ),
        yes_no(_("Yes, erase my data"), _("No, keep it"), ConfirmForget),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmForget.expect(ctx).yes:
        ctx.reply(_("Nothing was changed."))
        return finish()
    person = ctx.person
    assert person is not None
    copy = await export(ctx, person)
    notes = await erase(ctx, person)
    ctx.reply(
        _("Here is the copy of your data:")
        + "\n"
        + json.dumps(copy, ensure_ascii=False, indent=1, default=str)
    )
    message = _(
        "Your data has been erased. Thank you for taking part; you are welcome back any time with /start."
    )
    if notes:
        message += "\n\n" + _("What could not be erased:") + "\n" + "\n".join(f"• {n}" for n in notes)
    ctx.reply(message)
    return finish()


async def export(ctx: Context, person: Person) -> dict[str, Any]:
    session = ctx.session
    identities = (
        await session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person.id))
    ).all()
    grants = (await session.exec(select(RoleGrant).where(RoleGrant.person_id == person.id))).all()
    data: dict[str, Any] = {
        "person": person.model_dump(),
        "chat_accounts": [{"channel": i.channel, "since": i.created_at} for i in identities],
        "roles": [g.model_dump() for g in grants],
    }
    audited = (
        await session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_person_id == person.id)
        )
    ).one()
    if audited:
        data["actions_recorded"] = int(audited)
    for provider in ctx.app.registry.personal_data.values():
        exported = await provider.export(session, person)
        if exported:
            data[provider.name] = exported
    return data


async def erase(ctx: Context, person: Person) -> list[str]:
    session = ctx.session
    notes: list[str] = []
    for provider in ctx.app.registry.personal_data.values():
        notes += await provider.erase(session, person)
    identities = (
        await session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person.id))
    ).all()
    chats = {(i.channel, i.chat_id) for i in identities}
    for provider in ctx.app.registry.personal_data.values():
        if provider.forget_chats is not None:
            await provider.forget_chats(session, ctx.app.keyring, chats)
    for identity in identities:
        channel = ctx.app.channels.get(identity.channel)
        if channel is not None:
            await channel.forget(session, identity.chat_id)
        key = ctx.app.dispatcher.state_key(identity.channel, identity.chat_id, identity.external_user_id)
        if key != ctx.state.key:
            await execute(session, delete(ConversationState).where(col(ConversationState.key) == key))
    await execute(session, delete(ConsentRecord).where(col(ConsentRecord.person_id) == person.id))
    await execute(session, delete(RoleGrant).where(col(RoleGrant.person_id) == person.id))
    # Messages queued for the person can no longer reach them, and those sent are their content: none is kept.
    await execute(session, delete(OutboxMessage).where(col(OutboxMessage.person_id) == person.id))
    await unlink(session, person, RoleGrant.granted_by, Invite.created_by, Invite.used_by)
    roles_acted = (
        await session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_person_id == person.id)
        )
    ).one()
    if roles_acted:
        # Who did what to a tip or a case (an officer releasing an original, say) is the ward's legal record.
        notes.append(
            _(
                "The ward's audit log keeps {n} entries of what you did and when (such as joining with an "
                "invite, or handling a tip) as a legal record; they hold no name, only a number that no "
                "longer leads to you."
            ).format(n=roles_acted)
        )
    await execute(session, delete(ChannelIdentity).where(col(ChannelIdentity.person_id) == person.id))
    ctx.audit("person.erased", "person", str(person.id))
    await session.delete(person)
    await session.flush()
    ctx.person, ctx.identity = None, None
    return notes


router.flow(flow)
