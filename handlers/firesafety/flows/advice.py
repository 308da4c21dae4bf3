"""The ward admin rewrites the short advice shown with a checklist item (or goes back to the shipped one)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.db import execute
from bot.i18n import _
from handlers.firesafety import texts
from handlers.firesafety.buttons import EditAdvice, ResetAdvice
from models.fire_safety import FireSafetyAdvice

flow = Flow("firesafety_advice", steps=("item", "text"))


@flow.ask("item")
async def ask_item(ctx: Context) -> None:
    ctx.reply(
        _("Which item's advice do you want to rewrite?"),
        [Choice(_(texts.NAMES[item]), EditAdvice(item)) for item in texts.ITEMS],  # type: ignore[arg-type]
    )


@flow.on("item")
async def on_item(ctx: Context) -> Outcome:
    ctx.data["item"] = EditAdvice.expect(ctx).item
    return goto("text")


@flow.ask("text")
async def ask_text(ctx: Context) -> None:
    current = await texts.advice(ctx.session, ctx.data["ward_code"], ctx.data["item"])
    ctx.reply(
        _("The advice shown now:\n{advice}\n\nType the new advice (at most {n} characters).").format(
            advice=current, n=ctx.app.settings.firesafety_advice_max_length
        ),
        [Choice(_("Use the standard advice"), ResetAdvice())],
    )


@flow.on("text")
async def on_text(ctx: Context) -> Outcome:
    ward_code, item = ctx.data["ward_code"], ctx.data["item"]
    if ResetAdvice.read(ctx) is not None:
        await execute(
            ctx.session,
            delete(FireSafetyAdvice).where(
                col(FireSafetyAdvice.ward_code) == ward_code, col(FireSafetyAdvice.item) == item
            ),
        )
        ctx.audit("firesafety.advice_reset", "fire_safety_advice", item, ward_code)
        ctx.reply(_("The standard advice is shown again."))
        return finish()
    text = ctx.event.text.strip()
    longest = ctx.app.settings.firesafety_advice_max_length
    if ctx.event.choice or not text:
        return retry(_("Please type the advice as text."))
    if len(text) > longest:
        return retry(
            _("Please keep the advice under {n} characters ({m} now).").format(n=longest, m=len(text))
        )
    row = (
        await ctx.session.exec(
            select(FireSafetyAdvice).where(
                FireSafetyAdvice.ward_code == ward_code, FireSafetyAdvice.item == item
            )
        )
    ).first() or FireSafetyAdvice(ward_code=ward_code, item=item, text=text)
    row.text, row.updated_by, row.updated_at = text, ctx.person_id, clock.now()
    ctx.session.add(row)
    ctx.audit("firesafety.advice_edited", "fire_safety_advice", item, ward_code)
    ctx.reply(_("Saved: households now see this advice with “{item}”.").format(item=_(texts.NAMES[item])))
    return finish()
