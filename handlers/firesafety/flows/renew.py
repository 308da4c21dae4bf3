"""From an extinguisher reminder: the household refilled or replaced it and types the new date. The checklist is
copied with the new date (the old row stays as history), so no further reminder is sent for the old date."""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish
from bot.core.router import Router
from bot.i18n import N_, _, fmt_date
from handlers.firesafety.buttons import Renew
from handlers.firesafety.flows.checklist import check_date, record
from handlers.firesafety.store import is_member, latest_checklist
from models.fire_safety import FireSafetyChecklist

router = Router("firesafety.renew")
flow = Flow("firesafety_renew", steps=("date",))
RENEWED = N_("Thank you: the new date {date} is recorded. You will be reminded before it.")


@router.choice(Renew)
async def on_renew(ctx: Context) -> None:
    pressed = Renew.read(ctx)
    checklist = await ctx.session.get(FireSafetyChecklist, pressed.checklist_id) if pressed else None
    if checklist is None or ctx.person is None:
        raise NotChosen()
    if not await is_member(ctx.session, ctx.person_id, checklist.household_id):
        ctx.reply(_("That household is not yours, so its checklist cannot be changed by you."))
        return
    ctx.begin("firesafety_renew", household_id=checklist.household_id)


@flow.ask("date")
async def ask_date(ctx: Context) -> None:
    ctx.reply(_("Type the new refill or expiry date on the extinguisher's label, for example 12/2028."))


@flow.on("date")
async def on_date(ctx: Context) -> Outcome:
    if ctx.event.choice:
        raise NotChosen()
    checked = check_date(ctx)
    if isinstance(checked, Outcome):
        return checked
    old = await latest_checklist(ctx.session, ctx.data["household_id"])
    if old is None or not await is_member(ctx.session, ctx.person_id, old.household_id):
        ctx.reply(_("You are no longer linked to that household, so nothing was kept."))
        return finish()
    from datetime import date

    renewed = FireSafetyChecklist(
        **old.model_dump(exclude={"id", "signed_at", "replaced_at", "current_key", "person_id"}),
        person_id=ctx.person_id,
        signed_at=clock.now(),
    )
    renewed.has_extinguisher = True
    renewed.extinguisher_expires_on = date.fromisoformat(checked)
    await record(ctx, renewed)
    ctx.reply(_(RENEWED).format(date=fmt_date(renewed.extinguisher_expires_on)))
    return finish()
