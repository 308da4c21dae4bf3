"""/bantin (/digest): anyone turns their weekly digest off or on, by a word or by its button."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from bot.textnorm import fold
from handlers.reports.buttons import DigestSwitch

router = Router("reports.digest_switch")

OFF, ON = {"tat", "off", "khong"}, {"bat", "on", "co"}


@router.command("bantin", "digest", help=N_("Turn the weekly digest off or on"))
async def digest_command(ctx: Context) -> None:
    word = fold((ctx.event.args or "").strip())
    if word in OFF or word in ON:
        set_digest(ctx, word in ON)
        return
    person = ctx.person
    assert person is not None
    state = _("on") if person.digest_enabled else _("off")
    ctx.reply(
        _("Your weekly digest (Monday morning) is {state}.").format(state=state),
        [
            Choice(_("Turn it off"), DigestSwitch("off"))
            if person.digest_enabled
            else Choice(_("Turn it on"), DigestSwitch("on"))
        ],
    )


@router.choice(DigestSwitch)
async def digest_choice(ctx: Context) -> None:
    pressed = DigestSwitch.read(ctx)
    if pressed is None:
        raise NotChosen()
    if ctx.person is None:
        ctx.reply(_("Type /bantin to see your digest setting."))
        return
    set_digest(ctx, pressed.state == "on")


def set_digest(ctx: Context, enabled: bool) -> None:
    person = ctx.person
    assert person is not None
    person.digest_enabled = enabled
    ctx.session.add(person)
    if enabled:
        ctx.reply(
            _("The weekly digest is on: you will get it on Monday mornings. Type /bantin tat to stop it.")
        )
    else:
        ctx.reply(_("The weekly digest is off. Type /bantin bat to get it again."))
