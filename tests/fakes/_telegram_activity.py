"""User activity for FakeTelegram: builds real Update JSON and delivers it.

Every injector returns the Update dict it produced.  Updates go to the
getUpdates queue, or are pushed to the webhook when one is set.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

JSON = dict[str, Any]


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class TelegramState:
    """Chats, users, messages and files shared by the server and the injectors."""

    def __init__(self, bot_user: JSON, first_update_id: int) -> None:
        self.bot_user = bot_user
        self.users: dict[int, JSON] = {}
        self.chats: dict[int | str, JSON] = {}
        self.messages: dict[tuple[Any, Any], JSON] = {}  # (chat_id, message_id)
        self.files: dict[str, JSON] = {}
        self._message_ids: dict[Any, itertools.count[int]] = {}
        self._update_ids = itertools.count(first_update_id)
        self._file_seq = itertools.count(1)

    def next_message_id(self, chat_id: Any) -> int:
        # Message ids are per chat and shared by both sides of the conversation.
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def bump_update_id(self, used: int) -> None:
        """Make sure ids handed out later stay above an explicitly injected one."""
        nxt = next(self._update_ids)
        self._update_ids = itertools.count(max(nxt, used + 1))

    def register_file(self, data: bytes, folder: str, ext: str, **extra: Any) -> JSON:
        """Store bytes so getFile + the file download route can serve them."""
        n = next(self._file_seq)
        file_id = f"AgAC{uuid.uuid4().hex}"
        record = {
            "file_id": file_id,
            "file_unique_id": f"AQAD{n:08d}",
            "file_size": len(data),
            "file_path": f"{folder}/file_{n}.{ext}",
            "data": data,
            **extra,
        }
        self.files[file_id] = record
        return record


class UserActivityMixin:
    """Injectors for what users do; mixed into FakeTelegram."""

    state: TelegramState
    callback_queries: dict[str, bool]  # query id -> answered?
    _last_update: JSON | None

    def _deliver(self, update: JSON, redelivery: bool = False) -> None:  # pragma: no cover
        raise NotImplementedError

    # ----- building blocks --------------------------------------------------------
    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> JSON:
        user = self.state.users.get(user_id)
        if user is None:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
                "language_code": language_code,
            }
            self.state.users[user_id] = user
        if first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        return user

    def _chat(self, chat_id: int, chat_type: str, user: JSON | None = None, title: str | None = None) -> JSON:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            chat = {"id": chat_id, "type": chat_type}
            self.state.chats[chat_id] = chat
        if chat_type == "private":
            if user is not None:
                chat.update({k: user[k] for k in ("first_name", "username") if k in user})
        elif title or "title" not in chat:
            chat["title"] = title or f"Group {chat_id}"
        return chat

    def _message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        title: str | None = None,
        **content: Any,
    ) -> JSON:
        user = self._user(user_id, first_name, username)
        chat_id = chat_id if chat_id is not None else user_id
        known = self.state.chats.get(chat_id)
        if chat_type is None:  # keep a known chat's type; else infer from the id's sign
            chat_type = known["type"] if known else ("private" if chat_id > 0 else "group")
        chat = self._chat(chat_id, chat_type, user, title)
        message = {
            "message_id": self.state.next_message_id(chat["id"]),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        self.state.messages[(chat["id"], message["message_id"])] = message
        return message

    def _emit(self, **payload: Any) -> JSON:
        update = {"update_id": self.state.next_update_id(), **payload}
        self._last_update = update
        self._deliver(update)
        return update

    # ----- injectors --------------------------------------------------------------
    def user_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A user sends ``text``; a leading /command gets its bot_command entity.

        ``chat_type`` defaults to the known chat's type, else "private" for a
        positive chat id and "group" for a negative one.
        """
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self.state.messages.get(
                (chat_id if chat_id is not None else user_id, reply_to_message_id)
            )
        message = self._message(
            user_id,
            chat_id,
            chat_type,
            first_name=first_name,
            username=username,
            title=title,
            text=text,
            entities=entities,
            reply_to_message=reply_to,
        )
        return self._emit(message=message)

    def group_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str = "group",
        title: str | None = None,
        **kwargs: Any,
    ) -> JSON:
        """A member writes in a group (negative chat id; "group" or "supergroup")."""
        return self.user_text(user_id, text, chat_id, chat_type=chat_type, title=title, **kwargs)

    def user_press(
        self, user_id: int, callback_data: str, message_id: int, chat_id: int | None = None
    ) -> JSON:
        """A user presses an inline button under message ``message_id``."""
        chat_id = chat_id if chat_id is not None else user_id
        message = self.state.messages.get((chat_id, message_id))
        if message is None:  # a message the fake never saw: build a plausible one
            chat = self.state.chats.get(chat_id) or {"id": chat_id, "type": "private"}
            message = {
                "message_id": message_id,
                "from": self.state.bot_user,
                "chat": chat,
                "date": int(time.time()),
                "text": "…",
            }
        query_id = str(uuid.uuid4().int % 10**19)
        self.callback_queries[query_id] = False
        return self._emit(
            callback_query={
                "id": query_id,
                "from": dict(self._user(user_id)),
                "message": message,
                "chat_instance": str(abs(hash(chat_id)) % 10**18),
                "data": callback_data,
            }
        )

    def user_photo(
        self,
        user_id: int,
        image_bytes: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
        width: int = 1280,
        height: int = 960,
        **extra: Any,
    ) -> JSON:
        """A user sends a photo; getFile and the download route serve its bytes. `extra` adds message fields
        (`media_group_id` for a part of an album, `forward_origin` for a forwarded one)."""
        sizes = []
        for scale in (0.25, 1.0):  # Telegram sends several sizes, largest last
            f = self.state.register_file(image_bytes, "photos", "jpg")
            sizes.append(
                {
                    "file_id": f["file_id"],
                    "file_unique_id": f["file_unique_id"],
                    "file_size": f["file_size"],
                    "width": int(width * scale),
                    "height": int(height * scale),
                }
            )
        message = self._message(user_id, chat_id, photo=sizes, caption=caption, **extra)
        return self._emit(message=message)

    def user_album(
        self, user_id: int, images: list[bytes], caption: str | None = None, chat_id: int | None = None
    ) -> list[JSON]:
        """Several photos chosen at once, as Telegram delivers an album: one message (and update) per photo, back
        to back, sharing a `media_group_id`; only the first carries the caption, if any."""
        group = f"1{next(self.state._file_seq):017d}"
        return [
            self.user_photo(
                user_id, data, caption=caption if i == 0 else None, chat_id=chat_id, media_group_id=group
            )
            for i, data in enumerate(images)
        ]

    def user_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        chat_id: int | None = None,
        **extra: Any,
    ) -> JSON:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        f = self.state.register_file(data, "documents", ext)
        document = {
            "file_id": f["file_id"],
            "file_unique_id": f["file_unique_id"],
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": f["file_size"],
        }
        message = self._message(user_id, chat_id, document=document, caption=caption, **extra)
        return self._emit(message=message)

    def user_voice(
        self,
        user_id: int,
        data: bytes,
        duration: int = 3,
        mime_type: str = "audio/ogg",
        chat_id: int | None = None,
    ) -> JSON:
        f = self.state.register_file(data, "voice", "oga")
        voice = {
            "file_id": f["file_id"],
            "file_unique_id": f["file_unique_id"],
            "duration": duration,
            "mime_type": mime_type,
            "file_size": f["file_size"],
        }
        return self._emit(message=self._message(user_id, chat_id, voice=voice))

    def user_location(self, user_id: int, lat: float, lon: float, chat_id: int | None = None) -> JSON:
        location = {"latitude": lat, "longitude": lon}
        return self._emit(message=self._message(user_id, chat_id, location=location))

    def user_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A user shares a contact; by default their own (as the request_contact button does)."""
        owner = self._user(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or owner["first_name"],
            "user_id": contact_user_id if contact_user_id is not None else user_id,
        }
        return self._emit(message=self._message(user_id, chat_id, contact=contact))

    def inject_raw(self, update: JSON) -> JSON:
        """Deliver an update as given; an update_id is added when missing."""
        update = dict(update)
        if "update_id" in update:
            self.state.bump_update_id(int(update["update_id"]))
        else:
            update = {"update_id": self.state.next_update_id(), **update}
        self._last_update = update
        self._deliver(update)
        return update

    def inject_duplicate_last(self) -> JSON:
        """Re-deliver the last update with the same update_id (as Telegram may)."""
        if self._last_update is None:
            raise RuntimeError("no update was injected yet")
        self._deliver(self._last_update, redelivery=True)
        return self._last_update
