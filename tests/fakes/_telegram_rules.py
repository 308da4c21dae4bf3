"""Telegram's validation rules and flood limits, as the fake enforces them.

Descriptions are Telegram's own strings where known (they surface verbatim in
python-telegram-bot's exceptions, and bots sometimes match on them).
Entity parsing is approximated: for ``parse_mode="HTML"`` tags are checked
and stripped before measuring; Markdown text is measured minus its markup
characters, without checking MarkdownV2 escaping.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from ._common import Clock, SlidingWindow

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_MAX_BYTES = 64
MAX_INLINE_BUTTONS = 100

HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
# Exactly one of these must accompany "text" in an inline button.
INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)?[^>]*>|<")
_MD_MARKUP = re.compile(r"\\(.)|[*_~|`]")


def parse_entities_error(text: str, parse_mode: str | None) -> str | None:
    """Return Telegram's "can't parse entities" error for malformed HTML, else None."""
    if not parse_mode or parse_mode.upper() != "HTML":
        return None
    stack: list[str] = []
    for match in _TAG.finditer(text):
        offset = len(text[: match.start()].encode("utf-8"))
        closing, name = match.group(1), (match.group(2) or "").lower()
        if match.group(0) == "<" or not name:
            return f"Bad Request: can't parse entities: Unexpected end of name token at byte offset {offset}"
        if name not in HTML_TAGS:
            kind = "end" if closing else "start"
            return (
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {offset}'
            )
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            expected = stack[-1] if stack else ""
            return (
                f"Bad Request: can't parse entities: Unmatched end tag at byte offset {offset}, "
                f'expected "</{expected}>", found "</{name}>"'
            )
        else:
            stack.pop()
    if stack:
        return f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
    return None


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length of the text Telegram would keep after parsing entities."""
    mode = (parse_mode or "").upper()
    if mode == "HTML":
        return len(html.unescape(_TAG.sub("", text)))
    if mode.startswith("MARKDOWN"):
        return len(_MD_MARKUP.sub(lambda m: m.group(1) or "", text))
    return len(text)


def text_error(text: Any, parse_mode: str | None) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "Bad Request: message text is empty"
    if error := parse_entities_error(text, parse_mode):
        return error
    if visible_length(text, parse_mode) > TEXT_LIMIT:
        return "Bad Request: message is too long"
    return None


def caption_error(caption: Any, parse_mode: str | None) -> str | None:
    if caption is None:
        return None
    if error := parse_entities_error(str(caption), parse_mode):
        return error
    if visible_length(str(caption), parse_mode) > CAPTION_LIMIT:
        return "Bad Request: message caption is too long"
    return None


def _rows(markup: dict[str, Any], field: str) -> list[list[Any]] | None:
    rows = markup.get(field)
    if isinstance(rows, list) and all(isinstance(row, list) for row in rows):
        return rows
    return None


def reply_markup_error(markup: Any) -> str | None:
    """Validate a reply_markup object the way the Bot API does (the common cases)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        return "Bad Request: can't parse reply keyboard markup JSON object"
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard")
        if rows is None:
            return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            return "Bad Request: reply markup is too long"
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                return 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
            actions = INLINE_ACTIONS.intersection(button)
            if not actions:
                return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
                    return "Bad Request: BUTTON_DATA_INVALID"
            if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                return "Bad Request: BUTTON_URL_INVALID"
        return None
    if "keyboard" in markup:
        rows = _rows(markup, "keyboard")
        if rows is None:
            return 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        for button in (b for row in rows for b in row):
            if not isinstance(button, str) and not (isinstance(button, dict) and "text" in button):
                return 'Bad Request: can\'t parse keyboard button: Field "text" must be of type String'
        return None
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None
    return "Bad Request: can't parse reply keyboard markup JSON object"


@dataclass
class FloodLimits:
    """Flood limits (Telegram publishes them only as "about"; all configurable).

    Private chats get ``per_chat_burst`` messages per ``per_chat_burst /
    per_chat_per_second`` seconds: the long-run rate is 1/s, and the short bursts
    Telegram tolerates (3 by default) pass.  Groups (negative chat ids) get
    ``per_group_per_minute`` per 60 s.  Globally ``global_per_second`` per
    second, or ``paid_per_second`` for calls with ``allow_paid_broadcast``.
    """

    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: int = 20
    paid_per_second: int = 1000


class FloodControl:
    """Sliding-window flood control; rejected calls do not use up quota."""

    def __init__(self, limits: FloodLimits, clock: Clock) -> None:
        self.limits = limits
        self.windows = SlidingWindow(clock)

    def _keys(self, chat_id: Any, paid: bool) -> list[tuple[Any, int, float]]:
        lim = self.limits
        keys: list[tuple[Any, int, float]] = [
            ("global", lim.paid_per_second if paid else lim.global_per_second, 1.0)
        ]
        if isinstance(chat_id, int) and chat_id > 0:
            keys.append((("chat", chat_id), lim.per_chat_burst, lim.per_chat_burst / lim.per_chat_per_second))
        elif chat_id is not None:
            keys.append((("group", chat_id), lim.per_group_per_minute, 60.0))
        return keys

    def acquire(self, chat_id: Any, paid: bool = False) -> int:
        """Use one message of quota; return 0, or the whole seconds to wait when over."""
        keys = self._keys(chat_id, paid)
        wait = max(self.windows.retry_after(key, limit, period) for key, limit, period in keys)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _, _ in keys:
            self.windows.hit(key)
        return 0
