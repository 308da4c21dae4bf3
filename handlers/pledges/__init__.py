"""Household pledges ("An toàn về ANTT", Thông tư 124/2021/TT-BCA): campaigns, households, signing, coverage.

Its modules declare commands and flows on the shared router; the reminder tick, the digest section and column,
the personal-data provider and `routes(app)` (the web check of verification codes) are declared below.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import N_
from handlers.pledges import (  # noqa: F401 - each module declares its commands and flows on the shared router
    campaigns,
    digest,
    households,
    membership,
    privacy,
    registration,
    reminders,
    report,
    signing,
)
from handlers.pledges.common import router
from handlers.pledges.web import routes

router.http_routes = routes  # GET /camket/<code>: anyone can check a pledge's verification code
router.tick("pledge_reminders", every=timedelta(hours=1))(reminders.remind)
router.digest_section("pledges", order=40)(digest.pledges_section)
router.digest_column("pledge_coverage", order=40, header=N_("Pledges signed"))(digest.pledge_column)
router.personal_data("pledges", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase)

__all__ = ["router", "routes"]
