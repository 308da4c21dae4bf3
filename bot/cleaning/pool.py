"""The bounded pool of cleaning workers, as the event loop sees it: `await cleaner.clean(data)`.

Decoding a photo can take seconds of CPU and gigabytes of memory; on the event loop it would stall every
conversation and the health check. Jobs therefore run in worker processes (Pebble's ProcessPool: a job that
runs too long is ended by stopping its worker, and a worker that dies is replaced, without breaking the pool
for the next file). Workers are started through the forkserver, never forked from the running event loop.
At most `files_workers` jobs run and `files_queue` wait; a file beyond that is answered BUSY at once, so a burst
cannot pile up memory. The pool is created on the first file and stopped with the app.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from typing import TYPE_CHECKING

from pebble import ProcessExpired, ProcessPool

from bot.cleaning import worker
from bot.cleaning.result import Cleaned, Verdict

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
TASKS_PER_WORKER = 50  # a worker is replaced after this many files, so a fragmented heap does not linger


class Cleaner:
    def __init__(self, settings: Settings) -> None:
        self.workers = max(1, settings.files_workers)
        self.waiting = max(0, settings.files_queue)
        self.timeout = settings.files_job_seconds
        self.memory_bytes = settings.files_job_memory_mb * 1024 * 1024
        self.max_pixels = settings.files_max_pixels
        self._pool: ProcessPool | None = None
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def _running_pool(self) -> ProcessPool:
        pool, fresh = self._pool, self._pool is None
        if pool is None:
            pool = self._pool = ProcessPool(
                max_workers=self.workers,
                max_tasks=TASKS_PER_WORKER,
                initializer=worker.prepare,
                initargs=(self.memory_bytes, self.max_pixels),
                context=multiprocessing.get_context("forkserver"),
            )
        # Pebble starts its workers on first use, waiting for the forkserver (which, the first time, imports the
        # app): in a thread, not on the event loop. Afterwards this only checks the pool's threads are alive.
        if await asyncio.to_thread(lambda: pool.active):
            return pool
        log.warning("cleaning pool broken; starting a new one")
        self._pool = None
        pool.stop()
        if fresh:
            raise RuntimeError("the cleaning pool did not start")
        return await self._running_pool()

    async def clean(self, data: bytes) -> Cleaned:
        """The verdict for one uploaded file; never raises for anything the file does."""
        if self._in_flight >= self.workers + self.waiting:
            log.warning("cleaning queue full", extra={"in_flight": self._in_flight})
            return Cleaned(Verdict.BUSY)
        self._in_flight += 1
        try:
            try:
                pool = await self._running_pool()
                future = pool.schedule(worker.clean, (data, self.max_pixels), timeout=self.timeout)
                return await asyncio.wrap_future(future)
            except TimeoutError:
                log.warning("cleaning job timed out; its worker was stopped", extra={"seconds": self.timeout})
            except ProcessExpired as died:
                log.warning("cleaning worker died", extra={"exitcode": died.exitcode})
            except Exception as error:  # noqa: BLE001 — whatever broke, this file is not cleanable, and the
                # next one gets a sound pool (_running_pool replaces a broken one)
                log.warning("cleaning job failed", extra={"error": type(error).__name__})
            return Cleaned(Verdict.NOT_CLEANABLE)
        finally:
            self._in_flight -= 1

    async def close(self) -> None:
        """Stop the workers (jobs still running are abandoned: their uploads were not confirmed)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()
            await asyncio.to_thread(pool.join, 10)
