"""Linking: one person on several chat apps (/lienket), and group chats linked to a group or the ward police
(/lienketnhom), each with a one-time code."""

from __future__ import annotations

from bot.core.router import Router

router = Router("linking")

from datetime import timedelta  # noqa: E402

from handlers.linking import accounts, codes, groups  # noqa: E402,F401  (they declare their commands on `router`)

router.tick("linking.purge_codes", every=timedelta(hours=6))(codes.purge_codes)
router.personal_data("linking", tables=codes.TABLES, export=codes.export, erase=codes.erase)
