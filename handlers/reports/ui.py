"""The reports feature's router, shared by its command modules."""

from __future__ import annotations

from bot.core.router import Router

router = Router("reports")
