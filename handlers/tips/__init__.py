"""Tips to the ward police: the resident's form, the receipt-code look-up, the police inbox, clocks and retention.

Anonymity is the heart of it: see models/tips.py for what is (and is never) stored. Everything the feature
plugs into the app is declared on its router below.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.tips import extras, lookup, police_forms, report, submit, ticks  # noqa: F401
from handlers.tips.common import router
from models import Tip, TipMessage

router.flow(report.flow)
router.flow(report.emergency_flow)
router.flow(lookup.code_flow)
router.flow(lookup.status_flow)
router.flow(police_forms.answer_flow)
router.flow(police_forms.close_flow)
router.flow(police_forms.extend_flow)

router.tick("tips.clocks", every=timedelta(hours=1))(ticks.remind_clocks)
router.tick("tips.retention", every=timedelta(hours=6))(ticks.purge)
router.digest_section("tips", order=40)(extras.digest)
router.scam_source("tip")(extras.scam_reports)
router.personal_data("tips", tables=(Tip, TipMessage), export=extras.export_tips, erase=extras.erase_tips)

__all__ = ["router"]
