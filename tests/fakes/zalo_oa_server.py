"""FakeZaloOA: Zalo Official Account API v3, OAuth v4 and signed webhooks, on loopback.

Routes (set the bot's OpenAPI and OAuth base URLs to ``fake.base_url``):

- ``POST /v3.0/oa/message/cs`` — consultation message, header ``access_token``;
- ``POST /v2.0/oa/upload/image`` — multipart ``file`` → ``attachment_id``;
- ``POST /v3.0/oa/quota/message`` — a plausible quota object (shape guessed);
- ``POST /v4/oa/access_token`` — refresh, form-encoded, header ``secret_key``.

Every error is HTTP 200 with a non-zero ``error``, as Zalo does.  Refresh
tokens are single-use; a reused one gets ``-14014`` in Zalo's OAuth error shape
``{"error","error_name","error_reason","ref_doc","error_description"}``.
Issuing a token retires the previous access token after ``access_grace``
seconds (default 0: Zalo documents the old one dying at once).
Error messages are approximations; bots should branch on the codes.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from ._common import JSON, Clock, FakeServer, InjectedError, RecordedRequest, Reply, SlidingWindow
from ._zalo_oa_events import ZaloOAEventsMixin, zalo_oa_signature

__all__ = ["FakeZaloOA", "zalo_oa_signature"]

TEXT_LIMIT = 2000
BUTTON_TITLE_LIMIT, BUTTON_PAYLOAD_LIMIT = 100, 1000
# Unverified: no primary source states a button count for message/cs; 5 matches the
# element limit of request_user_info and third-party SDKs.  Configurable per fake.
DEFAULT_MAX_BUTTONS = 5
BUTTON_TYPES = frozenset({"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms"})
TEMPLATE_TYPES = frozenset({None, "button", "media", "request_user_info", "list"})
MESSAGES = {
    -32: "Request exceeded the rate limit",
    -124: "Access token invalid",
    -201: "Parameters are invalid",
    -211: "Out of quota",
    -213: "User has not followed the OA",
    -216: "Access token is invalid",
    -217: "User has blocked messages or is unreachable",
    -220: "Access token has expired",
    -222: "User is unreachable",
    -227: "User is banned or inactive",
    -230: "User has not interacted with the OA in the last 7 days",
    -233: "Message type is not supported or the payload is invalid",
    -234: "Messages cannot be sent between 22:00 and 06:00",
    -305: "Reply window of 48 hours has passed",
    -311: "Reply quota is exhausted",
}
OAUTH_ERRORS = {
    -14002: "Invalid appId",
    -14004: "Invalid secret key",
    -14014: "Invalid refresh token.",
    -14018: "Invalid grant type",
}


def oa_error(code: int, message: str | None = None) -> Reply:
    return 200, {"error": code, "message": message or MESSAGES.get(code, "Error")}


def oauth_error(code: int, description: str = "") -> Reply:
    return 200, {
        "error": code,
        "error_name": OAUTH_ERRORS.get(code, "Error"),
        "error_reason": "",
        "ref_doc": "https://developers.zalo.me/docs/official-account",
        "error_description": description,
    }


def new_token(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


class FakeZaloOA(ZaloOAEventsMixin, FakeServer):
    """Loopback Zalo OA; see the module docstring."""

    SEND_METHODS = frozenset({"message/cs"})

    def __init__(
        self,
        *,
        app_id: str = "3608465248940903967",
        oa_id: str = "388613280878808645",
        secret_key: str = "app-secret-test",
        oa_secret_key: str = "OA_SECRET_TEST",
        access_token: str = "oa-access-initial",
        refresh_token: str = "oa-refresh-initial",
        expires_in: int = 90000,
        access_grace: float = 0.0,
        interaction_window: float = 7 * 86400,
        require_follow: bool = False,
        max_buttons: int = DEFAULT_MAX_BUTTONS,
        max_per_second: int | None = None,
        quota: int | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(clock=clock)
        self.app_id, self.oa_id = app_id, oa_id
        self.secret_key, self.oa_secret_key = secret_key, oa_secret_key
        self.expires_in, self.access_grace = expires_in, access_grace
        self.interaction_window = interaction_window
        self.require_follow = require_follow
        self.max_buttons = max_buttons
        self.max_per_second = max_per_second  # None: no -32 unless injected
        self.quota = quota  # None: unlimited; else messages left before -211
        self.access_token, self.refresh_token = access_token, refresh_token
        self._token_valid_until: dict[str, float] = {access_token: clock() + expires_in}
        self.used_refresh_tokens: set[str] = set()
        self.interactions: dict[str, float] = {}
        self.followers: set[str] = set()
        self.unreachable: set[str] = set()
        self.attachments: dict[str, bytes] = {}
        self.webhook_posts: list[JSON] = []
        self._window = SlidingWindow(clock)

    # ----- configuration --------------------------------------------------------------
    def touch(self, user_id: Any) -> None:
        """Record that the user interacted now (opens the 7-day consultation window)."""
        self.interactions[str(user_id)] = self.clock()

    def set_following(self, user_id: Any, following: bool = True) -> None:
        (self.followers.add if following else self.followers.discard)(str(user_id))

    def make_unreachable(self, user_id: Any) -> None:
        self.unreachable.add(str(user_id))

    def expire_access_token(self) -> None:
        """Every access token issued so far is now invalid (-216) until a refresh."""
        self._token_valid_until = {token: float("-inf") for token in self._token_valid_until}

    def host_file(self, data: bytes, content_type: str = "image/jpeg", name: str = "file") -> str:
        return self.host_bytes(data, content_type, name)

    def messages_to(self, user_id: Any) -> list[JSON]:
        return [p["message"] for p in self.sent(chat_id=user_id)]

    def texts_to(self, user_id: Any) -> list[str | None]:
        return [m.get("text") for m in self.messages_to(user_id)]

    # ----- plumbing -------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        for path, method, fn in (
            ("/v3.0/oa/message/cs", "message/cs", self._message_cs),
            ("/v2.0/oa/upload/image", "upload/image", self._upload_image),
            ("/v3.0/oa/quota/message", "quota/message", self._quota),
            ("/v4/oa/access_token", "oa/access_token", self._oauth),
        ):
            app.router.add_post(path, self._route(method, fn))

    def _route(self, method: str, fn: Any) -> Any:
        async def route(request: web.Request) -> web.Response:
            async def handle(rec: RecordedRequest) -> Reply:
                if method != "oa/access_token" and not self._token_ok(request.headers.get("access_token")):
                    return oa_error(-216)
                if injected := self._take_injected(method):
                    return injected
                return await fn(rec, request)

            return await self._dispatch(request, method, handle)

        return route

    def _token_ok(self, token: str | None) -> bool:
        return token is not None and self._token_valid_until.get(token, float("-inf")) > self.clock()

    def _chat_of(self, params: JSON) -> Any:
        return (params.get("recipient") or {}).get("user_id")

    def _outcome(self, status: int, body: JSON) -> str:
        code = body.get("error", 0)
        return "ok" if code == 0 else "rate_limited" if code == -32 else "error"

    def _make_error(self, err: Any, message: str | None = None) -> InjectedError:
        """``err``: a Zalo error code (-216, -230, ..., or -140xx for OAuth) or a body dict."""
        if isinstance(err, dict):
            return InjectedError(200, err)
        return InjectedError(*(oauth_error(err) if err <= -14000 else oa_error(err, message)))

    # ----- validation -----------------------------------------------------------------
    def _payload_error(self, message: Any) -> str | None:
        if not isinstance(message, dict) or not ("text" in message or "attachment" in message):
            return "message needs text or attachment"
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT):
            return f"text must be 1-{TEXT_LIMIT} characters"
        attachment = message.get("attachment")
        if attachment is None:
            return None
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict):
            return "attachment.payload must be an object"
        if attachment.get("type") == "file":
            return None if payload.get("token") else "file attachment needs a token"
        if attachment.get("type") != "template" or payload.get("template_type") not in TEMPLATE_TYPES:
            return "unsupported attachment or template_type"
        buttons = payload.get("buttons", [])
        if not isinstance(buttons, list) or len(buttons) > self.max_buttons:
            return f"at most {self.max_buttons} buttons"
        for button in buttons:
            if error := self._button_error(button):
                return error
        if payload.get("template_type") == "media":
            return self._media_error(payload.get("elements"))
        return None

    @staticmethod
    def _button_error(button: Any) -> str | None:
        if not isinstance(button, dict) or button.get("type") not in BUTTON_TYPES:
            return "unknown button type"
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(title, str) or not 1 <= len(title) <= BUTTON_TITLE_LIMIT:
            return f"button title must be 1-{BUTTON_TITLE_LIMIT} characters"
        if button["type"].startswith("oa.query."):
            if not isinstance(payload, str) or not 1 <= len(payload) <= BUTTON_PAYLOAD_LIMIT:
                return f"button payload must be 1-{BUTTON_PAYLOAD_LIMIT} characters"
            return None
        needed = {
            "oa.open.url": ("url",),
            "oa.open.phone": ("phone_code",),
            "oa.open.sms": ("content", "phone_code"),
        }[button["type"]]
        if not isinstance(payload, dict) or not all(payload.get(k) for k in needed):
            return f"{button['type']} payload needs {', '.join(needed)}"
        return None

    def _media_error(self, elements: Any) -> str | None:
        if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
            return "media template needs exactly one element"
        element = elements[0]
        if element.get("media_type") not in ("image", "gif"):
            return "media_type must be image or gif"
        if "attachment_id" in element:
            return None if element["attachment_id"] in self.attachments else "unknown attachment_id"
        return None if str(element.get("url", "")).startswith(("http://", "https://")) else "media needs url"

    # ----- API handlers ---------------------------------------------------------------
    async def _message_cs(self, rec: RecordedRequest, request: web.Request) -> Reply:
        p = rec.params
        if self.max_per_second is not None:
            if self._window.retry_after("cs", self.max_per_second, 1.0):
                return oa_error(-32)
            self._window.hit("cs")
        user_id = (p.get("recipient") or {}).get("user_id") if isinstance(p.get("recipient"), dict) else None
        if not user_id:
            return oa_error(-201)
        if error := self._payload_error(p.get("message")):
            return oa_error(-233, f"{MESSAGES[-233]}: {error}")
        uid = str(user_id)
        if uid in self.unreachable:
            return oa_error(-217)
        if self.require_follow and uid not in self.followers:
            return oa_error(-213)
        last = self.interactions.get(uid)
        if last is None or self.clock() - last > self.interaction_window:
            return oa_error(-230)
        if self.quota is not None:
            if self.quota <= 0:
                return oa_error(-211)
            self.quota -= 1
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"message_id": uuid.uuid4().hex, "user_id": uid},
        }

    async def _upload_image(self, rec: RecordedRequest, request: web.Request) -> Reply:
        part = rec.params.get("file")
        if not isinstance(part, dict) or not str(part.get("content_type", "")).startswith("image/"):
            return oa_error(-201, "file must be an uploaded image")
        attachment_id = uuid.uuid4().hex
        self.attachments[attachment_id] = part["data"]
        return 200, {"error": 0, "message": "Success", "data": {"attachment_id": attachment_id}}

    async def _quota(self, rec: RecordedRequest, request: web.Request) -> Reply:
        remain = self.quota if self.quota is not None else 2000
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {
                "quota_type": "sub_quota",
                "total": str(max(remain, 2000)),
                "remain": str(remain),
                "expired_date": "2099-12-31",
            },
        }

    async def _oauth(self, rec: RecordedRequest, request: web.Request) -> Reply:
        p = rec.params
        if request.headers.get("secret_key") != self.secret_key:
            return oauth_error(-14004, "secret_key header does not match the app")
        if str(p.get("app_id")) != self.app_id:
            return oauth_error(-14002, "app_id is not this app")
        if p.get("grant_type") != "refresh_token":
            return oauth_error(-14018, "grant_type must be refresh_token")
        old = str(p.get("refresh_token") or "")
        if old != self.refresh_token or old in self.used_refresh_tokens:
            return oauth_error(-14014, "refresh_token is invalid, expired or already used")
        self.used_refresh_tokens.add(old)
        now = self.clock()
        for token, until in self._token_valid_until.items():  # retire the old access tokens
            self._token_valid_until[token] = min(until, now + self.access_grace)
        self.access_token, self.refresh_token = new_token("oa-access"), new_token("oa-refresh")
        self._token_valid_until[self.access_token] = now + self.expires_in
        return 200, {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": str(self.expires_in),
        }
