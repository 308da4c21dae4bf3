"""Loopback fakes of the chat platforms An Dân talks to, for tests.

Each fake is an aiohttp server on 127.0.0.1 that speaks the real wire format,
records every call, injects user activity and platform errors:

- :class:`FakeTelegram` — the Telegram Bot API as python-telegram-bot 22 uses it;
- :class:`FakeZaloBot` — the Zalo Bot Platform (Telegram-like, one update per poll);
- :class:`FakeZaloOA` — Zalo Official Account API v3 plus OAuth v4 and signed webhooks.
"""

from .telegram_server import FakeTelegram
from .zalo_bot_server import FakeZaloBot
from .zalo_oa_server import FakeZaloOA, zalo_oa_signature

__all__ = ["FakeTelegram", "FakeZaloBot", "FakeZaloOA", "zalo_oa_signature"]
