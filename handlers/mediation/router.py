"""Everything mediation plugs into the app: the routers of its screens and forms (commands and buttons), its
forms in the order people meet them, its scheduled work, its digest figures and its personal data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.mediation import digest, privacy, ticks
from handlers.mediation.flows import (
    book,
    case,
    handling,
    invite,
    outcome,
    overview,
    profile,
    request,
    schedule,
)
from handlers.mediation.year import cases, settled_share  # figures for the year's review
from models import Role

router = Router("mediation")
router.include(
    overview.router,
    case.router,
    handling.router,
    schedule.router,
    outcome.router,
    invite.router,
    profile.router,
    book.router,
)

router.flow(request.flow)
router.flow(schedule.flow)
router.flow(schedule.retime)
router.flow(outcome.flow)
router.flow(profile.flow)

router.tick("mediation_reminders", every=timedelta(minutes=10))(ticks.remind)
router.tick("mediation_followup", every=timedelta(hours=1))(ticks.follow_up)
router.digest_section("mediation", order=60)(digest.mediation_section)
router.year_figure("mediation.cases", label=N_("Mediation cases received"), unit="count", order=40)(cases)
router.year_figure("mediation.settled_share", label=N_("Mediation cases settled"), unit="share", order=41)(
    settled_share
)
router.digest_column("mediation", order=60, header=N_("Mediation (agreed/closed)"))(digest.mediation_column)
router.personal_data(
    "mediation", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)

router.menu("hoagiai", label=N_("Ask for mediation"), order=50)
router.menu(
    "hoagiai",
    label=N_("Mediation cases"),
    order=10,
    roles=[Role.MEDIATOR, Role.MEDIATION_HEAD, Role.AREA_LEADER, Role.GROUP_ADMIN],
)
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
