"""The alerts router and its two forms, shared by the modules that register steps on them."""

from __future__ import annotations

from bot.core.flow import Flow
from bot.core.router import Router

router = Router("alerts")
compose = Flow(
    "alert_compose",
    steps=(
        "category",
        "severity",
        "title",
        "body",
        "photo",
        "link",
        "watch",
        "scope",
        "areas",
        "groups",
        "when",
        "at",
        "preview",
    ),
)
scam_check = Flow("scam_check", steps=("paste",))
AUTHORS = {"police", "group_admin"}
