"""python-telegram-bot Updates as platform-neutral events: text, commands, pressed buttons, media, places, contacts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Message, Update

from bot.core.events import Attachment, ChatType, Contact, Incoming, Kind, Location, parse_text

CHANNEL = "telegram"
# getFile refuses files bigger than this on the public Bot API server.
DOWNLOAD_LIMIT = 20 * 1024 * 1024


def chat_type_of(telegram_type: str) -> ChatType:
    return ChatType.PRIVATE if telegram_type == "private" else ChatType.GROUP


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    """The files a message carries, as download keys (file ids): nothing is fetched here."""
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return (
            Attachment(
                "photo", largest.file_id, filename=None, mime_type="image/jpeg", size=largest.file_size
            ),
        )
    if message.document:
        doc = message.document
        kind = "photo" if (doc.mime_type or "").startswith("image/") else "file"
        return (
            Attachment(
                kind, doc.file_id, filename=doc.file_name, mime_type=doc.mime_type, size=doc.file_size
            ),
        )
    if message.voice:
        voice = message.voice
        return (
            Attachment(
                "voice",
                voice.file_id,
                filename=None,
                mime_type=voice.mime_type or "audio/ogg",
                size=voice.file_size,
            ),
        )
    if message.audio:
        audio = message.audio
        return (
            Attachment(
                "voice",
                audio.file_id,
                filename=audio.file_name,
                mime_type=audio.mime_type,
                size=audio.file_size,
            ),
        )
    if message.video:
        video = message.video
        return (
            Attachment(
                "video",
                video.file_id,
                filename=video.file_name,
                mime_type=video.mime_type,
                size=video.file_size,
            ),
        )
    if message.video_note:  # a round video message: a video like any other
        note = message.video_note
        return (Attachment("video", note.file_id, filename=None, mime_type="video/mp4", size=note.file_size),)
    return ()


def to_incoming(update: Update, bot_username: str | None) -> Incoming | None:
    """The event for one update, or None for updates the core has nothing to do with (edits, group joins)."""
    key = str(update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or not query.data:
            return None
        user = query.from_user
        return Incoming(
            CHANNEL,
            str(user.id),
            str(message.chat.id),
            Kind.CHOICE,
            chat_type=chat_type_of(message.chat.type),
            choice=query.data[:64],
            display_name=user.full_name,
            platform_locale=user.language_code,
            update_key=key,
            raw=update,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    user = message.from_user
    common: dict[str, Any] = {
        "chat_type": chat_type_of(message.chat.type),
        "display_name": user.full_name,
        "platform_locale": user.language_code,
        "update_key": key,
        "raw": update,
    }
    user_id, chat_id = str(user.id), str(message.chat.id)
    if message.text is not None:
        if not addressed_to_us(message.text, bot_username):
            return None
        return parse_text(CHANNEL, user_id, chat_id, message.text, **common)
    found = attachments_of(message)
    if found:
        return Incoming(
            CHANNEL, user_id, chat_id, Kind.MEDIA, text=message.caption or "", attachments=found, **common
        )
    if message.location is not None:
        place = Location(message.location.latitude, message.location.longitude)
        return Incoming(CHANNEL, user_id, chat_id, Kind.LOCATION, location=place, **common)
    if message.contact is not None:
        contact = message.contact
        shared = Contact(
            contact.phone_number, " ".join(p for p in (contact.first_name, contact.last_name) if p)
        )
        return Incoming(CHANNEL, user_id, chat_id, Kind.CONTACT, contact=shared, **common)
    if message.chat.type == "private":
        return Incoming(CHANNEL, user_id, chat_id, Kind.UNREADABLE, **common)  # a sticker, a poll, a dice
    return None  # in a group: someone joined, a message was pinned…


def addressed_to_us(text: str, bot_username: str | None) -> bool:
    """In groups "/help@otherbot" is meant for another bot; a command without "@" or with ours is for us."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return True
    head = stripped[1:].split(" ", 1)[0]
    if "@" not in head:
        return True
    return bot_username is not None and head.split("@", 1)[1].lower() == bot_username.lower()


def too_large(event: Incoming) -> bool:
    return any(a.size is not None and a.size > DOWNLOAD_LIMIT for a in event.attachments)


def within_limit(event: Incoming) -> Incoming | None:
    """The event without the files too large to download (the rest of an album), or None when none is left."""
    kept = tuple(a for a in event.attachments if a.size is None or a.size <= DOWNLOAD_LIMIT)
    return replace(event, attachments=kept) if kept else None
