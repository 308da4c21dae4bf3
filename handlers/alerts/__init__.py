"""Alerts about criminal methods: compose and target, deliver through the outbox, acknowledge, list, scam check."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import N_
from handlers.alerts import ack, compose, digest, personal, progress, scamcheck, source, targeting, view  # noqa: F401
from handlers.alerts.base import compose as compose_flow
from handlers.alerts.base import router, scam_check
from models import Alert, AlertAck

router.flow(compose_flow)
router.flow(scam_check)
router.tick("alerts.release", every=timedelta(minutes=1))(digest.release_scheduled)
router.digest_section("alerts", order=20)(digest.alerts_section)
router.digest_column("alert_acks", order=20, header=N_("Alerts read / received"))(digest.alert_acks)
router.scam_source("alert")(source.alert_source)
router.personal_data("alerts", tables=(Alert, AlertAck), export=personal.export, erase=personal.erase)

__all__ = ["router"]
