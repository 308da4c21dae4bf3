"""The problems feature's table of contents: the reporter's form and their reports, the ward's inbox and its
short forms, the weekly digest section, the year's figures, personal data, menu entries and plain words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.problems import digest, privacy, ticks, year
from handlers.problems.flows import first_photo, handling, inbox, mine, report
from models import Role

router = Router("problems")
router.include(mine.router, report.router, inbox.router, handling.router, first_photo.router)

router.flow(report.flow)
router.flow(first_photo.flow)  # a photo sent before any form
router.flow(handling.merge_flow)
router.flow(handling.assign_flow)
router.flow(handling.pass_flow)
router.flow(handling.close_flow)

router.tick("problems.purge", every=timedelta(hours=6))(ticks.purge)
router.digest_section("problems", order=55)(digest.digest)
router.year_figure("problems.opened", label=N_("Problems reported"), unit="count", order=60)(year.opened)
router.year_figure("problems.fixed", label=N_("Problems fixed"), unit="count", order=61)(year.fixed)
router.year_figure(
    "problems.median_days_to_fix", label=N_("Median days to fix a problem"), unit="days", order=62
)(year.median_days_to_fix)
router.personal_data(
    "problems", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)

router.menu("phananh", label=N_("Report a problem (lights, rubbish…)"), order=45)
router.menu("xulyphananh", label=N_("Problems reported"), order=20, roles=[Role.WARD_ADMIN, Role.AREA_LEADER])
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
