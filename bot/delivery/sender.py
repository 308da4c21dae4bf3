"""The outbox sender: claims due rows, paces them per channel, sends up to a window at once, records outcomes."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import clock
from bot.channels.base import (
    Channel,
    DeliveryError,
    NotNow,
    Permanent,
    QuotaExhausted,
    RetryAfter,
    Transient,
    Unreachable,
)
from bot.core.replies import Reply, split_text
from bot.delivery import held, reach, store
from bot.delivery.ledger import Ledger
from bot.delivery.limits import Pacer, limits_for
from bot.delivery.routes import Broken, Route, Skip, resolve
from models import OutboxStatus, Priority
from models.zalo import ZnsConsent

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600.0
NOT_CONFIGURED_DELAY = timedelta(minutes=10)


@dataclass
class _Flight:
    job: store.Job
    claimed_at: float = field(default_factory=time.monotonic)
    calling: bool = False  # True from the platform call on: such a send is never cancelled


class Sender:
    """One per process. `run` is the background loop; `drain` delivers what is due now (tests, CLI)."""

    def __init__(self, app: App, worker: str | None = None) -> None:
        self.app = app
        settings = app.settings
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.window = max(1, settings.delivery_window)
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.ledger = Ledger(app, self.worker)
        self.pacers: dict[str, Pacer] = {}
        self.counts: Counter[str] = Counter()
        self._flights: dict[asyncio.Task[None], _Flight] = {}
        self._release: list[int] = []
        self._wake = asyncio.Event()
        self._claiming = asyncio.Lock()
        self._draining_lock = asyncio.Lock()
        self._hold = False  # a drain is running: the background loop claims nothing
        self._draining = False
        self._stopping = False
        self.quota: dict[
            str, datetime
        ] = {}  # Zalo OA send kinds out of quota, until when (bot.delivery.reach)

    def pacer(self, channel: str) -> Pacer:
        pacer = self.pacers.get(channel)
        if pacer is None:
            pacer = self.pacers[channel] = Pacer(
                limits_for(channel, self.app.settings), self.app.settings.delivery_rate_margin
            )
        return pacer

    # The loops -------------------------------------------------------------------------------------------
    async def run(self) -> None:
        log.info("outbox sender started", extra={"window": self.window})
        await self._pump(until_idle=False)

    async def drain(self) -> int:
        """Deliver every row due now (waiting for chats' turns instead of deferring); returns how many were sent."""
        async with self._draining_lock:
            self._hold = True
            try:
                async with self._claiming:
                    pass  # a claim of the background loop in progress has started its sends
                await self._settle()
                before = self.counts[OutboxStatus.SENT]
                self._draining = True
                await self._pump(until_idle=True)
                await self.ledger.settled()  # a typed "1" right after a drain answers what was just pushed
                return self.counts[OutboxStatus.SENT] - before
            finally:
                self._hold = self._draining = False

    async def stop(self, grace: float = 30.0) -> None:
        """Stop claiming; sends still waiting for their turn go back to the queue, sends under way finish."""
        self._stopping = True
        self._wake.set()
        for task, flight in list(self._flights.items()):
            if not flight.calling:
                task.cancel()
        await self._settle(grace)
        async with self.app.db.session() as session:
            released = await store.release(session, self.worker, self._release)
        self._release.clear()
        await self.ledger.close()
        log.info("outbox sender stopped", extra={"released": released, **dict(self.counts)})

    async def _settle(self, grace: float | None = None) -> None:
        if self._flights:
            await asyncio.wait(list(self._flights), timeout=grace)

    async def _pump(self, until_idle: bool) -> None:
        settings = self.app.settings
        min_batch = max(1, self.window // 5)  # claim in handfuls, not one query per finished send
        while not self._stopping:
            free = self.window - len(self._flights)
            if self._hold and not until_idle:
                await self._nap(settings.delivery_poll_seconds)
                continue
            if free >= min_batch or (free > 0 and not self._flights):
                try:
                    claimed = await self._claim(free)
                except Exception:
                    if until_idle:
                        raise
                    # The database may be restarting: keep the loop alive and try again shortly.
                    log.exception("could not claim outbox rows; retrying")
                    await self._nap(max(5.0, settings.delivery_poll_seconds))
                    continue
                if claimed == free:
                    continue
                if claimed == 0 and until_idle and not self._flights:
                    return
                if claimed == 0 and not until_idle and not self._flights:
                    await self._nap(settings.delivery_poll_seconds)
                    continue
            if self._flights:
                await self._nap(settings.delivery_poll_seconds)  # woken as soon as a send finishes
            elif until_idle:
                return

    async def _nap(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
        self._wake.clear()

    async def _claim(self, limit: int) -> int:
        async with self._claiming:
            paused = {name for name, pacer in self.pacers.items() if pacer.paused}
            async with self.app.db.session() as session:
                jobs = await store.claim(
                    session,
                    self.worker,
                    limit,
                    self.lease,
                    postgres=not self.app.db.is_sqlite,
                    exclude_channels=paused,
                )
                if not jobs:
                    return 0
                decisions = await resolve(session, self.app.keyring, jobs)
                self.quota = await reach.exhausted(session, clock.now())
            for job in jobs:
                flight = _Flight(job)
                task = asyncio.create_task(self._send(flight, decisions[job.id]), name="delivery-send")
                self._flights[task] = flight
                task.add_done_callback(self._landed)
            return len(jobs)

    def _landed(self, task: asyncio.Task[None]) -> None:
        self._flights.pop(task, None)
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox send failed unexpectedly", exc_info=task.exception())

    # One send --------------------------------------------------------------------------------------------
    async def _send(self, flight: _Flight, decision: Route | Skip | Broken) -> None:
        job = flight.job
        route = decision if isinstance(decision, Route) else None
        try:
            outcome = await self._attempt(flight, decision)
            if outcome.onward:
                outcome = await self._onward(job, route, outcome)
        except asyncio.CancelledError:
            self._release.append(
                job.id
            )  # cancelled while waiting for its turn: it never reached the platform
            raise
        self.counts[outcome.status] += 1
        await self.ledger.write(job, route, outcome)

    async def _attempt(self, flight: _Flight, decision: Route | Skip | Broken) -> store.Outcome:
        settings, job = self.app.settings, flight.job
        if isinstance(decision, Skip):
            # An identity already known to be unreachable: the person may still be reached another way.
            return store.Outcome(
                OutboxStatus.SKIPPED,
                decision.reason,
                onward=decision.reason.startswith("recipient unreachable"),
            )
        if isinstance(decision, Broken):
            return store.Outcome(OutboxStatus.FAILED, decision.reason)
        route = decision
        if job.attempts > settings.delivery_max_attempts:
            return store.Outcome(OutboxStatus.FAILED, f"gave up after {job.attempts - 1} attempts")
        channel = self.app.channels.get(route.channel)
        if channel is None:
            return store.Outcome(
                OutboxStatus.PENDING,
                f"channel {route.channel} is not configured in this process",
                not_before=clock.now() + NOT_CONFIGURED_DELAY,
                uncount_attempt=True,
            )
        via = route.via or reach.via_of(route.channel)
        tried = (route.channel, via)
        if route.channel == reach.ZALO_OA and via in self.quota and not route.is_group:
            return store.Outcome(OutboxStatus.SKIPPED, f"zalo oa {via} out of quota", onward=True)
        if via == reach.PROMOTION and not await self._promotion_now(job):
            return store.Outcome(
                OutboxStatus.PENDING,
                "promotion not allowed now",
                onward=True,
                keep_step=True,
                attempt=("held", *tried),
            )
        pacer = self.pacer(route.channel)
        max_wait = None if self._draining else settings.delivery_defer_seconds
        # Leave well inside the lease, or go back to the queue: an expired lease hands the row to another sender.
        give_up_at = flight.claimed_at + settings.delivery_lease_seconds / 2
        reply = Reply.from_payload(job.payload)
        cost = (len(split_text(reply.text, channel.text_limit)) if reply.text else 0) + len(reply.media)
        if not await pacer.acquire(route.chat_id, route.is_group, max_wait, give_up_at, cost):
            wait = max(pacer.wait_for(route.chat_id, route.is_group), 1.0)  # at least: no claim-release churn
            return store.Outcome(
                OutboxStatus.PENDING,
                None,
                not_before=clock.now() + timedelta(seconds=wait),
                uncount_attempt=True,
            )
        if route.channel == reach.ZALO_OA and via in self.quota and not route.is_group:
            # Found out of quota while this send waited for its turn.
            return store.Outcome(OutboxStatus.SKIPPED, f"zalo oa {via} out of quota", onward=True)
        flight.calling = True
        try:
            if via in (reach.PROMOTION, reach.ZNS):
                ids = await self._fallback(channel, route, via, job, reply)
            else:
                ids = await channel.deliver(route.chat_id, reply)
        except QuotaExhausted as exc:
            if job.person_id is None or route.is_group:
                pacer.pause(exc.seconds)  # nobody to reach another way: the old pause of every send
                return store.Outcome(
                    OutboxStatus.PENDING,
                    exc.reason,
                    uncount_attempt=True,
                    not_before=clock.now() + timedelta(seconds=exc.seconds),
                    attempt=("quota", *tried),
                )
            # Known at once in this process: the sends waiting for their turn stop before the call.
            self.quota[via] = clock.now() + reach.QUOTA_RECHECK
            return store.Outcome(
                OutboxStatus.SKIPPED, exc.reason, onward=True, quota_kind=via, attempt=("quota", *tried)
            )
        except NotNow as exc:
            return store.Outcome(
                OutboxStatus.PENDING, exc.reason, onward=True, keep_step=True, attempt=("held", *tried)
            )
        except RetryAfter as exc:
            pacer.pause(exc.seconds)
            log.warning(
                "platform asked for a pause", extra={"channel": route.channel, "seconds": exc.seconds}
            )
            return store.Outcome(
                OutboxStatus.PENDING,
                exc.reason,
                uncount_attempt=True,
                not_before=clock.now() + timedelta(seconds=exc.seconds),
            )
        except Unreachable as exc:
            return store.Outcome(
                OutboxStatus.SKIPPED,
                exc.reason,
                unreachable=via != reach.ZNS,
                onward=True,
                attempt=("unreachable", *tried),
            )
        except Permanent as exc:
            # A promotion or ZNS template refused is no reason to give the person up: their next step follows.
            onward = via in (reach.PROMOTION, reach.ZNS)
            return store.Outcome(OutboxStatus.FAILED, exc.reason, onward=onward, attempt=("failed", *tried))
        except (Transient, DeliveryError) as exc:
            return replace(self._retry(job, exc.reason), attempt=("retry", *tried))
        except Exception as exc:  # an adapter bug must not lose the row: retry, then fail with the reason
            log.exception("channel raised an unexpected error", extra={"channel": route.channel})
            return replace(self._retry(job, f"unexpected {type(exc).__name__}"), attempt=("retry", *tried))
        return store.Outcome(
            OutboxStatus.SENT,
            platform_message_id=ids[0] if ids else None,
            record_choices=bool(reply.choices) and not route.is_group and via not in (reach.ZNS,),
            attempt=("sent", *tried),
        )

    # Reaching a person another way (bot.delivery.reach) ---------------------------------------------------
    async def _promotion_now(self, job: store.Job) -> bool:
        now = clock.now()
        async with self.app.db.session() as session:
            step = reach.Step(reach.ZALO_OA, "", reach.PROMOTION)
            when = await reach.available_at(session, self.app.settings, step, job.person_id, now, self.quota)
        return when is not None and when <= now

    async def _fallback(
        self, channel: Channel, route: Route, via: str, job: store.Job, reply: Reply
    ) -> list[str]:
        """A promotion message, or a ZNS template message to the phone the person gave for it."""
        if via == reach.PROMOTION:
            promote = getattr(channel, "promote", None)
            if promote is None:
                raise Permanent(f"{route.channel} sends no promotion messages")
            return list(await promote(route.chat_id, reply))
        send = getattr(channel, "zns", None)
        template = reach.zns_template(self.app.settings, job.kind, job.priority)
        person_id = int(route.chat_id.removeprefix(reach.ZNS_CHAT_PREFIX) or 0)
        async with self.app.db.session() as session:
            consent = await session.get(ZnsConsent, person_id)
        phone = self.app.keyring.unseal(reach.PHONE_PURPOSE, consent.phone) if consent is not None else None
        if send is None or template is None or not phone:
            raise Unreachable("no ZNS template or consent")
        message_id, left = await send(
            phone.decode(), template, reach.zns_data(job.kind, reply), f"outbox-{job.id}"
        )
        if left is not None and left <= 0:
            # The answer says the quota is now used up: stop before the next one is refused.
            await self._exhausted(reach.ZNS)
        return [message_id]

    async def _exhausted(self, kind: str) -> None:
        now = clock.now()
        async with self.app.db.session() as session:
            if await reach.note_exhausted(session, kind, now):
                await self._tell_admins(session, kind)
            await session.commit()
        self.quota[kind] = now + reach.QUOTA_RECHECK
        log.error("zalo oa out of quota: that kind of send stopped", extra={"kind": kind})

    async def _tell_admins(self, session: Any, kind: str) -> None:
        from bot.delivery.outbox import enqueue_to_people

        admins = await reach.ward_admins(session)
        stamp = clock.now().strftime("%Y%m%d%H")
        await enqueue_to_people(
            session,
            admins,
            lambda: Reply(reach.quota_notice(kind)),
            kind="notice",
            priority=Priority.IMPORTANT,
            dedupe_key=lambda person: f"zalo-quota:{kind}:{stamp}:p{person.id}",
        )

    async def _onward(self, job: store.Job, route: Route | None, outcome: store.Outcome) -> store.Outcome:
        """Move a person's row on to their next step, or end it as not reached; other rows keep the outcome."""
        final = replace(outcome, onward=False)
        if held.holds(job.priority, outcome.status, outcome.error):
            # Kept for the person's next message, unless another of their ways goes now (below).
            final = replace(final, status=OutboxStatus.HELD)
        if job.person_id is None or job.sealed_route or job.linked_chat_id is not None or route is None:
            if outcome.status == OutboxStatus.PENDING:  # a held step with nobody else to try: wait for it
                return replace(final, not_before=clock.now() + timedelta(hours=1), uncount_attempt=True)
            return final
        if outcome.quota_kind:
            await self._exhausted(outcome.quota_kind)
        current = reach.Step(route.channel, route.chat_id, route.via or reach.via_of(route.channel))
        async with self.app.db.session() as session:
            found = await reach.next_step(
                session,
                self.app.settings,
                outbox_id=job.id,
                person_id=job.person_id,
                kind=job.kind,
                priority=job.priority,
                done=[] if outcome.keep_step else [current],
            )
        if found is None:
            # The row keeps the last reason: it is also what marks the identity (bot.delivery.ledger).
            status = final.status if final.status != OutboxStatus.PENDING else OutboxStatus.SKIPPED
            return replace(final, status=status, not_before=None)
        step, when = found
        return replace(
            final,
            status=OutboxStatus.PENDING,
            not_before=when,
            reroute=(step.channel, step.chat_id, step.via),
            uncount_attempt=True,
        )

    def _retry(self, job: store.Job, reason: str) -> store.Outcome:
        settings = self.app.settings
        if job.attempts >= settings.delivery_max_attempts:
            return store.Outcome(OutboxStatus.FAILED, f"gave up after {job.attempts} attempts: {reason}")
        # Exponential backoff with "equal jitter": spreads out retries of a whole broadcast hit by one outage.
        delay = min(settings.delivery_backoff_seconds * 2 ** (job.attempts - 1), MAX_BACKOFF)
        delay = delay / 2 + random.uniform(0, delay / 2)
        return store.Outcome(OutboxStatus.PENDING, reason, not_before=clock.now() + timedelta(seconds=delay))
