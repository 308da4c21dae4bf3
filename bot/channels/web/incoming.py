"""What the page sends, read into an event, and what is refused: JSON only as application/json and multipart only
for files, both only from the page's own origin, within size limits; a refusal is a short text in the default
language with its HTTP status. Either may carry the page's client id of the input ("id"), which makes the input's
update key: sent again, it is the same update (bot.core.dispatcher handles it once)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.channels.web.sessions import Sessions
from bot.core.events import Attachment, Incoming, Kind, Location, parse_text
from bot.guard.http_input import InputRefused, cross_site, read_json, read_upload
from bot.i18n import _, use_locale

LABEL_LIMIT = 200  # a button label echoed back: longer than any label the bot makes


class BadInput(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status

    def message(self) -> str:
        if self.reason == "too_large":
            return _("That file is too large for the chat. Please send a smaller photo or file.")
        if self.reason == "too_long":
            return _("That message is far too long to send. Please shorten it.")
        if self.reason == "cross_site":
            return _(
                "This request did not come from the chat page, so it was refused. Please open the chat page "
                "and write there."
            )
        if self.reason == "unsupported":
            return _("The chat cannot read this kind of request. Please use the chat page.")
        if self.reason == "empty":
            return _("The message was empty, so nothing was sent.")
        if self.reason == "push_off":
            return _("Notifications are not offered here.")
        if self.reason == "push_stranger":
            return _("Notifications can be turned on once you have joined An Dân. Type /start to begin.")
        if self.reason == "busy":
            return _("The chat is very busy right now. It will try again in a few seconds.")
        if self.reason == "push_service":
            return _("This browser's notification service is not one An Dân can use.")
        return _("The message could not be read. Please try again.")


def clean_label(value: Any) -> str | None:
    """A button label sent by the page, as its echo shows it: one line of plain text, bounded."""
    if not isinstance(value, str):
        return None
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return text[:LABEL_LIMIT] or None


def update_key(sid: str, client_id: Any) -> str | None:
    """The update key of an input the page sent with its client id (a string or a number), None without one. It
    holds the session: the same id from another browser is another update."""
    if isinstance(client_id, bool) or not isinstance(client_id, str | int) or not str(client_id):
        return None
    return f"{sid}:{client_id}"


async def read_json_object(request: web.Request, limit: int, max_depth: int) -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    try:
        body = await read_json(request, limit, max_depth=max_depth)
    except InputRefused as refused:
        raise BadInput("too_long" if refused.status == 413 else "malformed", refused.status) from None
    if not isinstance(body, dict):
        raise BadInput("malformed", 400)
    return body


class Reading(Sessions):
    """Part of WebChannel (bot.channels.web.channel): reading a request of the page, or refusing it."""

    def _refusal(self, bad: BadInput) -> web.StreamResponse:
        with use_locale(self.app.settings.default_locale):
            return web.json_response({"error": bad.message()}, status=bad.status)

    def _check_post(self, request: web.Request) -> None:
        """Only what the page sends is accepted: JSON as application/json (a form or text/plain is what another
        site's page can send without asking), from the page's own origin (bot.guard.http_input.cross_site)."""
        if cross_site(request, self.app.settings.public_url):
            raise BadInput("cross_site", 403)
        if request.content_type != "application/json":
            raise BadInput("unsupported", 415)

    async def _read_small_json(self, request: web.Request) -> dict[str, Any]:
        settings = self.app.settings
        return await read_json_object(
            request, settings.web_max_small_request_kb * 1024, settings.json_max_depth
        )

    async def _read_event(self, request: web.Request, sid: str) -> tuple[Incoming, str | None]:
        """The event a request carries, and the label of a pressed button as the page showed it. Files come as
        multipart, everything else as JSON; both only from the page's own origin."""
        if cross_site(request, self.app.settings.public_url):
            raise BadInput("cross_site", 403)
        limit = self.app.settings.web_max_upload_mb * 1024 * 1024
        if request.content_length is not None and request.content_length > limit + 64 * 1024:
            raise BadInput("too_large", 413)
        if request.content_type == "multipart/form-data":
            return await self._read_upload(request, sid, limit), None
        self._check_post(request)
        settings = self.app.settings
        body = await read_json_object(request, settings.web_max_message_kb * 1024, settings.json_max_depth)
        common: dict[str, Any] = {"update_key": update_key(sid, body.get("id"))}
        if isinstance(body.get("choice"), str) and body["choice"]:
            event = Incoming("web", sid, sid, Kind.CHOICE, choice=body["choice"][:64], **common)
            return event, clean_label(body.get("label"))
        loc = body.get("location")
        if isinstance(loc, dict):
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError):
                raise BadInput("malformed", 400) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise BadInput("malformed", 400)
            return Incoming("web", sid, sid, Kind.LOCATION, location=Location(lat, lon), **common), None
        if isinstance(body.get("text"), str) and body["text"].strip():
            return parse_text("web", sid, sid, body["text"], **common), None
        raise BadInput("empty", 400)

    async def _read_upload(self, request: web.Request, sid: str, limit: int) -> Incoming:
        try:
            upload = await read_upload(request, limit, max_parts=self.app.settings.web_upload_max_parts)
            client_id = upload.client_id
        except InputRefused as refused:
            raise BadInput("too_large" if refused.status == 413 else "malformed", refused.status) from None
        files = [f for f in upload.files if f.data]
        if not files:
            raise BadInput("empty", 400)
        attachments = tuple(
            Attachment(
                kind=kind_of(f.mime_type),
                fetch="upload",
                filename=f.filename,
                mime_type=f.mime_type,
                size=len(f.data),
                data=f.data,
            )
            for f in files
        )
        return Incoming(
            "web",
            sid,
            sid,
            Kind.MEDIA,
            text=upload.caption,
            attachments=attachments,
            update_key=update_key(sid, client_id),
        )


def kind_of(mime: str | None) -> str:
    if (mime or "").startswith("image/"):
        return "photo"
    return "voice" if (mime or "").startswith("audio/") else "file"
