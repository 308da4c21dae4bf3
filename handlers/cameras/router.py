"""The cameras feature's table of contents: its router and everything it declares."""

from __future__ import annotations

from bot.core.router import Router

router = Router("cameras")
