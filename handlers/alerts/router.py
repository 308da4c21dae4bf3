"""Everything the alerts feature plugs into the app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.alerts import detect, digest, privacy, scam_source, ticks
from handlers.alerts.flows import ack, compose, progress, scamcheck, view
from handlers.alerts.year import ack_share  # figures for the year's review
from models import Alert, AlertAck, Role

router = Router("alerts")
router.include(compose.router, scamcheck.router, view.router, progress.router, ack.router)

router.flow(compose.flow)
router.flow(scamcheck.flow)

router.tick("alerts.release", every=timedelta(minutes=1))(ticks.release_scheduled)
router.digest_section("alerts", order=20)(digest.alerts_section)
router.year_figure(
    "alerts.ack_share", label=N_("Warnings acknowledged by residents"), unit="share", order=50
)(ack_share)
router.digest_column("alert_acks", order=20, header=N_("Alerts read / received"))(digest.alert_acks)
router.scam_source("alert")(scam_source.alert_source)
router.personal_data(
    "alerts", tables=(Alert, AlertAck), export=privacy.export, erase=privacy.erase, summary=privacy.summary
)

router.menu("kiemtra", label=N_("Check a suspicious message or number"), order=20)
router.menu("canhbao", label=N_("Recent warnings"), order=30)
router.menu("soancanhbao", label=N_("Write a warning"), order=20, roles=[Role.POLICE, Role.GROUP_ADMIN])
router.intents(
    Path(__file__).with_name("intents.toml"),
    detectors={"scamcheck": detect.pasted_identifiers},
    examples=Path(__file__).with_name("examples.tsv"),
)
