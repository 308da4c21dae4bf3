"""Assembles a runnable app: channels configured by settings, and the background services features add."""

from __future__ import annotations

from bot.app import App
from bot.channels.web import WebChannel
from bot.settings import Settings


def build(settings: Settings) -> App:
    app = App(settings)
    if settings.web_enabled:
        app.add_channel(WebChannel(app))
    return app
