"""Telling a malformed webhook update from one the handlers can use, before it is queued.

python-telegram-bot's `Update.de_json` checks no types: `{"text": 5}` or a chat given as a list become objects
that fail later, inside a handler (or inside PTB itself, which keys sets by user and chat ids), as a server error
with a traceback. Telegram never sends such updates; anyone who learnt the webhook secret could.
"""

from __future__ import annotations

import math
from typing import Any

from telegram import Update

from bot.channels.telegram.convert import to_incoming


def _number(value: Any, limit: float) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and abs(value) <= limit
    )


def unusable(update: Update, bot_username: str | None) -> str | None:
    """Why the handlers could not use this update (a short note for the log), or None when they can."""
    for message in (update.message, getattr(update.callback_query, "message", None)):
        chat = getattr(message, "chat", None)
        if message is not None and (chat is None or not isinstance(chat.type, str)):
            return "message chat"
    for who in (update.effective_user, update.effective_chat):
        if who is not None and (isinstance(who.id, bool) or not isinstance(who.id, int)):
            return "ids"
    query = update.callback_query
    if query is not None and not isinstance(getattr(query.message, "text", None), str | None):
        return "callback message text"
    change = update.my_chat_member
    if change is not None and (
        change.chat is None
        or not isinstance(change.chat.type, str)
        or not all(
            isinstance(getattr(member, "status", None), str) and member.user is not None
            for member in (change.old_chat_member, change.new_chat_member)
        )
    ):
        return "chat member"
    try:
        event = to_incoming(update, bot_username)
    except Exception as error:  # the conversion reads only the update: its shape is at fault
        return type(error).__name__
    if event is None:
        return None
    texts = (event.user_id, event.chat_id, event.text)
    optional = (event.display_name, event.platform_locale, event.choice)
    if not all(isinstance(v, str) for v in texts) or not all(
        v is None or isinstance(v, str) for v in optional
    ):
        return "field types"
    for item in event.attachments:
        if not isinstance(item.fetch, str) or not all(
            v is None or isinstance(v, str) for v in (item.filename, item.mime_type)
        ):
            return "attachment"
        if item.size is not None and (isinstance(item.size, bool) or not isinstance(item.size, int)):
            return "attachment size"
    place = event.location
    if place is not None and not (_number(place.latitude, 90) and _number(place.longitude, 180)):
        return "location"
    contact = event.contact
    if contact is not None and (
        not isinstance(contact.phone, str) or not isinstance(contact.name, str | None)
    ):
        return "contact"
    return None
