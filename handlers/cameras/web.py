"""`/camera/upload/<token>`: the one-time web upload link a camera owner gets with "I have it" (for chat apps that
cannot send videos, or for large files). Declared in router.py (`router.http_routes`).

The token is checked before anything of the body is read: a link that is unknown, used or expired is answered 404.
A body over ANDAN_CAMERA_CLIP_MAX_MB is refused with 413 from its Content-Length, before reading it, and while
streaming it when it carries none. The link works once: after an upload it is spent.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import update
from sqlmodel import col

from bot import clock
from bot.db import execute
from bot.guard.http_input import InputRefused, cross_site, read_upload
from bot.i18n import _, use_locale
from handlers.cameras.notify import tell_officer
from handlers.cameras.store import ask_by_token, delete_clip_media, keep_clip, person
from models import AuditEntry
from models.base import pk
from models.cameras import AskStatus, FootageAsk, FootageRequest

if TYPE_CHECKING:
    from bot.app import App

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>An Dân</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
button{{font-size:1rem;padding:.5rem 1rem}}</style></head><body><h1>An Dân</h1>{body}</body></html>"""
FORM = """<p>{intro}</p><form id="up" method="post" enctype="multipart/form-data">
<p><label>{label} <input type="file" name="file" required accept="video/*,image/*"></label></p>
<p><button type="submit">{send}</button></p><p><progress id="bar" max="100" value="0" hidden></progress>
<span id="note" role="status"></span></p></form>
<script>
document.getElementById("up").addEventListener("submit", function (e) {{
  e.preventDefault();
  var xhr = new XMLHttpRequest(), bar = document.getElementById("bar"), note = document.getElementById("note");
  bar.hidden = false;
  xhr.upload.onprogress = function (p) {{ if (p.lengthComputable) bar.value = 100 * p.loaded / p.total; }};
  xhr.onload = function () {{ document.body.innerHTML = xhr.responseText; }};
  xhr.onerror = function () {{ note.textContent = {failed}; }};
  xhr.open("POST", location.pathname); xhr.send(new FormData(this));
}});
</script>"""


def routes(app: App) -> list[web.RouteDef]:
    limit = app.settings.camera_clip_max_mb * 1024 * 1024

    def page(status: int, body: str, locale: str) -> web.Response:
        return web.Response(
            text=PAGE.format(lang=locale, body=body),
            content_type="text/html",
            status=status,
            headers={
                "Cache-Control": "no-store",
                "X-Robots-Tag": "noindex",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def show(request: web.Request) -> web.StreamResponse:
        async with app.db.session() as session:
            ask = await ask_by_token(app, session, request.match_info["token"])
            owner = await person(session, ask.owner_person_id) if ask else None
        with use_locale(owner.locale if owner else app.settings.default_locale) as locale:
            if ask is None:
                return page(404, f"<p>{html.escape(gone_text())}</p>", locale)
            body = FORM.format(
                intro=html.escape(
                    _(
                        "Send the clip or a picture the ward police asked for (request no. {number}), at most {mb} "
                        "MB. This link works once."
                    ).format(number=ask.request_id, mb=app.settings.camera_clip_max_mb)
                ),
                label=html.escape(_("File:")),
                send=html.escape(_("Send")),
                failed=html_js(_("The upload was interrupted. Please try again.")),
            )
            return page(200, body, locale)

    async def upload(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        # Authenticate first: nothing of the body is read for a link that is not valid.
        async with app.db.session() as session:
            ask = await ask_by_token(app, session, token)
            owner = await person(session, ask.owner_person_id) if ask else None
        with use_locale(owner.locale if owner else app.settings.default_locale) as locale:
            if ask is None:
                return page(404, f"<p>{html.escape(gone_text())}</p>", locale)
            if cross_site(request, app.settings.public_url):
                raise InputRefused(403, "cross-site upload")
            if request.content_type != "multipart/form-data":
                raise InputRefused(415, "not a form upload")
            if request.content_length is not None and request.content_length > limit:
                raise InputRefused(413, "clip too large")
            sent = await read_upload(
                request, limit, max_parts=app.settings.web_upload_max_parts
            )  # 413 while streaming past the limit
            if not sent.data:
                empty = _("No file was chosen. Please go back and choose one.")
                return page(400, f"<p>{html.escape(empty)}</p>", locale)
            # Cleaning takes seconds: it happens before the transaction, so no write lock is held meanwhile.
            async with app.db.session() as session:
                footage = await session.get(FootageRequest, ask.request_id)
            kept = await keep_clip(app, ask, footage.tip_id if footage else None, sent.data, sent.mime_type)
            if kept.clip is None:  # nothing kept: the link still works
                text = _("Many files are being checked right now; please try again in a minute.")
                return page(503, f"<p>{html.escape(text)}</p>", locale)
            async with app.db.session() as session:
                # Still valid, and claimed in this transaction: of two uploads racing on one link, one wins.
                now = clock.now()
                ask = await ask_by_token(app, session, token)
                claimed = (
                    ask is not None
                    and (
                        await execute(
                            session,
                            update(FootageAsk)
                            .where(col(FootageAsk.id) == ask.id, col(FootageAsk.upload_used_at).is_(None))
                            .values(upload_used_at=now),
                        )
                    ).rowcount
                    == 1
                )
                if ask is None or not claimed:
                    await delete_clip_media(app, kept.clip)
                    return page(404, f"<p>{html.escape(gone_text())}</p>", locale)
                await session.refresh(ask)
                session.add(kept.clip)
                ask.status, ask.answered_at, ask.upload_used_at = AskStatus.HAVE, ask.answered_at or now, now
                session.add(ask)
                await tell_officer(session, ask, 1)
                session.add(
                    AuditEntry(
                        actor_person_id=ask.owner_person_id,
                        action="camera.clip.add",
                        target_kind="footage_ask",
                        target_id=str(pk(ask)),
                        ward_code=footage.ward_code if footage else None,
                        detail={"via": "link"},
                    )
                )
                await session.commit()
            done = _("Thank you! The police have received your file. You can close this page.")
            return page(200, f"<p>{html.escape(done)}</p>", locale)

    return [web.get("/camera/upload/{token}", show), web.post("/camera/upload/{token}", upload)]


def gone_text() -> str:
    return _(
        "This upload link is no longer valid: it was used, or it expired. Press “I have it” in the chat again for a new one."
    )


def html_js(text: str) -> str:
    """A JavaScript string literal that cannot close the script element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
