"""The rate-limited outbox sender: everything the bot pushes leaves through here, at most once per row.

How a row travels: pending → (claimed under a lease) sending → sent | failed | skipped, or back to pending
with a later `not_before` (a 429, a transient error with backoff, a chat that is not free yet).

- Claiming: a few due rows at a time, urgent first, then oldest (`store.claim`). A claim is a lease: if the
  process dies, its rows become claimable again when `claimed_until` passes, and another (or the restarted)
  sender resumes them. Two senders never hold the same row (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one
  atomic UPDATE on SQLite).
- Pacing: per channel (`limits`), from settings whose defaults are the platforms' published limits. A 429
  pauses every send of that channel for `retry_after`.
- Recording: outcomes are committed in small groups (`ledger`); a send keeps its slot in the in-flight window
  (`ANDAN_DELIVERY_WINDOW`) until its outcome is committed.

The one unavoidable duplicate: a process killed after the platform accepted a message but before our
commit of "sent" leaves the row claimed; when its lease expires it is sent again. No platform offers an
idempotency key for sends, so this window cannot be closed, only bounded: at most the in-flight window of
rows can be in that state at the moment of a crash, so one crash repeats at most `delivery_window` messages
(in practice only those whose answer was in transit, a few at 30/s). A sender whose lease expired while it
was still sending (a stall longer than `delivery_lease_seconds`) is the same case, and is logged.

Several processes share the platform's limit: each paces itself to the rates configured for it, so run one
sender per bot token (`ANDAN_DELIVERY_ENABLED=false` on the others), or give each of N senders 1/N of the
rates (how paid broadcasts at 1,000/s scale beyond one CPU); the 429 handling keeps a mistake safe but slower.
Per-chat limits are per process too, which only matters when one chat gets a burst of rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.delivery.sender import Sender

if TYPE_CHECKING:
    from bot.app import App


def sender_for(app: App) -> Sender:
    """The app's one sender (created on first use). Kept on the app: a weak-keyed table of senders never let an
    app go, since each sender holds its app."""
    if app.sender is None:
        app.sender = Sender(app)
    return app.sender


async def drain(app: App) -> int:
    """Deliver every outbox row due now through the app's channels; returns how many were sent."""
    return await sender_for(app).drain()


def install(app: App) -> None:
    """Run the sender in the background while the app runs (unless ANDAN_DELIVERY_ENABLED=false)."""
    from bot.delivery.outbox import configure

    configure(app.settings)  # producers that pass no settings still use the configured Zalo fallbacks

    async def start(app: App) -> None:
        if app.settings.delivery_enabled:
            app.spawn(sender_for(app).run(), "outbox-sender")

    async def stop() -> None:
        await sender_for(app).stop()

    app.on_start(start)
    app.on_stop(stop)


__all__ = ["Sender", "drain", "install", "sender_for"]
