"""Alerts about criminal methods: compose and target, deliver through the outbox, acknowledge, list, scam check."""

from __future__ import annotations

from handlers.alerts import ack, compose, digest, personal, progress, scamcheck, source, targeting, view  # noqa: F401
from handlers.alerts.base import compose as compose_flow
from handlers.alerts.base import router, scam_check

router.flow(compose_flow)
router.flow(scam_check)

__all__ = ["router"]
