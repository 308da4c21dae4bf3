"""/lang: choose the language the bot speaks to you."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from handlers.common import pick_reason, picked

router = Router("language")
flow = Flow("language", steps=("pick",))


@router.command("ngonngu", "lang", help=N_("Change language"), needs_person=False)
async def lang(ctx: Context) -> None:
    ctx.begin("language")


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    ctx.reply(_("Choose your language:"), [Choice("Tiếng Việt", "lang:vi"), Choice("English", "lang:en")])


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    chosen = picked(ctx, "lang")
    if chosen not in ("vi", "en"):
        return retry(pick_reason())
    ctx.set_locale(chosen)
    ctx.reply(_("From now on I will speak English with you."))
    return finish()


router.flow(flow)
