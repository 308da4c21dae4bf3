"""Zalo Bot Platform as a ChatDriver: a user of the fake Zalo Bot server, talking to the app's ZaloBotChannel.

Zalo bots have no buttons, so `press` types the number of the choice in the numbered list, exactly as a person
would. `say`/`press` inject a message and wait until the channel has finished with it (replies included). With
`webhook=True` the app sets a webhook on the fake, which pushes messages to /webhook/zalo-bot.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web

from tests.drivers import LOCAL_MEDIA, FakePlatformDriver
from tests.fakes import FakeZaloBot

NUMBERED = re.compile(r"^(\d+)\. (.+)$")


def numbered_choices(text: str, start: int = 1) -> list[str]:
    """The labels of the numbered list closing a message ("1. …", "2. …", or from `start` on), in order."""
    found: list[tuple[str, str]] = []
    for line in reversed(text.splitlines()):
        match = NUMBERED.match(line)
        if match is None:
            break
        found.insert(0, (match.group(1), match.group(2)))
    numbers = [number for number, _label in found]
    return (
        [label for _number, label in found]
        if numbers == [str(i) for i in range(start, start + len(found))]
        else []
    )


class ZaloBotDriver(FakePlatformDriver):
    def __init__(
        self,
        user_id: str = "zb-user-1",
        display_name: str = "Lan",
        *,
        webhook: bool = False,
        fake: FakeZaloBot | None = None,
    ) -> None:
        super().__init__(fake or FakeZaloBot(), owned=fake is None, webhook=webhook)
        self.name = "zalo_bot-webhook" if webhook else "zalo_bot"
        self.user_id = user_id
        self.display_name = display_name
        self._done: set[str] = set()

    def platform_settings(self) -> dict[str, Any]:
        return {"zalo_bot_token": self.fake.token, "zalo_bot_api_url": self.fake.base_url, **LOCAL_MEDIA}

    @property
    def channel(self) -> Any:
        assert self.town is not None and self.town.app is not None
        return self.town.app.channels["zalo_bot"]

    async def _attach(self) -> None:
        """Note when the current App (a restart makes a new one) has handled a message; serve webhooks."""
        assert self.town is not None and self.town.app is not None
        app = self.town.app
        if id(app) in self._hooked:
            return
        self._hooked.add(id(app))
        channel = self.channel
        original = channel._process

        async def process(update: dict[str, Any]) -> None:
            try:
                await original(update)
            finally:
                self._done.add(str(update["message"].get("message_id")))
                self._changed.set()

        channel._process = process
        if self.webhook:
            assert self.town.server is not None and self.town.server.runner is not None
            await web.TCPSite(self.town.server.runner, "127.0.0.1", self.port).start()
            apps = len(self._hooked)  # each App sets the webhook once, in the background
            await self.fake.wait_for(lambda _r: sum(1 for r in self.fake.calls("setWebhook") if r.ok) >= apps)

    async def settle(self, message_id: str, timeout: float = 10) -> None:  # noqa: ASYNC109 - a test helper
        async with asyncio.timeout(timeout):
            while message_id not in self._done:
                self._changed.clear()
                await self._changed.wait()

    def sent(self) -> list[dict[str, Any]]:
        return self.fake.messages_to(self.user_id)

    async def inject(self, make: Any) -> list[str]:
        """Run an injector of the fake (returns the update), wait for the app, return the texts sent back."""
        await self._attach()
        before = len(self.sent())
        update = make()
        await self.settle(str(update["message"]["message_id"]))
        return [str(m.get("text") or m.get("caption") or "") for m in self.sent()[before:]]

    async def say(self, text: str) -> list[str]:
        return await self.inject(
            lambda: self.fake.user_text(self.user_id, text, display_name=self.display_name)
        )

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[str]:
        url = self.fake.host_image(data)
        return await self.inject(
            lambda: self.fake.user_image(self.user_id, url, caption=caption, display_name=self.display_name)
        )

    def choices(self) -> list[str]:
        texts = [m.get("text") for m in self.sent() if m.get("text")]
        return numbered_choices(str(texts[-1])) if texts else []

    async def press(self, label: str) -> list[str]:
        labels = self.choices()
        if label not in labels:
            raise AssertionError(f"no choice {label!r} in chat {self.user_id}: {labels}")
        return await self.say(str(labels.index(label) + 1))
