"""The web chat as a ChatDriver: a browser with its own cookie, talking to the town's HTTP server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.webchat import WebPerson

if TYPE_CHECKING:
    from tests.conftest import Town


class WebDriver:
    name = "web"

    def __init__(self, person_name: str = "Lan") -> None:
        self.person_name = person_name
        self.browser: WebPerson | None = None

    async def serve(self) -> dict[str, Any]:
        return {}  # the web chat is served by the town itself

    async def start(self, town: Town) -> None:
        self.browser = await town.person(self.person_name)  # the town closes it

    async def stop(self) -> None:
        self.browser = None

    async def say(self, text: str) -> list[str]:
        assert self.browser is not None
        return [m["text"] for m in await self.browser.say(text)]

    async def press(self, label: str) -> list[str]:
        assert self.browser is not None
        return [m["text"] for m in await self.browser.press(label)]

    def choices(self) -> list[str]:
        assert self.browser is not None
        return self.browser.choices()

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[str]:
        assert self.browser is not None
        replies = await self.browser.send_file(data, "IMG_0001.jpg", "image/jpeg", caption=caption or "")
        return [m["text"] for m in replies]
