"""Everything the tips feature plugs into the app: its commands and buttons (the flows/ routers), its forms,
scheduled work, digest section, scam-check source and personal data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.tips import detect, digest, privacy, rewards_privacy, scam, ticks, year
from handlers.tips.flows import (
    answer,
    lookup,
    police,
    police_actions,
    police_forms,
    report,
    reward_claim,
    submit,  # noqa: F401  (it adds the tip form's steps from the ward on)
    withdraw,
)
from handlers.tips.flows import rewards as reward_flows
from models import Role, Tip, TipMessage
from models.tip_rewards import TipReward

router = Router("tips")
router.include(report.router, lookup.router, answer.router, police.router, police_actions.router)
router.include(reward_flows.router)
router.include(withdraw.router)

router.flow(report.flow)
router.flow(report.emergency_flow)
router.flow(lookup.code_flow)
router.flow(lookup.status_flow)
router.flow(answer.answer_flow)
router.flow(reward_flows.decide_flow)
router.flow(reward_flows.check_flow)
router.flow(reward_flows.payout_flow)
router.flow(reward_claim.choice_flow)
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
    forget_chats=privacy.forget_routes,
)
router.personal_data(
    "tip_rewards",
    tables=(TipReward,),
    export=rewards_privacy.export_rewards,
    erase=rewards_privacy.erase_rewards,
    summary=rewards_privacy.summary,
)
router.year_figure("tips.received", label=N_("Tips received"), unit="count", order=40)(year.received)
router.year_figure("tips.useful", label=N_("Tips found useful"), unit="count", order=41)(year.useful)
router.year_figure("tips.rewarded", label=N_("Tips rewarded"), unit="count", order=42)(year.rewarded)

router.menu("togiac", label=N_("Report to the police"), order=10)
router.menu("tracuu", label=N_("Follow a tip I sent"), order=60)
router.menu("tinbao", label=N_("Tips received"), order=10, roles=[Role.POLICE])
router.intents(
    Path(__file__).with_name("intents.toml"),
    detectors={"tip_lookup": detect.receipt_code},
    examples=Path(__file__).with_name("examples.tsv"),
)
