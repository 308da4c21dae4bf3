"""`GET /camket/<code>`: check a pledge's verification code on the web (HTML, or JSON when asked for).

Declared in router.py (`router.http_routes`), mounted by the HTTP server. Shows no personal data.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.i18n import use_locale
from handlers.pledges import verify

if TYPE_CHECKING:
    from bot.app import App

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>An Dân</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
.ok{{color:#0a6b2d}}.bad{{color:#a31515}}</style></head><body><h1>An Dân</h1><p class="{css}">{text}</p></body></html>"""


def routes(app: App) -> list[web.RouteDef]:
    async def check(request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"][:32]
        async with app.db.session() as session:
            found = await verify.lookup(session, code)
        wants_json = request.query.get("format") == "json" or "application/json" in request.headers.get(
            "Accept", ""
        )
        with use_locale(request.query.get("lang") or app.settings.default_locale) as locale:
            text = verify.describe(found, code)
        status = 200 if found is not None else 404
        if wants_json:
            body: dict[str, Any] = {"found": found is not None, "text": text}
            if found is not None:
                body.update({k: v for k, v in found.items() if not k.startswith("_")})
            return web.json_response(body, status=status)
        css = "ok" if found and found["valid"] else "bad"
        page = PAGE.format(lang=locale, css=css, text=html.escape(text))
        return web.Response(
            text=page,
            content_type="text/html",
            status=status,
            headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        )

    return [web.get("/camket/{code}", check)]
