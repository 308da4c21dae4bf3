"""The firesafety feature's table of contents: its router and everything it declares."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.firesafety import digest, figures, privacy, ticks
from handlers.firesafety.flows import advice, checklist, menu, points, renew, teams
from models import Role

router = Router("firesafety")
router.include(
    menu.router,  # /pccc: the resident's checklist, the leaders' menu, the ward's settings
    checklist.router,  # the checklist offered after the pledge
    renew.router,  # a refilled extinguisher's new date, from a reminder
    teams.router,  # liên gia teams
    points.router,  # public fire points and their monthly checks
)

router.flow(checklist.flow)
router.flow(renew.flow)
router.flow(teams.flow)
router.flow(points.flow)
router.flow(points.note_flow)
router.flow(advice.flow)

router.tick("firesafety.reminders", every=timedelta(hours=1))(ticks.remind)
router.digest_section("firesafety", order=45)(digest.section)
router.year_figure(
    "firesafety.checklist_share",
    label=N_("Households with the year's fire-safety checklist"),  # read in January about last year too
    unit="share",
    order=60,
)(figures.checklist_share)
router.year_figure(
    "firesafety.extinguisher_share",
    label=N_("Households with a valid fire extinguisher"),
    unit="share",
    order=61,
)(figures.extinguisher_share)
router.year_figure(
    "firesafety.fire_points_checked_share",
    label=N_("Public fire points checked every month"),
    unit="share",
    order=62,
)(figures.fire_points_checked_share)
router.personal_data(
    "firesafety", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)
router.menu("pccc", label=N_("Fire safety (PCCC)"), order=45, roles=[Role.GROUP_ADMIN])
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
