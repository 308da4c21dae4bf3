"""Assembles a runnable app: channels configured by settings, and the background services features add."""

from __future__ import annotations

from collections.abc import Iterable

from bot.app import App
from bot.channels.web import WebChannel
from bot.core.router import Router
from bot.settings import Settings


def build(settings: Settings, routers: Iterable[Router] | None = None) -> App:
    """The app with its channels and services; `routers` defaults to every feature (handlers.all_routers)."""
    app = App(settings, routers)
    if settings.web_enabled:
        app.add_channel(WebChannel(app))
    if settings.telegram_token is not None:
        from bot.channels.telegram import TelegramChannel

        app.add_channel(TelegramChannel(app))
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo_bot import ZaloBotChannel

        app.add_channel(ZaloBotChannel(app))
    if settings.zalo_oa_app_id is not None:
        from bot.channels.zalo_oa.channel import ZaloOAChannel

        app.add_channel(ZaloOAChannel(app))
    if settings.scheduler_enabled:
        from bot.app.scheduler import install as install_scheduler  # APScheduler: reminders, digests

        install_scheduler(app)
    from bot.delivery import install as install_delivery  # the outbox sender (ANDAN_DELIVERY_ENABLED)

    install_delivery(app)
    from bot import metrics  # counts sends on the channels above, probes the loop (GET /metrics)

    metrics.install(app)
    return app
