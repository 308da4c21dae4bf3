"""Zalo Official Account as a ChatDriver: a follower of the fake OA, whose messages reach the app as signed webhooks.

`say` posts a signed `user_send_text` event to the app's /webhook/zalo-oa (the app answers 200 at once and works
in the background), waits until the channel has finished with it, and returns the texts sent back with
consultation messages. `press` sends back the payload of an oa.query.hide button, as Zalo does when it is
tapped; when the choices came as a numbered list it types the number.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.drivers import LOCAL_MEDIA, FakePlatformDriver
from tests.drivers.zalo_bot import numbered_choices
from tests.fakes import FakeZaloOA

JSON = dict[str, Any]


def event_key(event: JSON) -> str:
    message: JSON = event["message"] if isinstance(event.get("message"), dict) else {}
    return str(message.get("msg_id") or f"{event.get('event_name')}:{event.get('timestamp')}")


def buttons_of(message: JSON) -> list[JSON]:
    attachment = message.get("attachment") or {}
    payload = attachment.get("payload") or {} if isinstance(attachment, dict) else {}
    return list(payload.get("buttons") or []) if isinstance(payload, dict) else []


class ZaloOADriver(FakePlatformDriver):
    name = "zalo_oa"

    def __init__(self, user_id: str = "4410000000000000001", *, fake: FakeZaloOA | None = None) -> None:
        super().__init__(fake or FakeZaloOA(), owned=fake is None)
        self.user_id = user_id
        self._done: set[str] = set()

    def platform_settings(self) -> dict[str, Any]:
        fake = self.fake
        return {
            "zalo_oa_app_id": fake.app_id,
            "zalo_oa_secret_key": fake.secret_key,
            "zalo_oa_webhook_secret": fake.oa_secret_key,
            "zalo_oa_access_token": fake.access_token,
            "zalo_oa_refresh_token": fake.refresh_token,
            "zalo_oa_api_url": fake.base_url,
            "zalo_oa_oauth_url": fake.base_url,
            **LOCAL_MEDIA,
        }

    @property
    def channel(self) -> Any:
        assert self.town is not None and self.town.app is not None
        return self.town.app.channels["zalo_oa"]

    @property
    def webhook_url(self) -> str:
        assert self.town is not None and self.town.server is not None
        return self.town.server.url + "/webhook/zalo-oa"  # a restart serves on a new port

    def _attach(self) -> None:
        """Note when the current App (a restart makes a new one) has finished with an event."""
        assert self.town is not None and self.town.app is not None
        if id(self.town.app) in self._hooked:
            return
        self._hooked.add(id(self.town.app))
        channel = self.channel
        original = channel._process

        async def process(event: JSON) -> None:
            try:
                await original(event)
            finally:
                self._done.add(event_key(event))
                self._changed.set()

        channel._process = process

    async def settle(self, key: str, timeout: float = 10) -> None:  # noqa: ASYNC109 - a test helper
        async with asyncio.timeout(timeout):
            while key not in self._done:
                self._changed.clear()
                await self._changed.wait()

    def sent(self) -> list[JSON]:
        return self.fake.messages_to(self.user_id)

    async def post(self, event: JSON, **kw: Any) -> int:
        """Post an event as Zalo would; returns the app's HTTP status (the work may still be running)."""
        self._attach()
        return await self.fake.post_event(self.webhook_url, event, **kw)

    async def inject(self, event: JSON) -> list[str]:
        """Post a signed event, wait until the app has handled it, return the texts sent back meanwhile."""
        before = len(self.sent())
        status = await self.post(event)
        assert status == 200, status
        await self.settle(event_key(event))
        return [str(m.get("text") or "") for m in self.sent()[before:]]

    async def say(self, text: str) -> list[str]:
        return await self.inject(self.fake.user_send_text(self.user_id, text))

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[str]:
        url = self.fake.host_file(data, "image/jpeg", "photo.jpg")
        return await self.inject(self.fake.user_send_image(self.user_id, url, text=caption or ""))

    def _last_offer(self) -> JSON | None:
        for message in reversed(self.sent()):
            if message.get("text") or buttons_of(message):
                return message
        return None

    def choices(self) -> list[str]:
        message = self._last_offer()
        if message is None:
            return []
        # The first choices come as buttons, the rest as a numbered list going on from there ("6. …").
        buttons = [b["title"] for b in buttons_of(message)]
        return buttons + numbered_choices(str(message.get("text") or ""), start=len(buttons) + 1)

    async def press(self, label: str) -> list[str]:
        message = self._last_offer() or {}
        for button in buttons_of(message):
            if label in (button["title"], button["payload"]):
                return await self.say(button["payload"])  # oa.query.hide: the payload comes back as text
        labels = self.choices()
        if label not in labels:
            raise AssertionError(f"no choice {label!r} for {self.user_id}: {labels}")
        return await self.say(str(labels.index(label) + 1))
