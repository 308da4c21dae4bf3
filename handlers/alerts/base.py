"""The alerts router and its two forms, shared by the modules that register steps on them."""

from __future__ import annotations

from bot.core.flow import Flow
from bot.core.router import Router

router = Router("alerts")
compose = Flow("alert_compose", start="category")
scam_check = Flow("scam_check", start="paste")
AUTHORS = {"police", "group_admin"}
