"""The cameras feature's table of contents: its router and everything it declares."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.cameras import digest, figures, privacy, ticks, web
from handlers.cameras.flows import answer, footage, register, request
from models import Role
from models.cameras import Camera, FootageAsk, FootageRequest

router = Router("cameras")
router.include(register.router, request.router, answer.router, footage.router)

router.flow(register.flow)
router.flow(request.flow)
router.flow(answer.flow)

router.tick("cameras.reminders", every=timedelta(hours=1))(ticks.remind)
router.tick("cameras.retention", every=timedelta(hours=6))(ticks.purge)
router.digest_section("cameras", order=45)(digest.digest)
router.year_figure("cameras.registered", label=N_("Security cameras registered"), unit="count", order=60)(
    figures.registered
)
router.year_figure("cameras.requests", label=N_("Footage requests made"), unit="count", order=61)(
    figures.requests
)
router.year_figure(
    "cameras.answered", label=N_("Footage requests answered by owners"), unit="count", order=62
)(figures.answered)
router.year_figure("cameras.useful", label=N_("Footage found useful by the police"), unit="count", order=63)(
    figures.useful
)
router.personal_data(
    "cameras",
    tables=(Camera, FootageAsk, FootageRequest),
    export=privacy.export,
    erase=privacy.erase,
    summary=privacy.summary,
)
router.http_routes = web.routes  # GET/POST /camera/upload/<token>: an owner's one-time upload link

router.menu("xincamera", label=N_("Ask cameras for footage"), order=35, roles=[Role.POLICE])
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
