"""FakeZaloBot: the Zalo Bot Platform API (Telegram-like) on loopback.

Wire format (bot.zaloplatforms.com docs): ``POST /bot{token}/{method}`` with a
JSON body; replies ``{"ok":true,"result":...}`` or
``{"ok":false,"error_code":N,"description":"..."}``.  ``getUpdates`` returns
ONE update object per call and an idle poll ends with HTTP 408.  Webhook
pushes carry ``X-Bot-Api-Secret-Token``; the body is the bare update, or
``{"ok":true,"result":update}`` with ``wrap_webhook=True``.

Choices where the docs are silent (make the bot tolerant of them):
getUpdates while a webhook is set answers HTTP 409; validation errors answer
HTTP 400 with the descriptions below; sendChatAction answers ``{"ok":true}``
without ``result``, as in the docs' sample; an update is never handed to a
poll whose client already hung up (a stopped or restarted bot), it waits for
the next poll.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from aiohttp import web

from ._common import JSON, Clock, FakeServer, InjectedError, RecordedRequest, Reply, dumps

TEXT_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
PRESETS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Bad Request"),
    "unauthorized": (401, "Unauthorized"),
    "forbidden": (403, "Forbidden"),
    "not_found": (404, "Not Found"),
    "timeout": (408, "Request timeout"),
    "too_many": (429, "Too Many Requests"),
    "server": (500, "Internal Server Error"),
}


def ok(result: Any = None) -> Reply:
    return 200, ({"ok": True} if result is None else {"ok": True, "result": result})


def error(code: int, description: str, http_status: int | None = None) -> Reply:
    status = http_status if http_status is not None else (code if 400 <= code < 600 else 200)
    return status, {"ok": False, "error_code": code, "description": description}


def now_ms() -> int:
    return int(time.time() * 1000)


def opaque_id() -> str:
    """Zalo ids are opaque strings (20 hex chars in the docs' samples)."""
    return uuid.uuid4().hex[:20]


class FakeZaloBot(FakeServer):
    """Loopback Zalo Bot Platform; see the module docstring."""

    SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})

    def __init__(
        self,
        token: str = "1459232241454765289:zalo-test-secret",
        *,
        account_name: str = "bot.andan",
        wrap_webhook: bool = False,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(clock=clock)
        self.token = token
        self.bot_id = token.split(":", 1)[0]
        self.account_name = account_name
        self.wrap_webhook = wrap_webhook
        self.webhook: JSON | None = None  # {"url", "secret_token", "updated_at"}
        self.display_names: dict[str, str] = {}
        self._pending: list[JSON] = []
        self._last_update: JSON | None = None
        self._methods = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send,
            "sendPhoto": self._send,
            "sendSticker": self._send,
            "sendChatAction": self._chat_action,
        }

    @property
    def api_base(self) -> str:
        """The bot's base URL setting: append ``{token}/{method}``."""
        return f"{self.base_url}/bot"

    def host_image(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Serve an image over loopback; use the URL in ``user_image``."""
        return self.host_bytes(data, content_type, "image.jpg")

    def messages_to(self, chat_id: Any) -> list[JSON]:
        return self.sent(chat_id=chat_id)

    def texts_to(self, chat_id: Any) -> list[str | None]:
        return [p.get("text", p.get("caption")) for p in self.messages_to(chat_id)]

    # ----- plumbing -----------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._route_api)

    def _outcome(self, status: int, body: JSON) -> str:
        return "ok" if body.get("ok") else "rate_limited" if status == 429 else "error"

    def _make_error(
        self, err: Any, description: str | None = None, http_status: int | None = None
    ) -> InjectedError:
        """``err``: an error_code (int), a preset name (see PRESETS) or a whole body dict."""
        if isinstance(err, dict):
            code = int(err.get("error_code", 400))
            return InjectedError(http_status or (code if 400 <= code < 600 else 200), err)
        code, default = PRESETS[err] if isinstance(err, str) else (err, "Error")
        return InjectedError(*error(code, description or default, http_status))

    async def _route_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]

        async def handle(rec: RecordedRequest) -> Reply:
            if request.match_info["token"] != self.token:
                return error(401, "Unauthorized")
            fn = self._methods.get(name)
            if fn is None:
                return error(404, "Not Found")
            if injected := self._take_injected(name):
                return injected
            if name == "getUpdates":
                return await self._get_updates(name, rec.params, request)
            return await fn(name, rec.params)

        return await self._dispatch(request, name, handle)

    def _deliver(self, update: JSON) -> None:
        if self.webhook:
            body = {"ok": True, "result": update} if self.wrap_webhook else update
            headers = {
                "Content-Type": "application/json",
                "X-Bot-Api-Secret-Token": self.webhook["secret_token"],
            }
            self.pusher.enqueue(
                self.webhook["url"],
                dumps(body).encode(),
                headers,
                update.get("message", {}).get("message_id"),
            )
        else:
            self._pending.append(update)
            self._changed.fire()

    async def webhook_idle(self) -> None:
        await self.pusher.idle()

    # ----- methods ------------------------------------------------------------------
    async def _get_me(self, name: str, p: JSON) -> Reply:
        return ok(
            {
                "id": self.bot_id,
                "account_name": self.account_name,
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _get_updates(self, name: str, p: JSON, request: web.Request | None = None) -> Reply:
        if self.webhook:
            return error(409, "Conflict: getUpdates is not available while a webhook is set")
        try:
            timeout = float(p.get("timeout") or 30)  # documented as a String
        except (TypeError, ValueError):
            return error(400, "Bad Request: timeout must be a number")
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if request is not None and (request.transport is None or request.transport.is_closing()):
                # The poller hung up (stopped or restarted): keep the update for the next poll, as Zalo does.
                return error(408, "Request timeout")
            if self._pending:
                return ok(self._pending.pop(0))  # delivered once: there is no offset
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0 or self._closing or self.webhook:
                return error(408, "Request timeout")
            await self._changed.wait(left)

    async def _set_webhook(self, name: str, p: JSON) -> Reply:
        url, secret = str(p.get("url") or ""), p.get("secret_token")
        if not url.startswith(("http://", "https://")):
            return error(400, "Bad Request: url is invalid")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            return error(400, f"Bad Request: secret_token must be {SECRET_MIN}-{SECRET_MAX} characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": now_ms()}
        pending, self._pending = self._pending, []
        for update in pending:
            self._deliver(update)
        self._changed.fire()  # a waiting getUpdates ends
        return ok({"url": url, "updated_at": self.webhook["updated_at"]})

    async def _delete_webhook(self, name: str, p: JSON) -> Reply:
        self.webhook = None
        return ok({"url": "", "updated_at": now_ms()})

    async def _get_webhook_info(self, name: str, p: JSON) -> Reply:
        if self.webhook is None:
            return ok({"url": "", "updated_at": now_ms()})
        return ok({"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]})

    async def _send(self, name: str, p: JSON) -> Reply:
        if not p.get("chat_id"):
            return error(400, "Bad Request: chat_id is required")
        if name == "sendMessage":
            text = p.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
                return error(400, f"Bad Request: text must be 1-{TEXT_LIMIT} characters")
        elif name == "sendPhoto":
            if not str(p.get("photo") or "").startswith(("http://", "https://")):
                return error(400, "Bad Request: photo must be an image URL")
            caption = p.get("caption")
            if caption is not None and not 1 <= len(str(caption)) <= TEXT_LIMIT:
                return error(400, f"Bad Request: caption must be 1-{TEXT_LIMIT} characters")
        elif not p.get("sticker"):
            return error(400, "Bad Request: sticker is required")
        return ok({"message_id": opaque_id(), "date": now_ms()})

    async def _chat_action(self, name: str, p: JSON) -> Reply:
        if not p.get("chat_id") or p.get("action") not in ("typing", "upload_photo"):
            return error(400, "Bad Request: chat_id and a valid action are required")
        return ok()

    # ----- user activity ------------------------------------------------------------
    def _emit(
        self,
        event_name: str,
        user_id: Any,
        display_name: str | None,
        chat_type: str,
        chat_id: Any = None,
        **fields: Any,
    ) -> JSON:
        uid = str(user_id)
        if display_name:
            self.display_names[uid] = display_name
        message = {
            "message_id": opaque_id(),
            "date": now_ms(),
            "from": {
                "id": uid,
                "display_name": self.display_names.get(uid, f"Người dùng {uid}"),
                "is_bot": False,
            },
            "chat": {"id": str(chat_id if chat_id is not None else user_id), "chat_type": chat_type},
            **{k: v for k, v in fields.items() if v is not None},
        }
        update = {"event_name": event_name, "message": message}
        self._last_update = update
        self._deliver(update)
        return update

    def user_text(
        self,
        user_id: Any,
        text: str,
        display_name: str | None = None,
        chat_type: str = "PRIVATE",
        chat_id: Any = None,
    ) -> JSON:
        return self._emit("message.text.received", user_id, display_name, chat_type, chat_id, text=text)

    def user_image(
        self,
        user_id: Any,
        photo_url: str,
        caption: str | None = None,
        display_name: str | None = None,
        chat_type: str = "PRIVATE",
    ) -> JSON:
        """Sources disagree on the key, so both ``photo_url`` and ``photo`` are sent."""
        return self._emit(
            "message.image.received",
            user_id,
            display_name,
            chat_type,
            photo_url=photo_url,
            photo=photo_url,
            caption=caption,
        )

    def user_sticker(
        self,
        user_id: Any,
        sticker: str = "0e078a2fb66a5f34067b",
        url: str | None = None,
        display_name: str | None = None,
    ) -> JSON:
        return self._emit(
            "message.sticker.received", user_id, display_name, "PRIVATE", sticker=sticker, url=url
        )

    def user_unsupported(self, user_id: Any, display_name: str | None = None) -> JSON:
        return self._emit("message.unsupported.received", user_id, display_name, "PRIVATE")

    def inject_raw(self, update: JSON) -> JSON:
        self._last_update = update
        self._deliver(update)
        return update

    def inject_duplicate_last(self) -> JSON:
        if self._last_update is None:
            raise RuntimeError("no update was injected yet")
        self._deliver(self._last_update)
        return self._last_update
