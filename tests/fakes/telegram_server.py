"""FakeTelegram: the Bot API as python-telegram-bot 22 speaks it, on loopback.

Point PTB at it with ``Bot(token, base_url=fake.api_base, base_file_url=fake.file_base)``
(or ``ApplicationBuilder().base_url(...).base_file_url(...)``).  PTB POSTs
form-urlencoded bodies (multipart when uploading); string values are sent
as-is and every other value JSON-encoded, which ``parse_params`` undoes.

Not modelled: inline mode, payments, media groups, allowed_updates filtering,
MarkdownV2 escaping checks, and the HTTPS-only rule for webhook URLs
(loopback http is accepted).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._common import JSON, Clock, FakeServer, InjectedError, RecordedRequest, Reply, dumps
from ._telegram_activity import TelegramState, UserActivityMixin
from ._telegram_methods import EDIT_METHODS, SEND_METHODS, MessageMethodsMixin, as_chat_id, error, ok
from ._telegram_rules import FloodControl, FloodLimits

# Real methods the fake accepts without modelling (answers True), so app start-up works.
ACCEPTED_METHODS = frozenset(
    {
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
        "setMyDefaultAdministratorRights",
        "close",
        "logOut",
    }
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
PRESETS: dict[str, tuple[int, str]] = {
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "cant_initiate": (403, "Forbidden: bot can't initiate conversation with a user"),
    "kicked": (403, "Forbidden: bot was kicked from the group chat"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "chat_not_found": (400, "Bad Request: chat not found"),
    "too_long": (400, "Bad Request: message is too long"),
    "conflict": (409, DEFAULT_DESCRIPTIONS[409]),
    "bad_gateway": (502, "Bad Gateway"),
}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class FakeTelegram(MessageMethodsMixin, UserActivityMixin, FakeServer):
    """Loopback Bot API server; see the module docstring."""

    SEND_METHODS = SEND_METHODS

    def __init__(
        self,
        token: str = "123456789:TEST-andan-token",
        *,
        username: str = "andan_test_bot",
        first_name: str = "An Dân",
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        per_group_per_minute: int = 20,
        paid_per_second: int = 1000,
        strict_chats: bool = False,
        first_update_id: int = 100_000,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(clock=clock)
        self.pusher.on_reply = self._webhook_reply
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.state = TelegramState(
            {"id": self.bot_id, "is_bot": True, "first_name": first_name, "username": username},
            first_update_id,
        )
        self.enforce_limits = enforce_limits
        # Limits stay adjustable at run time through fake.flood.limits.
        self.flood = FloodControl(
            FloodLimits(
                global_per_second, per_chat_per_second, per_chat_burst, per_group_per_minute, paid_per_second
            ),
            clock,
        )
        self.strict_chats = strict_chats  # True: unknown chat ids -> "chat not found"
        self.blocked: set[Any] = set()
        # Methods this server does not offer (as a Bot API server of another version): 404, as Telegram answers.
        self.disabled: set[str] = set()
        self.webhook: JSON | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.members: dict[tuple[Any, int], str] = {}
        self.callback_queries = {}
        self._last_update = None
        self._pending: list[JSON] = []  # {"update": ..., "sticky": bool}
        self._poll_generation = 0
        self._methods: dict[str, tuple[str, Callable[[str, JSON], Awaitable[Reply]]]] = {
            name.lower(): (name, fn)
            for name, fn in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send,
                "sendPhoto": self._send,
                "sendDocument": self._send,
                "sendVoice": self._send,
                "sendLocation": self._send,
                "sendContact": self._send,
                "editMessageText": self._edit,
                "editMessageReplyMarkup": self._edit,
                "answerCallbackQuery": self._answer_callback,
                "sendChatAction": self._chat_action,
                "getFile": self._get_file,
                "deleteMessage": self._delete_message,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                **dict.fromkeys(ACCEPTED_METHODS, self._accept),
            }.items()
        }

    # ----- URLs and configuration ---------------------------------------------------
    @property
    def api_base(self) -> str:
        """Value for PTB's ``base_url`` (PTB appends the token)."""
        return f"{self.base_url}/bot"

    @property
    def file_base(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"{self.base_url}/file/bot"

    def block_user(self, chat_id: Any) -> None:
        self.blocked.add(as_chat_id(chat_id))

    def unblock_user(self, chat_id: Any) -> None:
        self.blocked.discard(as_chat_id(chat_id))

    def set_chat_member(self, chat_id: int, user_id: int, status: str = "administrator") -> None:
        """Status getChatMember reports: creator, administrator, member, left or kicked."""
        self.members[(chat_id, user_id)] = status

    # ----- plumbing -----------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._route_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._route_file)

    def _outcome(self, status: int, body: JSON) -> str:
        return "ok" if body.get("ok") else "rate_limited" if status == 429 else "error"

    def _make_error(
        self,
        err: Any,
        description: str | None = None,
        retry_after: int = 5,
        migrate_to_chat_id: int | None = None,
    ) -> InjectedError:
        """``err``: an HTTP code (400, 403, 429...), a preset name, "migrated", or a body dict (answered with its
        error_code, or 200 for an ``"ok": true`` body, e.g. a malformed result)."""
        if isinstance(err, dict):
            return InjectedError(int(err.get("error_code", 200 if err.get("ok") else 400)), err)
        if err in ("retry_after", "flood", 429):
            return InjectedError(
                *error(
                    429,
                    description or f"Too Many Requests: retry after {retry_after}",
                    retry_after=retry_after,
                )
            )
        if err == "migrated":
            return InjectedError(
                *error(
                    400,
                    description or "Bad Request: group chat was upgraded to a supergroup chat",
                    migrate_to_chat_id=migrate_to_chat_id or -1001234567890,
                )
            )
        code, default = (
            PRESETS[err] if isinstance(err, str) else (err, DEFAULT_DESCRIPTIONS.get(err, "Error"))
        )
        return InjectedError(*error(code, description or default))

    async def _route_api(self, request: web.Request) -> web.Response:
        raw = request.match_info["method"]
        name, fn = self._methods.get(raw.lower(), (raw, None))  # Telegram ignores method case

        async def handle(rec: RecordedRequest) -> Reply:
            if request.match_info["token"] != self.token:
                return error(401, "Unauthorized")
            if fn is None or name in self.disabled:
                return error(404, "Not Found")
            if injected := self._take_injected(name):
                return injected
            return await fn(name, rec.params)

        return await self._dispatch(request, name, handle)

    async def _route_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        found = next((f for f in self.state.files.values() if f["file_path"] == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=found["data"], content_type="application/octet-stream")

    async def _webhook_reply(self, body: bytes) -> None:
        """Telegram runs a Bot API method a webhook answers with ({"method": ..., params}): recorded like any call;
        its result goes nowhere (the bot cannot know whether it worked)."""
        try:
            params = json.loads(body) if body else None
        except ValueError:
            return
        if not isinstance(params, dict) or not isinstance(params.get("method"), str):
            return
        raw = params.pop("method")
        name, fn = self._methods.get(raw.lower(), (raw, None))
        rec = RecordedRequest(method=name, params=params, headers={}, at=self.clock(), path="webhook reply")
        self.requests.append(rec)
        status, answer = await fn(name, params) if fn is not None else error(404, "Not Found")
        rec.status, rec.response, rec.outcome = status, answer, self._outcome(status, answer)
        self.stats.count(name, rec.outcome)
        self._changed.fire()

    def _deliver(self, update: JSON, redelivery: bool = False) -> None:
        if self.webhook:
            headers = {"Content-Type": "application/json"}
            if self.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
            self.pusher.enqueue(self.webhook["url"], dumps(update).encode(), headers, update["update_id"])
        else:
            # A re-delivery is "sticky": it is returned once even if its id was confirmed.
            self._pending.append({"update": update, "sticky": redelivery})
            self._changed.fire()

    async def webhook_idle(self) -> None:
        """Wait until every queued webhook push was delivered or given up."""
        await self.pusher.idle()

    # ----- queries for tests --------------------------------------------------------
    def messages_to(self, chat_id: Any) -> list[JSON]:
        """Params of every message the bot sent to ``chat_id``, in order."""
        return self.sent(chat_id=as_chat_id(chat_id))

    def texts_to(self, chat_id: Any) -> list[str | None]:
        return [p.get("text", p.get("caption")) for p in self.messages_to(chat_id)]

    def last_keyboard(self, chat_id: Any) -> list[list[JSON]] | None:
        """Button rows of the latest send/edit to ``chat_id`` that carried a reply_markup."""
        for rec in reversed(self.requests):
            if (
                rec.ok
                and rec.method in SEND_METHODS | EDIT_METHODS
                and str(rec.params.get("chat_id")) == str(chat_id)
                and isinstance(rec.params.get("reply_markup"), dict)
            ):
                markup = rec.params["reply_markup"]
                return markup.get("inline_keyboard", markup.get("keyboard"))
        return None

    def message(self, chat_id: Any, message_id: int) -> JSON | None:
        """The current state of a message (after edits), or None if deleted/unknown."""
        return self.state.messages.get((as_chat_id(chat_id), message_id))

    # ----- bot-level method handlers (message-level ones: MessageMethodsMixin) ------
    async def _accept(self, name: str, p: JSON) -> Reply:
        return ok(True)

    async def _get_me(self, name: str, p: JSON) -> Reply:
        return ok(
            {
                **self.state.bot_user,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )

    async def _get_updates(self, name: str, p: JSON) -> Reply:
        if self.webhook:
            return error(409, WEBHOOK_CONFLICT)
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.fire()  # an older poll still waiting now ends with 409, as on Telegram
        offset = p.get("offset")
        limit = max(1, min(int(p.get("limit") or 100), 100))
        if isinstance(offset, int) and offset > 0:
            self._pending = [e for e in self._pending if e["sticky"] or e["update"]["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + float(p.get("timeout") or 0)
        while True:
            if generation != self._poll_generation:
                return error(409, DEFAULT_DESCRIPTIONS[409])
            if self.webhook:
                return error(409, WEBHOOK_CONFLICT)
            entries = self._pending[offset:] if isinstance(offset, int) and offset < 0 else self._pending
            batch = entries[:limit]
            left = deadline - asyncio.get_running_loop().time()
            if batch or left <= 0 or self._closing:
                for entry in batch:
                    entry["sticky"] = False
                return ok([e["update"] for e in batch])
            await self._changed.wait(left)

    async def _set_webhook(self, name: str, p: JSON) -> Reply:
        url = str(p.get("url") or "")
        if not url:
            return await self._delete_webhook(name, p)
        secret = p.get("secret_token")
        if secret is not None and (
            not 1 <= len(str(secret)) <= 256 or not all(c.isalnum() or c in "_-" for c in str(secret))
        ):
            return error(400, "Bad Request: secret token contains unallowed characters")
        if not url.startswith(("http://", "https://")):
            return error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        max_conn = int(p.get("max_connections") or 40)
        if not 1 <= max_conn <= 100:
            return error(400, "Bad Request: bad webhook: max_connections must be between 1 and 100")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": max_conn,
            "allowed_updates": p.get("allowed_updates"),
        }
        pending, self._pending = self._pending, []
        if not p.get("drop_pending_updates"):
            for entry in pending:  # Telegram hands queued updates to the new webhook
                self._deliver(entry["update"])
        self._changed.fire()
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}

    async def _delete_webhook(self, name: str, p: JSON) -> Reply:
        was_set, self.webhook = self.webhook is not None, None
        if p.get("drop_pending_updates"):
            self._pending = []
        return 200, {
            "ok": True,
            "result": True,
            "description": "Webhook was deleted" if was_set else "Webhook is already deleted",
        }

    async def _get_webhook_info(self, name: str, p: JSON) -> Reply:
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self.pusher.failures:
                last = self.pusher.failures[-1]
                info["last_error_date"] = int(last["at"])
                info["last_error_message"] = (
                    f"Wrong response from the webhook: {last['status']}"
                    if last["status"]
                    else "Connection refused"
                )
        return ok(info)

    @staticmethod
    def _scope_key(p: JSON) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return dumps(dict(sorted(scope.items()))), str(p.get("language_code") or "")

    async def _set_my_commands(self, name: str, p: JSON) -> Reply:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            return error(400, "Bad Request: can't parse commands JSON object")
        for cmd in commands:
            name, desc = str(cmd.get("command", "")), str(cmd.get("description", ""))
            if not (1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)):
                return error(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(desc) <= 256:
                return error(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(p)] = commands
        return ok(True)

    async def _get_my_commands(self, name: str, p: JSON) -> Reply:
        return ok(self.commands.get(self._scope_key(p), []))

    async def _delete_my_commands(self, name: str, p: JSON) -> Reply:
        self.commands.pop(self._scope_key(p), None)
        return ok(True)
