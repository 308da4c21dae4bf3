"""/help: what this person may do, by role; and /me (/toi): what we hold about them, in sentences a person reads."""

from __future__ import annotations

from sqlmodel import select

from bot.core.context import Context
from bot.core.router import Router
from bot.i18n import N_, _, fmt_datetime
from handlers.common import place_label
from handlers.onboarding import role_name
from models import ChannelIdentity

router = Router("help")

CHANNEL_NAMES = {"web": "Web", "telegram": "Telegram", "zalo_bot": "Zalo Bot", "zalo_oa": "Zalo OA"}
# A feature without its own summary is named in one sentence; the full copy comes with /xoadulieu.
FEATURE_NAMES = {
    "alerts": N_("alerts"),
    "linking": N_("linked group chats"),
    "mediation": N_("mediation"),
    "places": N_("groups you joined"),
    "pledges": N_("pledges"),
    "reach": N_("how alerts reach you"),
    "reports": N_("group reports"),
    "tips": N_("tips"),
}
OTHER_FEATURE = N_("another feature")


@router.command("trogiup", "help", help=N_("What you can do here"), needs_person=False, private_only=False)
async def help_(ctx: Context) -> None:
    roles = await ctx.roles()
    lines: list[str] = []
    if ctx.event.is_group:
        pass  # in a group chat, where a member lives and what they do is nobody else's business
    elif ctx.person is None:
        lines.append(_("You are not registered yet. Type /start to begin."))
    else:
        for g in await ctx.grants():
            lines.append(
                _("You are {role} of {place}.").format(
                    role=role_name(g.role), place=await place_label(ctx.session, g)
                )
            )
    lines.append("")
    lines.append(_("Commands:"))
    for command in ctx.app.registry.unique_commands():
        if command.roles is not None and not roles & command.roles:
            continue
        if command.needs_person and ctx.person is None:
            continue
        if ctx.event.is_group and command.private_only:
            continue
        aliases = " ".join(f"/{n}" for n in command.names[1:])
        what = _(command.help)
        lines.append(f"/{command.name} ({aliases}) — {what}" if aliases else f"/{command.name} — {what}")
    lines.append("/huy (/cancel) — " + _("Leave the current form"))
    lines.append("/quaylai (/back) — " + _("Go back one question"))
    ctx.reply("\n".join(lines))


@router.command("toi", "me", help=N_("What An Dân holds about you"))
async def me(ctx: Context) -> None:
    person = ctx.person
    assert person is not None
    identities = (
        await ctx.session.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person.id))
    ).all()
    lines = [
        _("What we hold about you:"),
        _("Language: {locale}").format(locale="Tiếng Việt" if person.locale == "vi" else "English"),
        _("Agreed to the data notice at {when} (version {version}).").format(
            when=fmt_datetime(person.consented_at), version=person.consent_version
        ),
        _("Chat accounts: {channels}").format(
            channels=", ".join(CHANNEL_NAMES.get(i.channel, i.channel) for i in identities)
        ),
        _("Weekly digest: {state}").format(state=_("on") if person.digest_enabled else _("off")),
    ]
    for g in await ctx.grants():
        lines.append(
            _("Role: {role} of {place}").format(
                role=role_name(g.role), place=await place_label(ctx.session, g)
            )
        )
    for provider in ctx.app.registry.personal_data.values():
        if provider.summary is not None:
            lines += await provider.summary(ctx.session, person)
        elif await provider.export(ctx.session, person):
            lines.append(
                _(
                    "An Dân also keeps records of yours about {feature}; /forget gives you a full copy."
                ).format(feature=_(FEATURE_NAMES.get(provider.name, N_("another feature"))))
            )
    lines.append("")
    lines.append(_("To receive a full copy and erase your data, type /forget."))
    ctx.reply("\n".join(lines))
