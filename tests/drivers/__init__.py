"""Chat drivers: one person talking to the bot on one channel, so a journey is written once and run on every channel.

A driver owns its fake platform server (if any). The life cycle is:

    driver = SomeDriver()
    overrides = await driver.serve()          # start the fake platform; Settings overrides pointing the app at it
    town = Town(settings_for(db_url, **overrides)); await town.start()
    await driver.start(town)                  # a new person on this channel, talking to that town
    texts = await driver.say("/start")        # the texts the bot sent in reply, once they have all arrived
    texts = await driver.press("Tiếng Việt")  # press the button with this label (or type its number)
    driver.choices()                          # labels of the choices currently offered
    await driver.stop()                       # after town.close(): stop the fake platform

`driver_town(driver, settings_for, db_url)` does the set-up and tear-down around a test body.
Drivers must survive `town.restart()` (a new App on the same database and the same fake platform).
"""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.events import Incoming
    from bot.settings import Settings
    from tests.conftest import Town


# The fakes serve media over plain http on loopback: drivers of platforms whose media the app downloads opt in
# to what production refuses (bot.channels.zalo_common.MediaPolicy).
LOCAL_MEDIA: dict[str, Any] = {
    "media_hosts": "127.0.0.1",
    "media_allow_http": True,
    "media_allow_private": True,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakePlatformDriver:
    """The lifecycle every fake-platform driver shares: start the fake it owns, give the town the settings that
    point at it (webhook mode adds a public URL on a free port), attach to the started town, stop the fake."""

    def __init__(self, fake: Any, *, owned: bool, webhook: bool = False) -> None:
        self.fake = fake
        self._own_fake = owned  # started and stopped by this driver (not shared with another driver)
        self.webhook = webhook
        self.port = 0
        self.town: Town | None = None
        self._hooked: set[int] = set()  # ids of the Apps already attached to (a restart makes a new one)
        self._changed = asyncio.Event()  # set whenever the bot sent something to this person

    def platform_settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def _attach(self) -> Any:
        raise NotImplementedError

    async def serve(self) -> dict[str, Any]:
        if self._own_fake:
            await self.fake.start()
        overrides = self.platform_settings()
        if self.webhook:
            self.port = free_port()
            overrides["public_url"] = f"http://127.0.0.1:{self.port}"
        return overrides

    async def start(self, town: Town) -> None:
        self.town = town
        attached = self._attach()
        if inspect.isawaitable(attached):
            await attached

    async def stop(self) -> None:
        if self._own_fake:
            await self.fake.stop()


@runtime_checkable
class ChatDriver(Protocol):
    name: str

    async def serve(self) -> dict[str, Any]:
        """Start the fake platform (if any); return Settings overrides that point the app at it."""
        ...

    async def start(self, town: Town) -> None:
        """Begin as a new person talking to the (already started) town on this channel."""
        ...

    async def stop(self) -> None:
        """Release the fake platform and any client sessions."""
        ...

    async def say(self, text: str) -> list[str]:
        """Type `text`; return the texts the bot sent in reply, after waiting until they have all arrived."""
        ...

    async def press(self, label: str) -> list[str]:
        """Press the offered choice with this label (platforms without buttons type its number)."""
        ...

    def choices(self) -> list[str]:
        """Labels of the choices the bot currently offers, in order (empty when none)."""
        ...

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[str]:
        """Send a photo (with a caption only when one is given) as the platform's app would."""
        ...


@asynccontextmanager
async def driver_town(
    driver: ChatDriver, settings_for: Callable[..., Settings], db_url: str, **overrides: Any
) -> AsyncIterator[Town]:
    """A started Town wired to the driver's fake platform, with the driver attached; torn down afterwards."""
    from tests.conftest import Town

    platform = await driver.serve()
    town = Town(settings_for(db_url, **{**platform, **overrides}))
    try:
        await town.start()
        await driver.start(town)
        yield town
    finally:
        await town.close()
        await driver.stop()


def record_events(app: App) -> list[Incoming]:
    """From now on, every event the app's dispatcher handles is also appended to the returned list."""
    seen: list[Incoming] = []
    handle = app.dispatcher.handle

    async def record(event: Incoming) -> Any:
        seen.append(event)
        return await handle(event)

    app.dispatcher.handle = record  # type: ignore[method-assign]
    return seen


def pick(labels: list[str], *needles: str) -> str:
    """The one label containing every needle (accent-insensitive), for choices whose exact text varies."""
    from bot.textnorm import fold

    found = [label for label in labels if all(fold(n) in fold(label) for n in needles)]
    if len(found) != 1:
        raise AssertionError(f"expected one choice with {needles!r} in {labels!r}")
    return found[0]
