"""The name and phone a tipper gives when the police are to know who they are: the tip form sent with a name and a
reward claimed by name ask for them in the same two steps, read the same way, as the police record them."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, goto, retry
from bot.core.names import person_name
from bot.i18n import _
from handlers.tips.store import phone_given

MAX_NAME = 100


def name_and_phone_steps(flow: Flow, *, then: str) -> None:
    """Register `flow`'s steps "name" and "phone" (into `ctx.data`'s "name" and "phone"); then the step `then`."""

    @flow.ask("name")
    async def ask_name(ctx: Context) -> None:
        ctx.reply(_("Your full name, as the police should record it:"))

    @flow.on("name", names=True)
    async def on_name(ctx: Context) -> Outcome:
        # Digits are a phone or a house number typed a step early, not a name; "ok" is not one either.
        name = person_name(ctx.event.text, longest=MAX_NAME) if ctx.event.kind == Kind.TEXT else None
        if name is None:
            return retry(_("Please type your full name."))
        ctx.data["name"] = name
        return goto("phone")

    @flow.ask("phone")
    async def ask_phone(ctx: Context) -> None:
        ctx.reply(_("Your phone number, so the police can call you back (or share your contact):"))

    @flow.on("phone")
    async def on_phone(ctx: Context) -> Outcome:
        phone = phone_given(ctx.event)
        if phone is None:
            return retry(
                _("That does not look like a Vietnamese phone number. Please type it like 0912 345 678.")
            )
        ctx.data["phone"] = phone
        return goto(then)
