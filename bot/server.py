"""The aiohttp application: health check, web chat, and the webhook routes channels register."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import App

APP_KEY = web.AppKey("andan_app", object)


def build_http(app: App) -> web.Application:
    http = web.Application(client_max_size=(app.settings.web_max_upload_mb + 1) * 1024 * 1024)
    http[APP_KEY] = app

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with app.db.session() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception:
            return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok", "channels": sorted(app.channels)})

    http.router.add_get("/healthz", healthz)
    for channel in app.channels.values():
        routes = getattr(channel, "routes", None)
        if routes is not None:
            http.add_routes(routes())
        release = getattr(channel, "release_polls", None)
        if release is not None:
            http.on_shutdown.append(release)
    for router in app.registry.routers:
        if router.http_routes is not None:
            http.add_routes(router.http_routes(app))
    return http
