"""Telegram as a ChatDriver: a user of the fake Bot API server, talking to the app's real PTB Application.

`say`/`press` inject an update and wait until the app has finished with it (a PTB handler in a late group
marks it done), then return what the bot sent to the chat meanwhile. With `webhook=True` the fake pushes
updates to the app's /webhook/telegram route instead of being polled.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from tests.drivers import FakePlatformDriver
from tests.fakes import FakeTelegram
from tests.fakes._telegram_methods import SEND_METHODS

DONE_GROUP = 99  # after the channel's own handler (group 0) has finished with the update


class TelegramDriver(FakePlatformDriver):
    def __init__(
        self,
        user_id: int = 5550001,
        first_name: str = "Lan",
        *,
        webhook: bool = False,
        fake: FakeTelegram | None = None,
    ) -> None:
        super().__init__(fake or FakeTelegram(), owned=fake is None, webhook=webhook)
        self.name = "telegram-webhook" if webhook else "telegram"
        self.user_id = user_id
        self.first_name = first_name
        self._done: set[int] = set()
        self._runner: web.AppRunner | None = None

    def platform_settings(self) -> dict[str, Any]:
        return {"telegram_token": self.fake.token, "telegram_api_url": self.fake.base_url}

    async def _attach(self) -> None:
        """Hook the current App (a restart makes a new one) and, for webhooks, serve it on the public port."""
        assert self.town is not None and self.town.app is not None
        app = self.town.app
        if id(app) in self._hooked:
            return
        self._hooked.add(id(app))
        app.channels["telegram"].ptb.add_handler(TypeHandler(Update, self._mark_done), group=DONE_GROUP)  # type: ignore[attr-defined]
        if self.webhook:
            assert self.town.server is not None and self.town.server.runner is not None
            await web.TCPSite(self.town.server.runner, "127.0.0.1", self.port).start()

    async def _mark_done(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self._done.add(update.update_id)
        self._changed.set()

    async def settle(self, update_id: int, timeout: float = 10) -> None:  # noqa: ASYNC109 - a test helper
        """Wait until the app has handled this update (replies included)."""
        async with asyncio.timeout(timeout):
            while update_id not in self._done:
                self._changed.clear()
                await self._changed.wait()

    def sent_since(self, index: int, chat_id: int | None = None) -> list[str]:
        chat = str(chat_id if chat_id is not None else self.user_id)
        return [
            str(r.params.get("text") or r.params.get("caption") or "")
            for r in self.fake.requests[index:]
            if r.ok and r.method in SEND_METHODS and str(r.params.get("chat_id")) == chat
        ]

    async def inject(self, make: Any) -> list[str]:
        """Run an injector of the fake (returns the update), wait for the app, return what was sent back."""
        await self._attach()
        index = len(self.fake.requests)
        update = make()
        await self.settle(update["update_id"])
        return self.sent_since(index)

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[str]:
        return await self.inject(lambda: self.fake.user_photo(self.user_id, data, caption=caption))

    async def send_album(self, images: list[bytes], caption: str | None = None) -> list[str]:
        """Several photos chosen at once (an album: one update per photo, back to back); what was sent back once
        the app has finished with every one of them."""
        await self._attach()
        index = len(self.fake.requests)
        for update in self.fake.user_album(self.user_id, images, caption=caption):
            await self.settle(update["update_id"])
        return self.sent_since(index)

    async def say(self, text: str) -> list[str]:
        return await self.inject(lambda: self.fake.user_text(self.user_id, text, first_name=self.first_name))

    def _keyboards(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """(message id, buttons) of the bot's messages in this chat that still show a keyboard, newest first."""
        found = []
        for (chat_id, message_id), message in self.fake.state.messages.items():
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if chat_id == self.user_id and rows and message["from"]["id"] == self.fake.bot_id:
                found.append((message_id, [b for row in rows for b in row]))
        return sorted(found, key=lambda item: item[0], reverse=True)

    async def press(self, label: str) -> list[str]:
        for message_id, buttons in self._keyboards():
            for button in buttons:
                if label in (button["text"], button.get("callback_data")):
                    data = button["callback_data"]
                    return await self.inject(
                        lambda d=data, m=message_id: self.fake.user_press(self.user_id, d, m)
                    )
        raise AssertionError(f"no button {label!r} in chat {self.user_id}: {self.choices()}")

    def choices(self) -> list[str]:
        keyboards = self._keyboards()
        return [b["text"] for b in keyboards[0][1]] if keyboards else []
