"""Group commits of send outcomes: every outcome is written, a few dozen per transaction at broadcast rates,
with the DeliveryAttempt of each real try (bot.delivery.reach) in the same transaction.

A send's slot in the in-flight window is given back only once its outcome is committed, so the rows that
reached the platform without a committed "sent" never outnumber the window.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import insert

from bot import clock
from bot.delivery import store
from bot.delivery.reach import attempt_row
from bot.delivery.routes import Route, mark_unreachable, offered_conversations
from models.outbox import DeliveryAttempt

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LINGER = 0.02  # a send's outcome waits this long for others to share its commit
Entry = tuple[store.Job, Route | None, store.Outcome, "asyncio.Future[bool]"]


class Ledger:
    def __init__(self, app: App, worker: str) -> None:
        self.app = app
        self.worker = worker
        self._queue: list[Entry] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.lost_leases = 0
        self._side: set[asyncio.Task[None]] = set()
        self._last_side: asyncio.Task[None] | None = None

    async def write(self, job: store.Job, route: Route | None, outcome: store.Outcome) -> bool:
        """Record one outcome; returns when it is committed (False if the row was no longer ours)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="delivery-ledger")
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((job, route, outcome, future))
        self._wake.set()
        return await future

    async def settled(self) -> None:
        """Wait until the offered choices of everything recorded so far are noted in their conversations."""
        await asyncio.gather(*self._side, return_exceptions=True)

    async def close(self) -> None:
        await self.settled()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(LINGER)  # at broadcast rates dozens more arrive meanwhile: one commit for all
            self._wake.clear()
            batch, self._queue = self._queue, []
            if not batch:
                continue
            try:
                results = await self._flush(batch)
            except Exception as exc:  # the rows stay claimed; their lease expiry hands them to a sender again
                log.exception("could not record delivery outcomes", extra={"rows": len(batch)})
                for *_rest, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (*_rest, future), ok in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(ok)
            # Beside the next flush, not before it: at broadcast rates the outcomes must keep flowing. After the
            # previous batch's offers, though: a person's later message must not have its buttons undone by an
            # earlier one recorded late.
            side = asyncio.create_task(
                self._offer_choices(batch, results, after=self._last_side), name="delivery-choices"
            )
            self._last_side = side
            self._side.add(side)
            side.add_done_callback(self._side.discard)

    async def _flush(self, batch: list[Entry]) -> list[bool]:
        now = clock.now()
        async with self.app.db.session() as session:
            written = await store.record(
                session, self.worker, [(job.id, outcome) for job, _r, outcome, _f in batch], now
            )
            attempts = []
            for job, route, outcome, _future in batch:
                if job.id not in written:
                    self.lost_leases += 1
                    log.warning("outbox row was taken over by another sender", extra={"row": job.id})
                    continue
                if outcome.unreachable and route is not None:
                    await mark_unreachable(session, route, outcome.error or "unreachable")
                if outcome.attempt is not None:
                    label, channel, via = outcome.attempt
                    attempts.append(
                        attempt_row(
                            outbox_id=job.id,
                            # A sealed row's recipient is known to nobody: its trail names no one either.
                            person_id=None if job.sealed_route else job.person_id,
                            linked_chat_id=job.linked_chat_id,
                            source_kind=job.source_kind,
                            source_id=job.source_id,
                            channel=channel,
                            via=via,
                            outcome=label,
                            error=outcome.error if label != "sent" else None,
                            at=now,
                        )
                    )
            if attempts:
                connection = await session.connection()
                await connection.execute(insert(DeliveryAttempt.__table__), attempts)  # type: ignore[attr-defined]
            await session.commit()
        return [job.id in written for job, *_rest in batch]

    async def _offer_choices(
        self, batch: list[Entry], results: list[bool], after: asyncio.Task[None] | None = None
    ) -> None:
        """In a transaction of its own: a conversation written at the same moment must not undo the outcomes.

        Two messages to one person in one batch finish in any order; the one written last (the larger outbox id)
        has its buttons current, whichever finished last."""
        sent = sorted(
            (
                (job.id, route, job.payload.get("choices", []))
                for (job, route, outcome, _f), ok in zip(batch, results, strict=True)
                if ok and outcome.record_choices and route is not None
            ),
            key=lambda found: found[0],
        )
        offers = [(route, choices) for _id, route, choices in sent]
        if after is not None:
            await asyncio.gather(after, return_exceptions=True)
        if not offers:
            return
        try:
            async with self.app.db.session() as session:
                targets = await offered_conversations(session, offers)
            await self.app.dispatcher.offer_choices(targets)
        except Exception:
            log.warning("could not remember offered choices", exc_info=True, extra={"rows": len(offers)})
