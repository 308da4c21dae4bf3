"""Tips to the ward police: the resident's form, the receipt-code look-up, the police inbox, clocks and retention.

Anonymity is the heart of it: see models/tips.py for what is (and is never) stored. Importing the modules below
registers the flows' steps, the digest section, the scam source, the personal-data provider and the ticks.
"""

from __future__ import annotations

from handlers.tips import extras, lookup, police_forms, report, submit, ticks  # noqa: F401
from handlers.tips.common import router

router.flow(report.flow)
router.flow(report.emergency_flow)
router.flow(lookup.code_flow)
router.flow(lookup.status_flow)
router.flow(police_forms.answer_flow)
router.flow(police_forms.close_flow)
router.flow(police_forms.extend_flow)

__all__ = ["router"]
