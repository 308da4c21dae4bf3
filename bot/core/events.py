"""Platform-neutral incoming events. Adapters build them; handlers never see a platform object."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"  # a button pressed, or a numbered/labelled choice typed
    MEDIA = "media"
    LOCATION = "location"
    CONTACT = "contact"
    # Something a person sent that no flow can read (a sticker, a GIF, a poll): answered by the core like any
    # message, so a form asks its question again rather than leaving the person with a channel's stock reply.
    UNREADABLE = "unreadable"


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Attachment:
    """A photo, file or voice note. `fetch` is the adapter's key to download it (URL or file id)."""

    kind: str  # "photo" | "file" | "voice" | "video"
    fetch: str
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None
    data: bytes | None = field(default=None, repr=False)  # present when the adapter already has the bytes


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Contact:
    phone: str
    name: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a person did in a chat."""

    channel: str
    user_id: str
    chat_id: str
    kind: Kind
    chat_type: ChatType = ChatType.PRIVATE
    text: str = ""
    command: str | None = None  # lower-case, without "/" or "@bot"
    args: str = ""
    choice: str | None = None  # the payload of the pressed choice
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    contact: Contact | None = None
    display_name: str | None = None
    platform_locale: str | None = None
    update_key: str | None = None  # for de-duplication of redelivered updates
    # Keyed hash of the sender's client network (web chat only; bot.guard.ratelimit), for limits that identify no one.
    # Never stored with what the person sends, and kept out of repr so it never reaches a log line.
    client_key: str | None = field(default=None, repr=False)
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def is_group(self) -> bool:
        return self.chat_type == ChatType.GROUP


def parse_text(channel: str, user_id: str, chat_id: str, text: str, **kw: Any) -> Incoming:
    """Build a text or command event from what a person typed ("/start abc" → command start, args abc)."""
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        head, _, rest = stripped[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        return Incoming(
            channel, user_id, chat_id, Kind.COMMAND, text=stripped, command=command, args=rest.strip(), **kw
        )
    return Incoming(channel, user_id, chat_id, Kind.TEXT, text=text, **kw)
