"""Grassroots mediation (/hoagiai): requests screened for police matters, assignment free of conflicts of
interest, sessions with reminders, outcomes and their follow-up, the mediation book, digest figures."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.router import Router
from bot.i18n import N_
from handlers.mediation import (
    book,
    data,
    figures,
    handling,
    invite,
    outcome,
    profile,
    request,
    schedule,
    view,
)

router = Router("mediation")

__all__ = ["figures", "router"]


@router.command("hoagiai", "mediate", help=N_("Ask for mediation of a dispute, or follow your cases"))
async def mediate(ctx: Context) -> None:
    code = ctx.event.args.strip()
    if code:
        await invite.redeem(ctx, code)
        return
    await view.overview(ctx)


@router.command(
    "sohoagiai",
    "mediationbook",
    help=N_("Export the mediation book (CSV and Excel), e.g. /sohoagiai 2026"),
    roles=book.BOOK_ROLES,
)
async def mediation_book(ctx: Context) -> None:
    await book.export(ctx)


for _prefix, _handler in {
    "hgo": handling.open_case,
    "hgn": handling.new_request,
    "hgt": handling.take,
    "hga": handling.assign_menu,
    "hgm": handling.assign_to,
    "hgc": handling.declare_conflict,
    "hgw": handling.withdraw,
    "hgs": schedule.start,
    "hgy": schedule.confirm,
    "hgr": schedule.ask_change,
    "hgx": outcome.start,
    "hgf": outcome.answer,
    "hgpf": profile.start,
    "hgi": invite.menu,
    "hgip": invite.make_code,
}.items():
    router.choice(_prefix)(_handler)

for _flow in (request.flow, schedule.flow, schedule.retime, outcome.flow, profile.flow):
    router.flow(_flow)

router.tick("mediation_reminders", every=timedelta(minutes=10))(schedule.remind)
router.tick("mediation_followup", every=timedelta(hours=1))(outcome.follow_up)
router.digest_section("mediation", order=60)(figures.mediation_section)
router.digest_column("mediation", order=60, header=N_("Mediation (agreed/closed)"))(figures.mediation_column)
router.personal_data("mediation", tables=data.TABLES, export=data.export, erase=data.erase)
