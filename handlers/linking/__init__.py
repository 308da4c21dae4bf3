"""Linking: one person on several chat apps (/lienket), and group chats linked to a group or the ward police
(/lienketnhom), each with a one-time code."""

from __future__ import annotations

from bot.core.router import Router

router = Router("linking")

from handlers.linking import accounts, groups  # noqa: E402,F401  (they declare their commands on `router`)
