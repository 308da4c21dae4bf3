"""The aiohttp application: health check, metrics (behind a token), and the routes channels and features serve
(web chat, webhooks).

Every client error is answered 4xx: the `client_errors` middleware answers what bot.guard.http_input refuses and the
broken bodies aiohttp's parser meets while a handler reads them, and bot.logs keeps malformed requests out of
the ERROR log. Request bodies are never inflated (a "Content-Encoding: gzip" body is refused unread by
bot.guard.http_input), and a body is read whole within ANDAN_REQUEST_BODY_SECONDS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

from bot import metrics
from bot.guard.http_input import BODY_SECONDS, BROKEN_BODY, InputRefused
from bot.logs import tame_server_errors

if TYPE_CHECKING:
    from bot.app import App
    from bot.channels.base import Channel

APP_KEY = web.AppKey("andan_app", object)


@web.middleware
async def client_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except InputRefused as refused:
        return web.Response(status=refused.status, text=refused.reason)
    except BROKEN_BODY:  # a body the client broke, met while reading it: not a server error
        raise web.HTTPBadRequest() from None


def build_http(app: App) -> web.Application:
    tame_server_errors()
    http = web.Application(
        client_max_size=(app.settings.web_max_upload_mb + 1) * 1024 * 1024,
        middlewares=[client_errors],
        # aiohttp would inflate a compressed body as it arrives, on the event loop, even the unread rest of a
        # refused request: 1.5 MB of gzip becomes 1.5 GB and every chat waits. No platform compresses its bodies.
        handler_args={"auto_decompress": False},
    )
    http[APP_KEY] = app
    http[BODY_SECONDS] = app.settings.request_body_seconds

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with app.db.session() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception:
            return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok", "channels": sorted(app.channels)})

    http.router.add_get("/healthz", healthz)
    token = app.settings.metrics_token
    if token is not None:  # on the public port only behind its token (bot.metrics)
        http.router.add_get("/metrics", metrics.handler(app, token.get_secret_value()))
    for channel in app.channels.values():  # through the Channel contract only (bot.channels.base)
        http.add_routes(channel.routes())
        http.on_shutdown.append(_releaser(channel))
    for router in app.registry.routers:
        if router.http_routes is not None:
            http.add_routes(router.http_routes(app))
    return http


def build_metrics_http(app: App) -> web.Application:
    """The metrics server of ANDAN_METRICS_PORT: GET /metrics only (behind ANDAN_METRICS_TOKEN when set)."""
    http = web.Application()
    token = app.settings.metrics_token
    http.router.add_get("/metrics", metrics.handler(app, token.get_secret_value() if token else None))
    return http


def _releaser(channel: Channel) -> Callable[[web.Application], Awaitable[None]]:
    async def release(_http: web.Application) -> None:
        await channel.release_requests()

    return release
