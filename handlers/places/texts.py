"""Texts shown in several places of the feature: the links that share an invite, and a join link's state."""

from __future__ import annotations

from bot.core.context import Context
from bot.directory.invites import is_open, links
from bot.i18n import _, fmt_date
from bot.settings import Settings
from models import Invite


def web_chat_url(settings: Settings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def zalo_file_text(ctx: Context, there: str) -> str:
    """Zalo cannot send files to a bot: how to send one from the web chat as oneself, `there` saying what to do in
    it. Told only to open the web chat and type the command, a ward admin met a stranger's chat there, asked to
    register from the start, where the command was not theirs: the web chat becomes theirs with /lienket. (No
    numbered steps: on Zalo a numbered line is a choice to type.)"""
    return "\n".join(
        [
            _("Files cannot be sent to me on Zalo: send it from the web chat, as yourself."),
            _(
                "First type /lienket here: I give you a code. Then open {url} and type there /lienket with that "
                "code: the web chat becomes yours, with your role."
            ).format(url=web_chat_url(ctx.app.settings))
            + " "
            + there,
            _("Or type /huy to stop."),
        ]
    )


def share_links(ctx: Context, code: str) -> list[str]:
    """The invite's links on every channel that has one (web chat, Telegram), and how to use it on Zalo."""
    found = links(ctx.app.settings, code)
    found.update(
        {name: link for name, channel in ctx.app.channels.items() if (link := channel.join_link(code))}
    )
    return [*found.values(), _("On Zalo: type /thamgia {code} in the chat with the bot.").format(code=code)]


def leader_invite_text(ctx: Context, place: str, code: str, invite: Invite) -> str:
    lines = [
        _("Invite for the leader of {place}: code {code}").format(place=place, code=code),
        _("It works once, until {date}.").format(date=fmt_date(invite.expires_at)),
        _("Share this link, or ask them to type /thamgia {code} in the chat:").format(code=code),
        *share_links(ctx, code),
    ]
    return "\n".join(lines)


def link_state(invite: Invite) -> str:
    """ "used by 3 of 50, valid until 30 Nov 2026" / "withdrawn" / "expired" / "full"."""
    used = _("used by {uses} of {max}").format(uses=invite.uses, max=invite.max_uses)
    if invite.revoked_at is not None:
        return _("{used}; withdrawn").format(used=used)
    if is_open(invite):
        return _("{used}; valid until {date}").format(used=used, date=fmt_date(invite.expires_at))
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return _("{used}; full").format(used=used)
    return _("{used}; expired on {date}").format(used=used, date=fmt_date(invite.expires_at))
