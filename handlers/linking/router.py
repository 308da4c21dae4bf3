"""The linking feature's table of contents: its chat modules, the purge of expired codes, and its personal data."""

from __future__ import annotations

from datetime import timedelta

from bot.core.router import Router
from handlers.linking import privacy, ticks
from handlers.linking.flows import accounts, groups, zns

router = Router("linking")
router.include(accounts.router, groups.router, zns.router)

router.tick("linking.purge_codes", every=timedelta(hours=6))(ticks.purge_codes)
router.personal_data(
    "linking", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)
