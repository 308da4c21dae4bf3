"""Household pledges ("An toàn về ANTT", Thông tư 124/2021/TT-BCA): campaigns, households, signing, coverage.

Importing the package registers its commands, flows, the reminder tick, the digest section and column, and
the personal-data provider. `routes(app)` is the web check of verification codes, for the HTTP server.
"""

from __future__ import annotations

from handlers.pledges import (  # noqa: F401 - each module registers on the shared router
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

__all__ = ["router", "routes"]
