"""/lang: choose the language the bot speaks to you; "/lang en", or a language named in words ("switch to english",
"tiếng việt"), switches at once: a person who cannot read the question in the other language must not need to."""

from __future__ import annotations

from typing import Literal

from bot.core import forms
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.wording import words
from bot.i18n import N_, _

router = Router("language")
flow = Flow("language", steps=("pick",))


class Lang(Payload, prefix="lang"):
    code: Literal["vi", "en"]


@router.command("ngonngu", "lang", help=N_("Change language"), needs_person=False, beside_form=True)
async def lang(ctx: Context) -> None:
    named = ctx.event.args.strip().lower()
    if named in CODES:
        switch(ctx, CODES[named])
        return
    ctx.begin("language")


# What "/lang X" takes, and the languages named in words (folded) that the plain-words reader passes to it.
CODES = {"vi": "vi", "en": "en"}
NAMED = {
    "en": ("english", "tieng anh", "anh ngu", "in english"),
    "vi": ("vietnamese", "tieng viet", "viet ngu"),
}
NAMED_SCORE = 3.0  # a strong phrase's weight: it offers the switch, run at once when nothing else is read


def language_named(text: str) -> float | tuple[float, str]:
    """(NAMED_SCORE, code) when the words name one language the bot speaks ("switch to english", "tiếng việt
    đi"); 0 otherwise, or when both are named."""
    said = f" {' '.join(words(text))} "
    found = [code for code, names in NAMED.items() if any(f" {name} " in said for name in names)]
    return (NAMED_SCORE, found[0]) if len(found) == 1 else 0.0


def switch(ctx: Context, code: str) -> None:
    ctx.set_locale(code)
    ctx.reply(_("From now on I will speak English with you."))


@router.choice(Lang)
async def pressed_later(ctx: Context) -> None:
    """A language button of an earlier message (the language question of /ngonngu or of joining, scrolled back
    to), outside any form: it means what it says. Before, "this button belongs to an old message"."""
    pressed = Lang.read(ctx)
    if pressed is None:
        raise NotChosen()
    if ctx.state.flow:
        # In a form (joining, the language chosen a moment ago): its question stays the one to answer.
        ctx.reply(_("That button belongs to an earlier question. Please answer this one:"))
        await forms.reask(ctx)
        return
    if ctx.person is not None and ctx.person.locale == pressed.code:
        ctx.reply(_("I am speaking English with you already."))  # pressed again: nothing to repeat
        return
    switch(ctx, pressed.code)


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    ctx.reply(_("Choose your language:"), [Choice("Tiếng Việt", Lang("vi")), Choice("English", Lang("en"))])


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    switch(ctx, Lang.expect(ctx).code)
    return finish()


router.flow(flow)
