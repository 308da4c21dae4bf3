"""The app factory: one object that owns settings, database, keys, handlers, channels and background work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from bot import i18n
from bot.channels.base import Channel
from bot.cleaning import Cleaner
from bot.core.dispatcher import Dispatcher
from bot.core.router import Registry, Router
from bot.db import Database
from bot.media import MediaStore
from bot.security import Keyring
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.delivery.sender import Sender

log = logging.getLogger(__name__)

# Extra start-up work registered by features (channels, outbox sender, scheduler): called with the app.
Starter = Callable[["App"], Awaitable[None]]


class App:
    def __init__(self, settings: Settings, routers: Iterable[Router] | None = None) -> None:
        if routers is None:
            from handlers import all_routers

            routers = all_routers()
        self.settings = settings
        i18n.configure(settings.default_locale, settings.timezone)
        self.db = Database(settings.database_url)
        self.keyring = Keyring(settings.secret_bytes())
        self.media = MediaStore(settings.media_dir, self.keyring)
        # Uploaded files are decoded and cleaned in worker processes, started on the first file.
        self.cleaner = Cleaner(settings)
        self.registry = Registry(routers)
        self.dispatcher = Dispatcher(self)
        self.channels: dict[str, Channel] = {}
        self.sender: Sender | None = None  # the outbox's sender, made on first use (bot.delivery.sender_for)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stoppers: list[Callable[[], Awaitable[None]]] = []
        self._starters: list[Starter] = []
        self.on_stop(self.cleaner.close)

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    def spawn(self, coro: Awaitable[None], name: str) -> asyncio.Task[None]:
        """Run background work owned by the app; it is cancelled on stop and its failure is logged."""

        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task failed", extra={"task": name})

        task = asyncio.create_task(guarded(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def on_start(self, fn: Starter) -> None:
        """Background services (outbox sender, scheduler) register here; they start after the channels."""
        self._starters.append(fn)

    def on_stop(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._stoppers.append(fn)

    async def start(self) -> None:
        for channel in self.channels.values():
            await channel.start()
        for fn in self._starters:
            await fn(self)

    async def stop(self) -> None:
        for fn in reversed(self._stoppers):
            await fn()
        for channel in self.channels.values():
            await channel.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.db.dispose()
