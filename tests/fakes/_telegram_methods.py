"""Message-level Bot API methods of FakeTelegram: send, edit, callbacks, files, chats.

Each send returns a Message that python-telegram-bot can ``de_json``:
message ids grow per chat, ``from`` is the bot, and inline keyboards are
echoed back as Telegram does (reply keyboards are not echoed).
"""

from __future__ import annotations

import time
from typing import Any

from ._common import JSON, Reply
from ._telegram_activity import TelegramState
from ._telegram_rules import FloodControl, caption_error, reply_markup_error, text_error

SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendLocation", "sendContact"}
)
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def ok(result: Any) -> Reply:
    return 200, {"ok": True, "result": result}


def error(code: int, description: str, **parameters: Any) -> Reply:
    body: JSON = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


def as_chat_id(value: Any) -> Any:
    """Chat ids arrive as ints from forms; normalise "123" strings from JSON bodies too."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


class MessageMethodsMixin:
    """Handlers for message-level methods; mixed into FakeTelegram."""

    state: TelegramState
    blocked: set[Any]
    strict_chats: bool
    enforce_limits: bool
    flood: FloodControl
    members: dict[tuple[Any, int], str]
    callback_queries: dict[str, bool]

    def _target_chat(self, chat_id: Any) -> JSON | None:
        """The chat a call addresses; unknown chats are invented unless strict_chats."""
        chat = self.state.chats.get(chat_id)
        if chat is None and not self.strict_chats:
            if isinstance(chat_id, int) and chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            elif isinstance(chat_id, int):
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            else:
                chat = {
                    "id": -1001000000001,
                    "type": "channel",
                    "title": str(chat_id),
                    "username": str(chat_id).lstrip("@"),
                }
            self.state.chats[chat_id] = chat
        return chat

    def _file_from(self, value: Any, folder: str, ext: str, mime: str) -> JSON | None:
        """An uploaded part, a known file_id, or a URL (registered with empty bytes)."""
        if isinstance(value, dict) and "data" in value:
            name = value.get("filename") or f"file.{ext}"
            return self.state.register_file(
                value["data"], folder, ext, file_name=name, mime_type=value.get("content_type") or mime
            )
        if isinstance(value, str) and value in self.state.files:
            return self.state.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.state.register_file(
                b"", folder, ext, file_name=value.rsplit("/", 1)[-1], mime_type=mime, source_url=value
            )
        return None

    @staticmethod
    def _file_obj(f: JSON, *keys: str) -> JSON:
        base = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"], "file_size": f["file_size"]}
        return {**base, **{k: f[k] for k in keys if k in f}}

    def _content(self, method: str, p: JSON) -> tuple[JSON, str | None]:
        """The method-specific part of the Message, or Telegram's error description."""
        parse_mode = p.get("parse_mode")
        if method == "sendMessage":
            return {"text": p.get("text")}, text_error(p.get("text"), parse_mode)
        if method == "sendLocation":
            if p.get("latitude") is None or p.get("longitude") is None:
                return {}, "Bad Request: latitude or longitude is empty"
            return {"location": {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}}, None
        if method == "sendContact":
            if not p.get("phone_number") or not p.get("first_name"):
                return {}, "Bad Request: phone number or first name is empty"
            return {"contact": {"phone_number": p["phone_number"], "first_name": p["first_name"]}}, None
        field, folder, ext, mime = {
            "sendPhoto": ("photo", "photos", "jpg", "image/jpeg"),
            "sendDocument": ("document", "documents", "bin", "application/octet-stream"),
            "sendVoice": ("voice", "voice", "oga", "audio/ogg"),
        }[method]
        if err := caption_error(p.get("caption"), parse_mode):
            return {}, err
        f = self._file_from(p.get(field), folder, ext, mime)
        if f is None:
            return {}, "Bad Request: wrong file identifier/HTTP URL specified"
        content: JSON = {"caption": p["caption"]} if p.get("caption") else {}
        if method == "sendPhoto":
            content["photo"] = [
                {**self._file_obj(f), "width": 320, "height": 240},
                {**self._file_obj(f), "width": 1280, "height": 960},
            ]
        elif method == "sendDocument":
            content["document"] = self._file_obj(f, "file_name", "mime_type")
        else:
            content["voice"] = {**self._file_obj(f, "mime_type"), "duration": int(p.get("duration") or 1)}
        return content, None

    async def _send(self, name: str, p: JSON) -> Reply:
        chat_id = as_chat_id(p.get("chat_id"))
        if chat_id in (None, ""):
            return error(400, "Bad Request: chat_id is empty")
        chat = self._target_chat(chat_id)
        if chat is None:
            return error(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            return error(403, BLOCKED)
        markup = p.get("reply_markup")
        content, err = self._content(name, p)
        if err := reply_markup_error(markup) or err:
            return error(400, err)
        if self.enforce_limits:
            if wait := self.flood.acquire(chat_id, bool(p.get("allow_paid_broadcast"))):
                return error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        message: JSON = {
            "message_id": self.state.next_message_id(chat_id),
            "from": self.state.bot_user,
            "chat": dict(chat),
            "date": int(time.time()),
            **content,
        }
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        if p.get("message_thread_id"):
            message["message_thread_id"] = p["message_thread_id"]
        reply_to = (p.get("reply_parameters") or {}).get("message_id") or p.get("reply_to_message_id")
        if replied := self.state.messages.get((chat_id, reply_to)):
            message["reply_to_message"] = replied
        self.state.messages[(chat_id, message["message_id"])] = message
        return ok(message)

    async def _edit(self, name: str, p: JSON) -> Reply:
        markup = p.get("reply_markup")
        if err := reply_markup_error(markup):
            return error(400, err)
        if p.get("inline_message_id"):
            return ok(True)
        chat_id = as_chat_id(p.get("chat_id"))
        if chat_id in self.blocked:
            return error(403, BLOCKED)
        current = self.state.messages.get((chat_id, p.get("message_id")))
        if current is None:
            return error(400, "Bad Request: message to edit not found")
        if current["from"]["id"] != self.state.bot_user["id"]:
            return error(400, "Bad Request: message can't be edited")
        edited = {k: v for k, v in current.items() if k != "edit_date"}
        if name == "editMessageText":
            if "text" not in current:
                return error(400, "Bad Request: there is no text in the message to edit")
            if err := text_error(p.get("text"), p.get("parse_mode")):
                return error(400, err)
            edited["text"] = p["text"]
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            edited["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        else:
            edited.pop("reply_markup", None)
        if edited == {k: v for k, v in current.items() if k != "edit_date"}:
            return error(400, NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        self.state.messages[(chat_id, current["message_id"])] = edited
        return ok(edited)

    async def _answer_callback(self, name: str, p: JSON) -> Reply:
        query_id = str(p.get("callback_query_id"))
        if self.callback_queries.get(query_id, True):  # unknown, or answered already
            return error(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_queries[query_id] = True
        return ok(True)

    async def _chat_action(self, name: str, p: JSON) -> Reply:
        chat_id = as_chat_id(p.get("chat_id"))
        if self._target_chat(chat_id) is None:
            return error(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            return error(403, BLOCKED)
        if p.get("action") not in CHAT_ACTIONS:
            return error(400, "Bad Request: wrong parameter action in request")
        return ok(True)

    async def _get_file(self, name: str, p: JSON) -> Reply:
        f = self.state.files.get(str(p.get("file_id")))
        if f is None:
            return error(400, "Bad Request: invalid file_id")
        if f["file_size"] > DOWNLOAD_LIMIT:
            return error(400, "Bad Request: file is too big")
        return ok(self._file_obj(f, "file_path"))

    async def _delete_message(self, name: str, p: JSON) -> Reply:
        key = (as_chat_id(p.get("chat_id")), p.get("message_id"))
        if self.state.messages.pop(key, None) is None:
            return error(400, "Bad Request: message to delete not found")
        return ok(True)

    async def _get_chat(self, name: str, p: JSON) -> Reply:
        chat = self.state.chats.get(as_chat_id(p.get("chat_id")))
        if chat is None:
            return error(400, "Bad Request: chat not found")
        gifts = {
            k: False
            for k in (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            )
        }
        return ok({**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts})

    async def _get_chat_member(self, name: str, p: JSON) -> Reply:
        chat_id, user_id = as_chat_id(p.get("chat_id")), int(p.get("user_id") or 0)
        if self._target_chat(chat_id) is None:
            return error(400, "Bad Request: chat not found")
        user = self.state.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
        }
        status = self.members.get((chat_id, user_id), "member")
        member: JSON = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update({right: right not in ("can_be_edited", "is_anonymous") for right in ADMIN_RIGHTS})
        elif status == "kicked":
            member["until_date"] = 0
        return ok(member)
