"""The chat page itself: its words in the person's language (`page_strings`, also what `GET /api/page` answers),
the HTML filled in with them, the static files beside it (static/), the service worker, and the /join link."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.web.sessions import Sessions
from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.channels.web.push import WebPush

STATIC_DIR = Path(__file__).with_name("static")


def page_strings() -> dict[str, str]:
    """The page's own words, in the current locale: the template and the script both take them from here."""
    return {
        "title": "An Dân",
        "subtitle": _("Neighbourhood safety, together"),
        "placeholder": _("Type a message…"),
        "send": _("Send"),
        "attach": _("Attach a photo or file"),
        "location": _("Share my location"),
        "offline": _("Cannot reach the server. Retrying…"),
        "retry": _("Retry now"),
        "menu": _("Menu"),
        "menu_hint": _("Show the main menu"),
        "large_text": _("Large text"),
        "notify": _("Notifications"),
        "notify_hint": _("Tell me about new messages when this page is not open"),
        "notify_denied": _(
            "Notifications are blocked for this page. You can allow them in your browser's site settings."
        ),
        "newline_hint": _("Enter sends; Shift+Enter starts a new line."),
        "you": _("You:"),
        "bot": _("An Dân:"),
        "urgent": _("Urgent alert"),
        "code_label": _("Your receipt code"),
        "code_once": _(
            "An Dân does not keep this code. Once you leave this page it cannot be shown again: copy it or save "
            "it as a picture now."
        ),
        "copy": _("Copy the code"),
        "copied": _("Copied"),
        "copy_failed": _("Could not copy. Please write the code down."),
        "save_picture": _("Save as picture"),
        "picture_title": _("An Dân: receipt code of your tip"),
        "picture_hint": _("To follow your tip, type in any An Dân chat: /tracuu {code}"),
        "picture_name": _("andan-receipt-code"),
        "uploading": _("Sending… {percent}%"),
        "upload_failed": _("The file could not be sent. Please try again."),
        "your_photo": _("Your photo"),
        "unread_title": _("({n}) An Dân"),
        "urgent_title": _("🔴 Urgent alert · An Dân"),
        "push_new": _("You have a new message in An Dân."),
        "push_urgent": _("Urgent alert: open An Dân to read it."),
    }


class Page(Sessions):
    """Part of WebChannel (bot.channels.web.channel): the routes that serve the page and its files."""

    push: WebPush | None
    _page: str  # static/index.html, read once
    _worker: bytes  # static/sw.js, read once

    def _page_info(self, locale: str) -> dict[str, Any]:
        with use_locale(locale) as chosen:
            strings = page_strings()
        push = {"enabled": self.push is not None, "key": self.push.public_key if self.push else None}
        settings = self.app.settings
        return {
            "lang": chosen,
            "strings": strings,
            "push": push,
            "timezone": settings.timezone,
            # What one upload may carry: the page sends files chosen together in as few uploads as fit.
            "upload": {
                "bytes": settings.web_max_upload_mb * 1024 * 1024,
                "files": settings.web_upload_max_parts - 2,
            },
        }

    async def page(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        info = self._page_info(self.app.settings.default_locale if fresh else await self._locale(sid))
        values = {key: html.escape(value) for key, value in info["strings"].items()}
        values["lang"] = info["lang"]
        # Inside <script>: "<" escaped so no text can close the element.
        values["page_json"] = json.dumps(info, ensure_ascii=False).replace("<", "\\u003c")
        page = self._page
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", value)
        response = web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})
        return self._with_cookie(response, fresh)

    async def page_info(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        locale = self.app.settings.default_locale if fresh else await self._locale(sid)
        response = web.json_response(self._page_info(locale), headers={"Cache-Control": "no-store"})
        return self._with_cookie(response, fresh)

    async def favicon(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            STATIC_DIR / "favicon.ico", headers={"Cache-Control": "public, max-age=86400"}
        )

    async def service_worker(self, _request: web.Request) -> web.StreamResponse:
        # Served from the root so its scope is the whole chat; never cached, so a fixed worker reaches people.
        return web.Response(
            body=self._worker, content_type="text/javascript", headers={"Cache-Control": "no-cache"}
        )

    async def join(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"][:64]
        raise web.HTTPFound(f"/#start={code}")
