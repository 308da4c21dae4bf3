"""The checklist offered in the pledge's sitting: once a household has signed its pledge, a member who may also
fill in this year's fire-safety checklist is asked, with one button, whether to do it now."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Choice
from bot.i18n import _
from handlers.firesafety.buttons import StartChecklist
from handlers.firesafety.store import checklist_due
from models import Household


async def offer_checklist(ctx: Context, household: Household) -> None:
    """After the pledge: offer this household's fire-safety checklist if its ward uses it and it is not done."""
    if not await checklist_due(ctx.session, household):
        return
    ctx.reply(
        _(
            "Your household has not filled in this year's fire-safety checklist (PCCC) yet: six short questions, "
            "each with advice from the ward. Do it now?"
        ),
        [Choice(_("Fill in the fire-safety checklist"), StartChecklist(household.id or 0))],
    )
