"""Everything the reports feature plugs into the app: its commands and buttons (flows/), its forms, the
reminders tick, its part of the weekly digest and its personal data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.reports import digest, privacy, ticks
from handlers.reports.flows import digest_switch, police, setup, submit
from handlers.reports.year import missed, on_time_share  # figures for the year's review
from models import ReportConfig, ReportSubmission, Role

router = Router("reports")
# This order is the order of the commands in /help and in the README.
router.include(digest_switch.router, submit.router, police.router, setup.router)

router.flow(setup.flow)  # the ward admin sets reports up first
router.flow(submit.pick_group)  # an admin of several groups picks one
router.flow(submit.flow)
router.flow(police.flow)

router.tick("reports.reminders", every=timedelta(minutes=15))(ticks.reports_tick)
router.digest_section("reports", order=60)(digest.reports_section)
router.year_figure("reports.on_time_share", label=N_("Group reports sent on time"), unit="share", order=20)(
    on_time_share
)
router.year_figure("reports.missed", label=N_("Group reports missed"), unit="count", order=21)(missed)
router.digest_column("reported", order=10, header=N_("Reported"))(digest.reported_column)
router.personal_data(
    "reports",
    tables=(ReportSubmission, ReportConfig),
    export=privacy.export_person,
    erase=privacy.erase_person,
    summary=privacy.summary,
)

router.menu("baocao", label=N_("Send the group's report"), order=10, roles=[Role.GROUP_ADMIN])
router.menu("xembaocao", label=N_("Groups' reports"), order=30, roles=[Role.POLICE, Role.WARD_ADMIN])
router.menu("caidatbaocao", label=N_("Set up group reports"), order=60, roles=[Role.WARD_ADMIN])
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
