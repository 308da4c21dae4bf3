"""Rendering a Reply on Telegram: text in ≤4096-character parts, choices as an inline keyboard, media uploaded.

Text goes out as a plain `sendMessage` call through PTB's `do_api_request`: the answer is kept as the dict
Telegram sent instead of being parsed into a `Message` object, which at broadcast rates cost more CPU than
the HTTP call itself. Keyboards are Bot API JSON for the same reason. Every PTB error becomes one of the
delivery errors the outbox sender understands (bot.channels.base).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import InlineKeyboardMarkup, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.warnings import PTBUserWarning

from bot.channels.base import DeliveryError, Permanent, RetryAfter, Transient, Unreachable
from bot.core.replies import Choice, Media, Reply, split_text
from bot.media import is_ref

if TYPE_CHECKING:
    from telegram import Bot, Message

    from bot.media import MediaStore

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
T = TypeVar("T")
Markup = dict[str, Any]  # a reply_markup as the Bot API defines it
Step = Callable[[Markup | None], Awaitable[str]]  # one send call given the keyboard; returns the message id

# do_api_request suggests the typed method; for sendMessage we want the raw answer on purpose (see above).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


def keyboard(choices: tuple[Choice, ...]) -> Markup | None:
    """One button per row: labels are often long (a ward with its province) and must stay readable on a phone."""
    if not choices:
        return None
    return {"inline_keyboard": [[{"text": c.label[:64], "callback_data": c.payload}] for c in choices]}


def link_button(text: str, url: str) -> Markup:
    return {"inline_keyboard": [[{"text": text[:64], "url": url}]]}


@dataclass(frozen=True)
class WithLink(Reply):
    """A reply with a link button under it, when it has no choices of its own: the way from a group chat to
    the private chat. Telegram-only, and only ever a direct reply (the outbox keeps no links)."""

    link_text: str = ""
    link_url: str = ""

    @classmethod
    def of(cls, reply: Reply, text: str, url: str) -> WithLink:
        return cls(**{f.name: getattr(reply, f.name) for f in fields(reply)}, link_text=text, link_url=url)

    def markup(self) -> Markup:
        return link_button(self.link_text, self.link_url)


def retry_seconds(error: PtbRetryAfter) -> float:
    value = error._retry_after  # a timedelta; the public property warns while PTB migrates from int seconds
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def as_delivery_error(error: TelegramError) -> DeliveryError:
    """Map a PTB error to what the sender should do next. ChatMigrated is handled by the caller first."""
    if isinstance(error, PtbRetryAfter):
        return RetryAfter(retry_seconds(error))
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, BadRequest | InvalidToken | Conflict):
        return Permanent(error.message)
    if isinstance(error, NetworkError):
        return Transient(error.message)
    return Transient(str(error))


async def call(make: Callable[[], Awaitable[T]]) -> T:
    try:
        return await make()
    except ChatMigrated:
        raise
    except TelegramError as error:
        raise as_delivery_error(error) from error


class Sender:
    """Sends one Reply to one chat with a Bot; `media` resolves "media:" references."""

    def __init__(self, bot: Bot, media: MediaStore, paid: bool = False) -> None:
        self.bot = bot
        self.media = media
        # Paid broadcasts (allow_paid_broadcast, billed in Stars) lift the limit from 30 to 1,000 messages/s.
        self.extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}

    async def send(self, chat_id: str, reply: Reply) -> list[str]:
        parts = split_text(reply.text, TEXT_LIMIT) if reply.text else []
        markup = keyboard(reply.choices) or (reply.markup() if isinstance(reply, WithLink) else None)
        steps: list[Step] = [partial(self._text, chat_id, part) for part in parts]
        for item in reply.media:
            steps += await self._media_steps(chat_id, item)
        ids: list[str] = []
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            # The keyboard goes under the last message, where the person is looking.
            ids.append(await call(partial(step, markup if last else None)))
        return ids

    async def _text(self, chat_id: str, text: str, markup: Markup | None) -> str:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, **self.extra}
        if markup is not None:
            params["reply_markup"] = markup
        sent = await self.bot.do_api_request("sendMessage", api_kwargs=params)
        return str(sent["message_id"])

    async def _upload(
        self,
        method: Callable[..., Awaitable[Message]],
        chat_id: str,
        source: Any,
        markup: Markup | None,
        **kwargs: Any,
    ) -> str:
        reply_markup = InlineKeyboardMarkup.de_json(markup, self.bot) if markup is not None else None
        sent = await method(chat_id, source, reply_markup=reply_markup, **kwargs, **self.extra)
        return str(sent.message_id)

    async def _media_steps(self, chat_id: str, item: Media) -> list[Step]:
        source: Any
        filename = item.filename
        if is_ref(item.url):
            stored = await self.media.get(item.url or "")
            if stored is None:
                raise Permanent("stored media is gone")
            source, filename = (
                InputFile(stored.data, filename=filename or stored.filename),
                filename or stored.filename,
            )
        elif item.data is not None:
            source = InputFile(item.data, filename=filename or "file")
        elif item.url:
            source = item.url  # a public URL: Telegram fetches it itself
        else:
            raise Permanent("media without content")
        caption = item.caption or None
        separate = None
        if caption and len(caption) > CAPTION_LIMIT:
            caption, separate = None, item.caption
        steps: list[Step]
        if item.kind == "image":
            steps = [partial(self._upload, self.bot.send_photo, chat_id, source, caption=caption)]
        else:
            steps = [
                partial(
                    self._upload, self.bot.send_document, chat_id, source, caption=caption, filename=filename
                )
            ]
        if separate:
            steps += [partial(self._text, chat_id, part) for part in split_text(separate, TEXT_LIMIT)]
        return steps
