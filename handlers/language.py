"""/lang: choose the language the bot speaks to you."""

from __future__ import annotations

from typing import Literal

from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _

router = Router("language")
flow = Flow("language", steps=("pick",))


class Lang(Payload, prefix="lang"):
    code: Literal["vi", "en"]


@router.command("ngonngu", "lang", help=N_("Change language"), needs_person=False, beside_form=True)
async def lang(ctx: Context) -> None:
    ctx.begin("language")


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    ctx.reply(_("Choose your language:"), [Choice("Tiếng Việt", Lang("vi")), Choice("English", Lang("en"))])


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    ctx.set_locale(Lang.expect(ctx).code)
    ctx.reply(_("From now on I will speak English with you."))
    return finish()


router.flow(flow)
