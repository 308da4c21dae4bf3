"""FakeZaloOA: Zalo Official Account API v3, OAuth v4 and signed webhooks, on loopback.

Routes (set the bot's OpenAPI and OAuth base URLs to ``fake.base_url``):

- ``POST /v3.0/oa/message/cs`` — consultation message, header ``access_token``;
- ``POST /v2.0/oa/upload/image`` — multipart ``file`` → ``attachment_id``;
- ``POST /v3.0/oa/quota/message`` — a plausible quota object (shape guessed);
- ``POST /v4/oa/access_token`` — refresh, form-encoded, header ``secret_key``;
- ``POST /v3.0/oa/message/promotion`` — promotion message ("tin truyền thông") to a follower: template
  ``promotion`` with ``elements`` (banner/header/text/table) and buttons; only 08:00–22:00 local
  (``-234``), one per follower per local day (``-240``, a code of this fake: none is published),
  counted against ``promotion_quota`` (``-211``);
- ``POST /v3.0/oa/message`` (and ``/v3.0/oa/group/message``) — a message to a GMF group chat of the OA,
  recipient ``group_id`` or ``conversation_id`` (sources differ); unknown group ``-201``;
- ``POST /message/template`` — ZNS template message by phone ``84…`` (``-108`` bad phone, ``-118`` no
  Zalo account, ``-132`` unknown template, ``-218`` missing template params, ``-216`` "ZNS quota
  exceeded" when ``zns_quota`` is used up: third-party tables give that code); success carries
  ``data.quota.remainingQuota``.

``user_send_group_text`` builds a group event: ``recipient.id`` is the group's id (third-party code).
Promotion hours and days are read from ``wall`` (a function giving an aware datetime; the bot's clock
in tests), not from the monotonic ``clock``.

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
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

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
    -240: "This follower already received a promotion message today",
    -108: "Phone number invalid",
    -118: "Zalo account not existed",
    -132: "ZNS template not existed",
    -218: "Template data missing params",
}
PROMOTION_ELEMENTS = frozenset({"banner", "header", "text", "table"})
PROMOTION_HEADER_LIMIT, PROMOTION_MAX_BUTTONS = 100, 4
PROMOTION_HOURS = (8, 22)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
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

    SEND_METHODS = frozenset({"message/cs", "message/promotion", "message/group", "zns/template"})

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
        promotion_quota: int | None = None,
        zns_quota: int | None = None,
        zns_templates: dict[str, tuple[str, ...]] | None = None,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
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
        self.promotion_quota = promotion_quota  # None: unlimited
        self.zns_quota = zns_quota  # None: unlimited
        self.zns_templates = zns_templates if zns_templates is not None else {}  # id -> required params
        self.no_zalo_phones: set[str] = set()  # phones with no Zalo account (-118)
        self.wall = wall
        self.unfollowed: set[str] = set()
        self.promoted: dict[tuple[str, date], int] = {}
        self.groups: set[str] = set()  # GMF group chats the OA owns or manages

    # ----- configuration --------------------------------------------------------------
    def touch(self, user_id: Any) -> None:
        """Record that the user interacted now (opens the 7-day consultation window)."""
        self.interactions[str(user_id)] = self.clock()

    def set_following(self, user_id: Any, following: bool = True) -> None:
        (self.followers.add if following else self.followers.discard)(str(user_id))
        (self.unfollowed.discard if following else self.unfollowed.add)(str(user_id))

    def is_follower(self, user_id: Any) -> bool:
        """Someone who followed, or wrote (only followers can): and did not unfollow since."""
        uid = str(user_id)
        return uid not in self.unfollowed and (uid in self.followers or uid in self.interactions)

    def add_group(self, group_id: Any) -> None:
        self.groups.add(str(group_id))

    def messages_to_group(self, group_id: Any) -> list[JSON]:
        return [p["message"] for p in self.sent(method="message/group", chat_id=group_id)]

    def promotions_to(self, user_id: Any) -> list[JSON]:
        return [p["message"] for p in self.sent(method="message/promotion", chat_id=user_id)]

    def zns_to(self, phone: str) -> list[JSON]:
        return self.sent(method="zns/template", chat_id=phone)

    def user_send_group_text(self, user_id: Any, group_id: Any, text: str) -> JSON:
        """A member typing in a GMF group chat: ``recipient.id`` is the group's id."""
        event = self._event("user_send_group_text", user_id, {"text": text})
        event["recipient"] = {"id": str(group_id)}
        return event

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
            ("/v3.0/oa/message/promotion", "message/promotion", self._promotion),
            ("/v3.0/oa/message", "message/group", self._group_message),
            ("/v3.0/oa/group/message", "message/group", self._group_message),
            ("/message/template", "zns/template", self._zns),
        ):
            app.router.add_post(path, self._route(method, fn))

    def _route(self, method: str, fn: Any) -> Any:
        async def route(request: web.Request) -> web.Response:
            async def handle(rec: RecordedRequest) -> Reply:
                if method != "oa/access_token" and not self._token_ok(request.headers.get("access_token")):
                    return oa_error(-124 if method == "zns/template" else -216)
                if injected := self._take_injected(method):
                    return injected
                return await fn(rec, request)

            return await self._dispatch(request, method, handle)

        return route

    def _token_ok(self, token: str | None) -> bool:
        return token is not None and self._token_valid_until.get(token, float("-inf")) > self.clock()

    def _chat_of(self, params: JSON) -> Any:
        if "phone" in params:
            return params.get("phone")
        recipient = params.get("recipient") or {}
        if not isinstance(recipient, dict):
            return None
        return recipient.get("user_id") or recipient.get("group_id") or recipient.get("conversation_id")

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

    # ----- beyond the consultation window ---------------------------------------------
    def _local_now(self) -> datetime:
        return self.wall().astimezone(LOCAL)

    def _promotion_error(self, message: Any) -> str | None:
        attachment = message.get("attachment") if isinstance(message, dict) else None
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict) or attachment.get("type") != "template":  # type: ignore[union-attr]
            return "promotion needs a template attachment"
        if payload.get("template_type") != "promotion":
            return "template_type must be promotion"
        elements = payload.get("elements")
        if not isinstance(elements, list) or not elements:
            return "promotion needs elements"
        for element in elements:
            if not isinstance(element, dict) or element.get("type") not in PROMOTION_ELEMENTS:
                return "unknown promotion element"
            if (
                element["type"] == "header"
                and not 1 <= len(str(element.get("content") or "")) <= PROMOTION_HEADER_LIMIT
            ):
                return f"header must be 1-{PROMOTION_HEADER_LIMIT} characters"
            if element["type"] == "text" and not str(element.get("content") or ""):
                return "text element needs content"
            if element["type"] == "banner" and not (element.get("image_url") or element.get("attachment_id")):
                return "banner needs image_url or attachment_id"
        buttons = payload.get("buttons", [])
        if not isinstance(buttons, list) or len(buttons) > PROMOTION_MAX_BUTTONS:
            return f"at most {PROMOTION_MAX_BUTTONS} buttons"
        for button in buttons:
            if error := self._button_error(button):
                return error
        return None

    async def _promotion(self, rec: RecordedRequest, request: web.Request) -> Reply:
        p = rec.params
        recipient = p.get("recipient") if isinstance(p.get("recipient"), dict) else {}
        uid = str(recipient.get("user_id") or "")  # type: ignore[union-attr]
        if not uid:
            return oa_error(-201)
        if error := self._promotion_error(p.get("message")):
            return oa_error(-233, f"{MESSAGES[-233]}: {error}")
        if uid in self.unreachable:
            return oa_error(-217)
        if not self.is_follower(uid):
            return oa_error(-213)
        now = self._local_now()
        if not PROMOTION_HOURS[0] <= now.hour < PROMOTION_HOURS[1]:
            return oa_error(-234, "Promotion messages may only be sent between 08:00 and 22:00")
        if self.promoted.get((uid, now.date()), 0) >= 1:
            return oa_error(-240)
        if self.promotion_quota is not None:
            if self.promotion_quota <= 0:
                return oa_error(-211)
            self.promotion_quota -= 1
        self.promoted[(uid, now.date())] = self.promoted.get((uid, now.date()), 0) + 1
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"message_id": uuid.uuid4().hex, "user_id": uid},
        }

    async def _group_message(self, rec: RecordedRequest, request: web.Request) -> Reply:
        p = rec.params
        recipient = p.get("recipient") if isinstance(p.get("recipient"), dict) else {}
        group_id = str(recipient.get("group_id") or recipient.get("conversation_id") or "")  # type: ignore[union-attr]
        if not group_id or group_id not in self.groups:
            return oa_error(-201, "group not found or not managed by this OA")
        if error := self._payload_error(p.get("message")):
            return oa_error(-233, f"{MESSAGES[-233]}: {error}")
        return 200, {"error": 0, "message": "Success", "data": {"message_id": uuid.uuid4().hex}}

    async def _zns(self, rec: RecordedRequest, request: web.Request) -> Reply:
        p = rec.params
        phone, template = str(p.get("phone") or ""), str(p.get("template_id") or "")
        if not (phone.startswith("84") and phone.isdigit() and 11 <= len(phone) <= 12):
            return oa_error(-108)
        if phone in self.no_zalo_phones:
            return oa_error(-118)
        if template not in self.zns_templates:
            return oa_error(-132)
        data = p.get("template_data") if isinstance(p.get("template_data"), dict) else None
        if data is None or any(name not in data for name in self.zns_templates[template]):
            return oa_error(-218)
        if self.zns_quota is not None:
            if self.zns_quota <= 0:
                return 200, {"error": -216, "message": "ZNS quota exceeded"}
            self.zns_quota -= 1
        left = self.zns_quota if self.zns_quota is not None else 500
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": uuid.uuid4().hex[:20],
                "sent_time": str(int(self.wall().timestamp() * 1000)),
                "sending_mode": None,
                "quota": {"dailyQuota": "500", "remainingQuota": str(left)},
            },
        }
