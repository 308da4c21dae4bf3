"""The pledges feature's table of contents: everything it plugs into the app is declared here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.pledges import digest, moves, privacy, ticks
from handlers.pledges.flows import (
    campaigns,
    household_groups,  # noqa: F401 - /hogiadinh's first question
    households,
    join_requests,
    membership,
    registration,
    report,
    signing,
)
from handlers.pledges.web import routes
from handlers.pledges.year import signed_share  # figures for the year's review
from models import Role

router = Router("pledges")
router.include(
    campaigns.router,  # /chiendich
    households.router,  # /hogiadinh
    membership.router,  # /hocuatoi
    join_requests.router,  # a leader's answer to a request to join a household
    registration.router,  # /dangky
    report.router,  # /baophu
    signing.router,  # /camket
)

# In the order of a campaign: the ward admin opens it (and may edit its text), area leaders register their areas,
# group admins keep the household lists, residents join their household and sign.
router.flow(campaigns.opening)
router.flow(campaigns.editing)
router.flow(registration.flow)
router.flow(households.flow)
router.flow(membership.flow)
router.flow(signing.flow)

router.tick("pledge_reminders", every=timedelta(hours=1))(ticks.remind)
router.tick("pledge_moves", every=timedelta(hours=1))(moves.end_moved_links)  # links to a group people left
router.digest_section("pledges", order=40)(digest.pledges_section)
router.year_figure(
    "pledges.signed_share", label=N_("Households that signed the pledge"), unit="share", order=10
)(signed_share)
router.digest_column("pledge_coverage", order=40, header=N_("Pledges signed"))(digest.pledge_column)
router.personal_data(
    "pledges", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)
router.http_routes = routes  # GET /camket/<code>: anyone can check a pledge's verification code

router.menu("camket", label=N_("Sign the household pledge"), order=40)
# The ward admin too: the ward office holds the lists, and a group without a leader yet has nobody else to enter it.
router.menu(
    "hogiadinh", label=N_("Households of my group"), order=30, roles=[Role.GROUP_ADMIN, Role.WARD_ADMIN]
)
router.menu(
    "baophu",
    label=N_("Pledge coverage"),
    order=40,
    roles=[Role.GROUP_ADMIN, Role.AREA_LEADER, Role.POLICE, Role.WARD_ADMIN],
)
router.menu("dangky", label=N_("Register the area for the pledge"), order=20, roles=[Role.AREA_LEADER])
router.menu("chiendich", label=N_("The pledge campaign"), order=50, roles=[Role.WARD_ADMIN])
router.intents(Path(__file__).with_name("intents.toml"), examples=Path(__file__).with_name("examples.tsv"))
