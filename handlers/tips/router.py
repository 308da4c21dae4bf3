"""Everything the tips feature plugs into the app: its commands and buttons (the flows/ routers), its forms,
scheduled work, digest section, scam-check source and personal data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.tips import detect, digest, privacy, scam, ticks
from handlers.tips.flows import (
    lookup,
    police,
    police_actions,
    police_forms,
    report,
    submit,  # noqa: F401  (it adds the tip form's steps from the ward on)
)
from models import Role, Tip, TipMessage

router = Router("tips")
router.include(report.router, lookup.router, police.router, police_actions.router)

router.flow(report.flow)
router.flow(report.emergency_flow)
router.flow(lookup.code_flow)
router.flow(lookup.status_flow)
router.flow(police_forms.answer_flow)
router.flow(police_forms.close_flow)
router.flow(police_forms.extend_flow)

router.tick("tips.clocks", every=timedelta(hours=1))(ticks.remind_clocks)
router.tick("tips.retention", every=timedelta(hours=6))(ticks.purge)
router.digest_section("tips", order=40)(digest.digest)
router.scam_source("tip")(scam.scam_reports)
router.personal_data(
    "tips",
    tables=(Tip, TipMessage),
    export=privacy.export_tips,
    erase=privacy.erase_tips,
    summary=privacy.summary,
)

router.menu("togiac", label=N_("Report to the police"), order=10)
router.menu("tracuu", label=N_("Follow a tip I sent"), order=60)
router.menu("tinbao", label=N_("Tips received"), order=10, roles=[Role.POLICE])
router.intents(
    Path(__file__).with_name("intents.toml"),
    detectors={"tip_lookup": detect.receipt_code},
    examples=Path(__file__).with_name("examples.tsv"),
)
