"""The transcript as the page shows it: a stored row (or one shown once, never stored) as JSON, the echo of what the
person sent, urgent alerts and receipt codes marked for the page, and stored media reached through links only the
session's browser may open."""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import col, select

from bot.channels.web.sessions import Sessions
from bot.core.events import Incoming, Kind
from bot.i18n import fmt_time
from bot.media import is_ref
from bot.security import CODE_ALPHABET
from models import WebMessage

# A tip's receipt code (handlers/tips/store.py: 4 groups of 4 from the code alphabet); no other code has 4 groups.
RECEIPT_CODE = re.compile(
    rf"(?<![0-9A-Za-z-])[{CODE_ALPHABET}]{{4}}(?:-[{CODE_ALPHABET}]{{4}}){{3}}(?![0-9A-Za-z-])"
)
# The payload key marking the stored rows of an input the page sent with a client id (bot.channels.web.messages);
# never shown to the page.
CLIENT_TAG = "client"
# How an urgent alert's text begins (handlers/alerts/texts.py ICONS): the page gives it a style of its own.
URGENT_MARK = "🔴"


def echo_of(event: Incoming, choice_label: str | None) -> dict[str, Any]:
    """What the person sent, as the transcript shows it back to them (a pressed choice shows its label)."""
    if event.kind == Kind.CHOICE:
        return {"text": choice_label or event.choice or "", "choices": [], "media": []}
    if event.kind == Kind.LOCATION and event.location:
        return {
            "text": f"📍 {event.location.latitude:.5f}, {event.location.longitude:.5f}",
            "choices": [],
            "media": [],
        }
    if event.kind == Kind.MEDIA:
        names = ", ".join(a.filename or a.kind for a in event.attachments)
        return {"text": f"📎 {names}\n{event.text}".strip(), "choices": [], "media": []}
    return {"text": event.text, "choices": [], "media": []}


def is_urgent(payload: dict[str, Any]) -> bool:
    """An urgent alert: marked so by its sender (Reply.urgent), or, for rows queued before that flag existed,
    written as alerts write their severity."""
    return bool(payload.get("urgent")) or str(payload.get("text", "")).startswith(URGENT_MARK)


def render(row: WebMessage) -> dict[str, Any]:
    """A transcript row as JSON; a row never stored has no id and is marked ephemeral (shown once)."""
    payload = row.payload
    text = payload.get("text", "")
    out = row.direction == "out"
    return {
        "id": row.id,
        "ephemeral": row.id is None,
        "direction": row.direction,
        "text": text,
        "choices": payload.get("choices", []),
        "media": [dict(m) for m in payload.get("media", [])],
        "at": row.at.isoformat(),
        "at_display": fmt_time(row.at),
        "urgent": out and is_urgent(payload),
        "codes": list(dict.fromkeys(RECEIPT_CODE.findall(text))) if out else [],
    }


class Transcript(Sessions):
    """Part of WebChannel (bot.channels.web.channel): a session's stored transcript, read and shown."""

    def _private_id(self, sid: str) -> str:
        return self.app.keyring.keyed_hash("web-private", sid)

    def _media_sig(self, sid: str, media_id: str) -> str:
        return self.app.keyring.keyed_hash("web-media", sid, media_id)[:32]

    def _render(self, row: WebMessage, sid: str) -> dict[str, Any]:
        """A transcript row as the page shows it; stored media become URLs only this browser may open."""
        rendered = render(row)
        for item in rendered["media"]:
            if is_ref(item.get("url")):
                media_id = item["url"].removeprefix("media:")
                item["url"] = f"/media/{media_id}?sig={self._media_sig(sid, media_id)}"
        return rendered

    async def get_media(self, request: web.Request) -> web.StreamResponse:
        sid, _fresh = self._session_id(request)
        media_id = request.match_info["media_id"]
        if not hmac.compare_digest(request.query.get("sig", ""), self._media_sig(sid, media_id)):
            raise web.HTTPNotFound()
        item = await self.app.media.get(media_id)
        if item is None:
            raise web.HTTPNotFound()
        disposition = "inline" if item.mime_type.startswith("image/") else "attachment"
        return web.Response(
            body=item.data,
            content_type=item.mime_type,
            headers={
                "Content-Disposition": f'{disposition}; filename="{quote(item.filename)}"',
                "Cache-Control": "private",
            },
        )

    async def _since(self, sid: str, after: int) -> list[WebMessage]:
        async with self.app.db.session() as session:
            result = await session.exec(
                select(WebMessage)
                .where(
                    col(WebMessage.session_id).in_([sid, self._private_id(sid)]), col(WebMessage.id) > after
                )
                .order_by(col(WebMessage.id))
                .limit(200)
            )
            return list(result.all())
