"""Broadcast benchmark: the outbox sender against FakeTelegram enforcing Telegram's limits, over a jittery network.

Phases (each on a scratch database of residents reachable on Telegram; the sender processes start first, then
one alert is queued to everyone in one transaction, as confirming an alert does):
1. standard: the free limit (30/s), one sender: achieved rate / allowed rate, 429 responses / requests;
2. paid: `allow_paid_broadcast` at 1,000/s, two senders sharing the limit: the same two ratios;
3. resilience: the senders are killed with SIGKILL at 30% and at 70% of the broadcast and restarted at once;
   recipients missed and duplicates are counted from the fake's own records of successful sends.

Rates are measured from the fake's arrival times of successful sends: (sends - 1) / (last - first).
Usage: `python -m benchmarks broadcast [--quick] [--recipients N] [--rate R] [--paid-rate R] ...`
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.app import loop

TOKEN = "123456789:BENCH-andan-token"
READY = "sender ready"
SECRET = "benchmark-secret-not-for-production"


@dataclass
class Figures:
    phase: str
    recipients: int
    allowed_rate: float
    window: int
    senders: int = 1
    sent_ok: int = 0
    requests: int = 0
    rate_limited: int = 0
    achieved_rate: float = 0.0
    wall_seconds: float = 0.0
    enqueue_seconds: float = 0.0
    per_second: list[int] = field(default_factory=list)  # successful sends in each second of the fake's clock
    missed: int = 0
    duplicates: int = 0
    kills_at: list[int] = field(default_factory=list)
    channel: str = ""

    @property
    def rate_ratio(self) -> float:
        return self.achieved_rate / self.allowed_rate if self.allowed_rate else 0.0

    @property
    def limited_ratio(self) -> float:
        return self.rate_limited / self.requests if self.requests else 0.0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks broadcast", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="800 recipients per phase (about a minute)")
    parser.add_argument("--recipients", type=int, default=None, help="recipients per phase (default 10,000)")
    parser.add_argument("--rate", type=float, default=30.0, help="Telegram's free limit, messages/s")
    parser.add_argument("--paid-rate", type=float, default=1000.0, help="paid broadcast limit, messages/s")
    parser.add_argument("--window", type=int, default=50, help="sender's in-flight window at the free rate")
    parser.add_argument("--paid-window", type=int, default=200, help="sender's in-flight window when paid")
    parser.add_argument(
        "--paid-senders",
        type=int,
        default=2,
        help="sender processes in paid phases (ANDAN_DELIVERY_SENDERS=N: each paces at 1/N)",
    )
    parser.add_argument("--latency", default="30,50", help="simulated network latency range, ms")
    parser.add_argument("--lease", type=float, default=5.0, help="sender lease, seconds (production: 60)")
    parser.add_argument("--phases", default="standard,paid,resilience", help="which phases to run")
    parser.add_argument("--resilience-rate", choices=("paid", "standard"), default="paid")
    parser.add_argument(
        "--channel",
        choices=("ptb", "minimal"),
        default="ptb",
        help="the real bot.channels.telegram adapter (ptb), or a bare client for comparison",
    )
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgres or both (sqlite,postgres)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ANDAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="admin URL of a PostgreSQL server where scratch databases may be created",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    # Internal: the sender process.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--paid", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--share", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.recipients is None:
        args.recipients = 800 if args.quick else 10_000
    return args


# The sender process -----------------------------------------------------------------------------------------
def worker_settings(args: argparse.Namespace, media: Path) -> Any:
    from bot.settings import Settings

    return Settings(
        _env_file=None,
        database_url=args.db,
        secret_key=SECRET,
        web_enabled=False,
        media_dir=media,  # type: ignore[call-arg]
        telegram_token=TOKEN,
        telegram_api_url=args.api,
        telegram_paid_broadcast=args.paid,
        telegram_per_second=args.rate,
        telegram_paid_per_second=args.paid_rate,
        delivery_senders=args.share,
        delivery_window=args.paid_window if args.paid else args.window,
        delivery_lease_seconds=args.lease,
        delivery_poll_seconds=0.1,
        delivery_enabled=False,
    )


async def make_channel(app: Any, args: argparse.Namespace) -> Any:
    if args.channel == "ptb":
        from bot.channels.telegram import TelegramChannel

        channel = TelegramChannel(app)
        await channel.start()  # getMe, command menu, long polling: as in production
        return channel
    from benchmarks._botapi import MinimalTelegram

    return MinimalTelegram(args.api, TOKEN, paid=args.paid)


async def work(args: argparse.Namespace) -> None:
    from sqlmodel import col, select

    from bot.app import App
    from bot.delivery import Sender
    from models import OutboxMessage, OutboxStatus

    with tempfile.TemporaryDirectory() as media:
        app = App(worker_settings(args, Path(media)), routers=[])
        channel = await make_channel(app, args)
        app.add_channel(channel)
        sender = Sender(app)
        loop.started()  # as bot.app.runtime.serve does
        running = asyncio.create_task(sender.run())
        print(READY, flush=True)  # the broadcast is written once every sender is up, as in production
        # Done when the broadcast has been written and nothing of it waits: two index lookups, not a count that
        # would compete with the sender for the database.
        written = select(OutboxMessage.id).limit(1)
        unfinished = (
            select(OutboxMessage.id)
            .where(col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            .limit(1)
        )
        while True:
            await asyncio.sleep(0.5)
            async with app.db.session() as session:
                if (await session.exec(written)).first() and not (await session.exec(unfinished)).first():
                    break
        await sender.stop()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await channel.stop()
        await app.db.dispose()


# The benchmark process ------------------------------------------------------------------------------------
def jittery_fake(args: argparse.Namespace) -> Any:
    from tests.fakes.telegram_server import FakeTelegram

    low, high = (float(x) / 1000 for x in args.latency.split(","))

    class JitteryTelegram(FakeTelegram):
        """Each request waits a random latency before Telegram's flood control sees it."""

        @property  # type: ignore[override]
        def latency(self) -> float:
            return random.uniform(low, high)

        @latency.setter
        def latency(self, value: float) -> None:
            pass

    return JitteryTelegram(
        TOKEN, enforce_limits=True, global_per_second=int(args.rate), paid_per_second=int(args.paid_rate)
    )


async def scratch_database(args: argparse.Namespace, directory: Path, name: str, backend: str) -> str:
    """An empty scratch database: a SQLite file, or a new PostgreSQL database (dropped by `drop_database`)."""
    slug = "".join(c if c.isalnum() else "_" for c in name).lower()
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / (slug + '.db')}"
    import asyncpg

    db_name = f"andan_bench_{slug}_{os.getpid()}"
    conn = await asyncpg.connect(args.postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{db_name}"')
    finally:
        await conn.close()
    base = args.postgres_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{db_name}"


async def drop_database(args: argparse.Namespace, url: str) -> None:
    if url.startswith("sqlite"):
        return
    import asyncpg

    conn = await asyncpg.connect(args.postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


async def scratch_town(url: str, recipients: int) -> None:
    """A migrated database with `recipients` residents, each reachable on Telegram in a private chat."""
    from sqlalchemy import insert

    from bot import clock
    from bot.db import Database
    from bot.migrate import upgrade
    from models import ChannelIdentity, Person

    db = Database(url)
    await upgrade(db)
    now = clock.now()
    people = [
        dict(
            id=n + 1,
            display_name=f"Cư dân {n}",
            locale="vi",
            consented_at=now,
            consent_version="1",
            digest_enabled=True,
            mute_info_alerts=False,
            created_at=now,
        )
        for n in range(recipients)
    ]
    identities = [
        dict(
            person_id=n + 1,
            channel="telegram",
            external_user_id=chat_id(n),
            chat_id=chat_id(n),
            last_interaction_at=now,
            created_at=now,
        )
        for n in range(recipients)
    ]
    async with db.session() as session:
        await session.exec(insert(Person), params=people)  # type: ignore[call-overload]
        await session.exec(insert(ChannelIdentity), params=identities)  # type: ignore[call-overload]
        await session.commit()
    await db.dispose()


def chat_id(n: int) -> str:
    return str(10_000_000 + n)


async def broadcast(url: str) -> float:
    """Queue one urgent alert to every resident in one transaction, as confirming an alert does; seconds taken."""
    from sqlmodel import select

    from bot.core.replies import Choice, Reply
    from bot.db import Database
    from bot.delivery.outbox import enqueue_to_people
    from models import Person, Priority

    db = Database(url)
    started = time.monotonic()
    async with db.session() as session:
        people = list((await session.exec(select(Person))).all())
        await enqueue_to_people(
            session,
            people,
            lambda: Reply(
                "⚠️ Cảnh báo: giả danh công an gọi điện yêu cầu chuyển tiền. Công an không bao giờ làm vậy.",
                (Choice("Tôi đã đọc", "ack:1"),),
            ),
            kind="alert",
            priority=Priority.URGENT,
            source_kind="alert",
            source_id="bench",
        )
        await session.commit()
    taken = time.monotonic() - started
    await db.dispose()
    return taken


async def start_sender(command: list[str]) -> asyncio.subprocess.Process:
    """A sender process, returned once it says it is up (imports, channel start-up) and polling the outbox."""
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    while (line := await process.stdout.readline()) and line.decode().strip() != READY:
        pass
    return process


async def phase(
    args: argparse.Namespace, directory: Path, name: str, paid: bool, kills: list[float], backend: str
) -> Figures:
    rate = args.paid_rate if paid else args.rate
    name = f"{name} [{backend}]"
    figures = Figures(
        name,
        args.recipients,
        rate,
        args.paid_window if paid else args.window,
        senders=args.paid_senders if paid else 1,
        channel=args.channel,
    )
    url = await scratch_database(args, directory, name, backend)
    await scratch_town(url, args.recipients)
    fake = jittery_fake(args)
    await fake.start()
    command = [
        sys.executable,
        "-m",
        "benchmarks.broadcast",
        "--worker",
        "--db",
        url,
        "--api",
        fake.base_url,
        "--rate",
        str(args.rate),
        "--paid-rate",
        str(args.paid_rate),
        "--window",
        str(args.window),
        "--paid-window",
        str(args.paid_window),
        "--lease",
        str(args.lease),
        "--channel",
        args.channel,
    ]
    if paid:
        command.append("--paid")
    if paid and args.paid_senders > 1:
        command += ["--share", str(args.paid_senders)]
    senders = args.paid_senders if paid else 1
    started = time.monotonic()
    # The fake keeps a record of every request; a full garbage collection over them would stall it for tens of
    # milliseconds and then let a compressed burst through its flood control, which real Telegram never does.
    gc.disable()
    try:
        processes = list(await asyncio.gather(*(start_sender(command) for _ in range(senders))))
        figures.enqueue_seconds = await broadcast(url)
        pending = sorted(kills)
        while True:
            ok = fake.stats.by_method.get("sendMessage", Counter())["ok"]
            if pending and ok >= pending[0] * args.recipients:
                for process in processes:
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                figures.kills_at.append(ok)
                pending.pop(0)
                processes = [
                    await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)
                    for _ in range(senders)
                ]  # restarted at once, not waited for
                continue
            if all(process.returncode is not None for process in processes):
                if any(process.returncode != 0 for process in processes):
                    raise RuntimeError(f"a sender process failed: {[p.returncode for p in processes]}")
                break
            await asyncio.sleep(0.01)
        figures.wall_seconds = time.monotonic() - started
    finally:
        gc.enable()
        await fake.stop()
        await drop_database(args, url)
    sends = [r for r in fake.requests if r.method == "sendMessage"]
    delivered = [r for r in sends if r.ok]
    per_chat = Counter(str(r.params.get("chat_id")) for r in delivered)
    figures.requests, figures.sent_ok = len(sends), len(delivered)
    figures.rate_limited = sum(1 for r in sends if r.outcome == "rate_limited")
    figures.missed = sum(1 for n in range(args.recipients) if per_chat[chat_id(n)] == 0)
    figures.duplicates = sum(count - 1 for count in per_chat.values())
    if len(delivered) > 1:
        figures.achieved_rate = (len(delivered) - 1) / (delivered[-1].at - delivered[0].at)
        first = delivered[0].at
        figures.per_second = [n for _s, n in sorted(Counter(int(r.at - first) for r in delivered).items())]
    return figures


def report(args: argparse.Namespace, runs: list[Figures]) -> str:
    lines = [
        f"Broadcast benchmark: FakeTelegram enforcing limits, network latency {args.latency.replace(',', '–')} ms, "
        f"outbox on {args.backends}, sender in its own process, lease {args.lease:g} s, "
        f"host load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        "Channel: ptb = bot.channels.telegram.TelegramChannel (python-telegram-bot); "
        "minimal = benchmarks/_botapi.py (sendMessage over aiohttp)",
        "",
        f"{'phase':<34}{'recipients':>10}{'window':>8}{'allowed/s':>11}{'achieved/s':>12}{'ratio':>8}"
        f"{'429s':>7}{'requests':>10}{'429 ratio':>11}{'missed':>8}{'dups':>6}{'wall s':>8}  channel ×senders",
    ]
    for f in runs:
        lines.append(
            f"{f.phase:<34}{f.recipients:>10}{f.window:>8}{f.allowed_rate:>11.0f}{f.achieved_rate:>12.1f}"
            f"{f.rate_ratio:>8.3f}{f.rate_limited:>7}{f.requests:>10}{f.limited_ratio:>10.2%} {f.missed:>8}"
            f"{f.duplicates:>6}{f.wall_seconds:>8.1f}  {f.channel} ×{f.senders}"
        )
    lines.append("")
    for f in runs:
        seconds = f.per_second if len(f.per_second) <= 40 else [*f.per_second[:20], "…", *f.per_second[-5:]]
        lines.append(
            f"{f.phase}: queued in {f.enqueue_seconds:.1f} s; sends per second: {' '.join(map(str, seconds))}"
        )
    lines.append("")
    for f in runs:
        if f.kills_at:
            lines.append(
                f"{f.phase}: killed -9 after {', '.join(map(str, f.kills_at))} confirmed sends; "
                f"missed {f.missed} (goal 0), duplicates {f.duplicates} (goal ≤ window {f.window} × "
                f"{f.senders} sender(s)) → "
                f"{'PASS' if f.missed == 0 and f.duplicates <= f.window * f.senders else 'FAIL'}"
            )
        else:
            verdict = "PASS" if f.rate_ratio >= 0.95 and f.limited_ratio <= 0.01 and f.missed == 0 else "FAIL"
            lines.append(
                f"{f.phase}: achieved/allowed {f.rate_ratio:.3f} (goal ≥ 0.95), 429/requests "
                f"{f.limited_ratio:.2%} (goal ≤ 1%), missed {f.missed}, duplicates {f.duplicates} → {verdict}"
            )
    return "\n".join(lines)


async def bench(args: argparse.Namespace) -> list[Figures]:
    wanted = {p.strip() for p in args.phases.split(",")}
    runs: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="andan-bench-") as tmp:
        directory = Path(tmp)
        for backend in (b.strip() for b in args.backends.split(",")):
            if "standard" in wanted:
                runs.append(await phase(args, directory, f"standard {args.rate:g}/s", False, [], backend))
            if "paid" in wanted:
                runs.append(await phase(args, directory, f"paid {args.paid_rate:g}/s", True, [], backend))
            if "resilience" in wanted:
                paid = args.resilience_rate == "paid"
                rate = args.paid_rate if paid else args.rate
                runs.append(
                    await phase(args, directory, f"kill -9 30%+70% {rate:g}/s", paid, [0.3, 0.7], backend)
                )
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.worker:
        logging.basicConfig(
            level=logging.ERROR
        )  # the parent prints the figures; pauses show in the 429 column
        loop.run(work(args))
        return 0
    os.environ.setdefault("ANDAN_LOG_LEVEL", "WARNING")
    runs = loop.run(bench(args))
    text = report(args, runs)
    print(text, flush=True)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                [{**asdict(f), "rate_ratio": f.rate_ratio, "limited_ratio": f.limited_ratio} for f in runs],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
