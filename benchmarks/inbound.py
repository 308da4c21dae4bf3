"""Inbound benchmark: how many Telegram webhook updates An Dân handles, against two bare python-telegram-bot bots.

Three bots, each in its own process(es) on uvloop with the same aiohttp transport, measured in the same run:
- `andan`: the real app (`bot.app.runtime.serve`: every feature, the scheduler, the sender, INFO logs), in
  webhook mode;
- `echo`: bare PTB, replying with the text it got;
- `insert`: bare PTB plus one SQLModel insert (and commit) per update before replying.

A driver posts webhook updates (the secret header, as Telegram does) round-robin over the processes, as a
reverse proxy's upstream would, and answers the bots' Bot API calls itself, counting what each chat received:
an update is done when its chat got every request its step produces (counted once on a first user). Each user
sends `/trogiup`, `/batdau`, then presses the first button of the last keyboard twice (language, consent: the
consent creates the person). Phases, on each database:
1. max: 50 updates in flight (closed loop) over fresh users: updates/s, CPU ms per update (the bot processes'
   own CPU time from /proc), p50/p99 latency (post → last request of its answer), event-loop lag;
2. half: fresh processes, updates offered at half of An Dân's own maximum from the moment they are up (so the
   first seconds and the scheduler's catch-up pass are inside): p99 and loop lag, An Dân and the insert bot;
3. scale: An Dân with 2 (and more, `--processes`) processes on one PostgreSQL database, closed loop.
Rounds interleave the bots; each figure is the median of `--runs` rounds.

Here: the trials, rounds and report; what runs inside a bot process is in `benchmarks/inbound_bots.py`, the
driver (the fake Bot API, the processes, the scratch databases) in `benchmarks/inbound_driver.py`.

Usage: `python -m benchmarks inbound [--quick] [--backends sqlite,postgres] [--users N] [--runs N] ...`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import cpu
from benchmarks.inbound_bots import work
from benchmarks.inbound_driver import STEPS, Bots, Databases, Driver, LeanBotApi, people_count
from bot.app import loop

FIRST_CHAT = 50_000_000


# Figures ------------------------------------------------------------------------------------------------------
FIRST_SECONDS = 30.0  # p99 is also told apart for the first seconds after the trial began (processes just up)


@dataclass
class Trial:
    phase: str  # max | half | scale
    backend: str
    bot: str  # andan | echo | insert
    processes: int
    round: int
    updates: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the bot processes'
    driver_cpu_seconds: float = 0.0  # the driver's, with the fake Bot API it serves
    host_cpu_seconds: float = 0.0  # the whole host's busy time, all CPUs together
    latencies: list[float] = field(default_factory=list, repr=False)
    answered_at: list[float] = field(
        default_factory=list, repr=False
    )  # monotonic time of each latency's answer
    steps: list[int] = field(default_factory=list, repr=False)  # which of STEPS each latency is of
    began: float = 0.0  # monotonic time the trial's measurement began
    lag_max: float = 0.0
    lag_over_100ms: int = 0
    lost: int = 0
    extra: int = 0  # requests to chats beyond what their updates should produce: an update handled twice
    refused: int = 0  # webhook posts answered other than 200 (re-posted, as Telegram does)
    duplicates_posted: int = 0
    people_ok: bool | None = None  # andan: one person per onboarded user in the database
    offered_rate: float = 0.0
    cpus: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.per_update(self.cpu_seconds)

    def per_update(self, seconds: float) -> float:
        return 1000 * seconds / self.updates if self.updates else 0.0

    @property
    def rest_cpu_seconds(self) -> float:
        """The host's busy time less the bots' and the driver's: the PostgreSQL server, and anything else."""
        return max(0.0, self.host_cpu_seconds - self.cpu_seconds - self.driver_cpu_seconds)

    @property
    def host_busy(self) -> float:
        """CPUs the host kept busy on average during the trial."""
        return self.host_cpu_seconds / self.seconds if self.seconds else 0.0

    def percentile(
        self, q: float, within: tuple[float, float] | None = None, step: int | None = None
    ) -> float:
        """The q-quantile of the latencies, ms; `within`: only of answers between these monotonic times; `step`:
        only of that step's updates."""
        chosen = [
            x
            for x, at, s in zip(self.latencies, self.answered_at, self.steps, strict=True)
            if (within is None or within[0] <= at < within[1]) and (step is None or s == step)
        ]
        if not chosen:
            return 0.0
        ordered = sorted(chosen)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def first(self) -> tuple[float, float]:
        return self.began, self.began + FIRST_SECONDS

    def later(self) -> tuple[float, float]:
        return self.began + FIRST_SECONDS, float("inf")

    @property
    def sound(self) -> bool:
        return not self.lost and not self.extra and self.people_ok is not False


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks inbound", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 users, one round, 20 s at half load")
    parser.add_argument("--users", type=int, default=None, help="users per max trial (default 1,500)")
    parser.add_argument("--runs", type=int, default=None, help="interleaved rounds (default 3; quick 1)")
    parser.add_argument("--in-flight", type=int, default=50, help="updates in flight in the closed loop")
    parser.add_argument("--half-seconds", type=float, default=None, help="length of the half-load phase")
    parser.add_argument(
        "--processes", default="2", help="An Dân process counts for the scale phase (PostgreSQL)"
    )
    parser.add_argument("--phases", default="max,half,scale", help="which phases to run")
    parser.add_argument("--bots", default="andan,echo,insert", help="which bots the max phase measures")
    parser.add_argument(
        "--duplicates", type=float, default=0.01, help="share of An Dân's updates posted twice"
    )
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ANDAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="admin URL of a PostgreSQL server where scratch databases may be created",
    )
    parser.add_argument(
        "--keep-logs", type=Path, default=None, help="write the bots' stderr into this folder"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every trial's figures here")
    # Internal: a bot process.
    parser.add_argument("--worker", choices=("andan", "echo", "insert"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.expected = {}  # calls each step produces, per bot (counted once per max trial)
    if args.users is None:
        args.users = 300 if args.quick else 1500
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.half_seconds is None:
        args.half_seconds = 20.0 if args.quick else 40.0
    return args


# Trials -------------------------------------------------------------------------------------------------------
async def trial(
    args: argparse.Namespace,
    databases: Databases,
    phase: str,
    backend: str,
    bot: str,
    processes: int,
    number: int,
    rate: float = 0.0,
) -> Trial:
    figures = Trial(
        phase, backend, bot, processes, number, offered_rate=rate, cpus=len(os.sched_getaffinity(0))
    )
    url = await databases.fresh(backend)
    api = LeanBotApi()
    await api.start()
    bots = Bots(args, bot, url, api, processes)
    driver: Driver | None = None
    try:
        await bots.start()
        driver = Driver(api, bots.urls, args.duplicates if bot == "andan" else 0.0)
        if phase == "half":
            # From the moment the processes are up: calibrate on the first user inside the measured time.
            chats = [FIRST_CHAT + n for n in range(int(rate * args.half_seconds) // len(STEPS) + 200)]
            # Counted in the max phase: calibrating here would keep the first seconds out of the measurement.
            driver.expected = args.expected.get(bot) or [1] * len(STEPS)
            begin, used, around = time.monotonic(), bots.cpu_seconds(), cpu.Reading.now()
            driver.trial = figures
            await driver.open_loop(chats, rate, args.half_seconds, figures)
        else:
            driver.expected = args.expected[bot] = await driver.calibrate(FIRST_CHAT - 1)
            chats = [FIRST_CHAT + n for n in range(args.users)]
            begin, used, around = time.monotonic(), bots.cpu_seconds(), cpu.Reading.now()
            driver.trial = figures
            await driver.closed_loop(chats, args.in_flight, figures)
        end = time.monotonic()
        figures.began, figures.seconds, figures.cpu_seconds = begin, end - begin, bots.cpu_seconds() - used
        spent = cpu.Reading.now().since(around)
        figures.driver_cpu_seconds, figures.host_cpu_seconds = spent.driver, spent.host
        await asyncio.sleep(1.0)  # anything answered twice arrives by now
        figures.extra = sum(
            max(0, api.counts[chat] - due) for chat, due in answered_calls(driver, chats).items()
        )
    finally:
        if driver is not None:
            await driver.close()
        await bots.stop()
        await api.stop()
    figures.lag_max, figures.lag_over_100ms = bots.lag(begin, end)
    if bot == "andan" and not figures.lost:
        calibrated = api.counts[FIRST_CHAT - 1] > 0
        users = sum(1 for chat in chats if api.counts[chat] >= sum(driver.expected)) + calibrated
        figures.people_ok = await people_count(url) == users
    await databases.drop(url)
    return figures


def answered_calls(driver: Driver, chats: list[int]) -> dict[int, int]:
    """What each chat should have received: the calls of the steps it completed (every step, for a chat whose
    count reached the whole conversation's)."""
    whole = sum(driver.expected)
    out = {}
    for chat in chats:
        got = driver.api.counts[chat]
        if got >= whole:
            out[chat] = whole
        else:  # a user cut short by the end of the open loop, or a lost update: up to its last complete step
            done = 0
            for calls in driver.expected:
                if done + calls > got:
                    break
                done += calls
            out[chat] = got if got == done else done
    return out


async def bench(args: argparse.Namespace) -> list[Trial]:
    phases = {p.strip() for p in args.phases.split(",")}
    bots = [b.strip() for b in args.bots.split(",")]
    scale = [int(n) for n in args.processes.split(",") if n.strip()]
    trials: list[Trial] = []
    with tempfile.TemporaryDirectory(prefix="andan-bench-inbound-") as tmp:
        databases = Databases(args, Path(tmp))
        try:
            for backend in (b.strip() for b in args.backends.split(",")):
                for number in range(1, args.runs + 1):
                    if "max" in phases:
                        for bot in bots:
                            trials.append(await trial(args, databases, "max", backend, bot, 1, number))
                            say(trials[-1])
                    if "scale" in phases and backend == "postgres":
                        for processes in scale:
                            trials.append(
                                await trial(args, databases, "scale", backend, "andan", processes, number)
                            )
                            say(trials[-1])
                if "half" in phases:
                    maxima = [
                        t.rate
                        for t in trials
                        if t.phase == "max" and t.backend == backend and t.bot == "andan"
                    ]
                    rate = statistics.median(maxima) / 2 if maxima else 100.0
                    for number in range(1, args.runs + 1):
                        for bot in ("andan", "insert"):
                            trials.append(await trial(args, databases, "half", backend, bot, 1, number, rate))
                            say(trials[-1])
        finally:
            await databases.close()
    return trials


def say(t: Trial) -> None:
    print(
        f"  {t.phase:<5} {t.backend:<8} {t.bot:<6} ×{t.processes} round {t.round}: {t.rate:7.1f} updates/s, "
        f"{t.cpu_ms:5.2f} CPU ms/update (driver {t.per_update(t.driver_cpu_seconds):4.2f}, rest "
        f"{t.per_update(t.rest_cpu_seconds):4.2f}, host busy {t.host_busy:4.2f} CPUs), p50 {t.percentile(0.5):6.1f} ms, "
        f"p99 {t.percentile(0.99):6.1f} ms (first {FIRST_SECONDS:g} s {t.percentile(0.99, t.first()):6.1f}, later "
        f"{t.percentile(0.99, t.later()):6.1f}; by step "
        f"{' '.join(f'{t.percentile(0.99, step=n):.1f}' for n in range(len(STEPS)))}), loop lag max {1000 * t.lag_max:5.1f} ms, lost {t.lost}, extra {t.extra}, refused {t.refused}"
        + ("" if t.people_ok is None else f", people {'ok' if t.people_ok else 'WRONG'}"),
        flush=True,
    )


# The report ---------------------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(args: argparse.Namespace, trials: list[Trial]) -> str:
    cpus = trials[0].cpus if trials else len(os.sched_getaffinity(0))
    lines = [
        f"Inbound benchmark: Telegram webhook updates, {args.in_flight} in flight, {args.users} users × "
        f"{len(STEPS)} updates ({', '.join(STEPS[:2])}, two onboarding presses), medians of {args.runs} "
        f"interleaved round(s); {cpus} CPUs shared by the bots, the driver and the database; host load average "
        f"{os.getloadavg()[0]:.1f}",
        "",
        f"{'phase':<7}{'database':<10}{'bot':<8}{'procs':>6}{'updates/s':>11}{'CPU ms/upd':>11}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'lag max ms':>11}{'sound':>7}{'driver ms':>10}{'rest ms':>8}{'host CPUs':>10}",
    ]
    groups: dict[tuple[str, str, str, int], list[Trial]] = {}
    for t in trials:
        groups.setdefault((t.phase, t.backend, t.bot, t.processes), []).append(t)
    for (phase, backend, bot, processes), runs in groups.items():
        lines.append(
            f"{phase:<7}{backend:<10}{bot:<8}{processes:>6}{median([t.rate for t in runs]):>11.1f}"
            f"{median([t.cpu_ms for t in runs]):>11.2f}{median([t.percentile(0.5) for t in runs]):>8.1f}"
            f"{median([t.percentile(0.99) for t in runs]):>8.1f}"
            f"{median([1000 * max(t.lag_max, 0) for t in runs]):>11.1f}"
            f"{'yes' if all(t.sound for t in runs) else 'NO':>7}"
            f"{median([t.per_update(t.driver_cpu_seconds) for t in runs]):>10.2f}"
            f"{median([t.per_update(t.rest_cpu_seconds) for t in runs]):>8.2f}"
            f"{median([t.host_busy for t in runs]):>10.2f}"
        )
    lines.append(
        "CPU ms/upd: the bot processes' own; driver ms: the driver and the Bot API it answers; rest ms: the "
        "host's other busy time per update (PostgreSQL, and anything else running); host CPUs: how many CPUs the "
        "whole host kept busy on average"
    )
    lines.append("")

    def fig(
        phase: str, backend: str, bot: str, processes: int, what: Callable[[Trial], float]
    ) -> float | None:
        runs = groups.get((phase, backend, bot, processes))
        return median([what(t) for t in runs]) if runs else None

    def verdict(value: float | None, goal: float, at_least: bool) -> str:
        if value is None:
            return "n/a"
        ok = value >= goal if at_least else value <= goal
        return f"{value:.2f} (goal {'≥' if at_least else '≤'} {goal:g}) {'PASS' if ok else 'FAIL'}"

    for backend in sorted({t.backend for t in trials}):
        andan = fig("max", backend, "andan", 1, lambda t: t.rate)
        insert = fig("max", backend, "insert", 1, lambda t: t.rate)
        lines.append(
            f"{backend}: An Dân ÷ insert, updates/s: {verdict(andan / insert if andan and insert else None, 0.75, True)}"
        )
        ratio = None
        a99 = fig("half", backend, "andan", 1, lambda t: t.percentile(0.99))
        i99 = fig("half", backend, "insert", 1, lambda t: t.percentile(0.99))
        if a99 is not None and i99:
            ratio = a99 / i99
        lines.append(f"{backend}: p99 at half load, An Dân ÷ insert: {verdict(ratio, 2.0, False)}")
        lag = fig("half", backend, "andan", 1, lambda t: 1000 * t.lag_max)
        lines.append(f"{backend}: An Dân's largest loop lag at half load, ms: {verdict(lag, 100, False)}")
        one = fig("max", backend, "andan", 1, lambda t: t.rate)
        one_cpu = fig("max", backend, "andan", 1, lambda t: t.cpu_ms)
        for processes in sorted({t.processes for t in trials if t.phase == "scale" and t.backend == backend}):
            many = fig("scale", backend, "andan", processes, lambda t: t.rate)
            many_cpu = fig("scale", backend, "andan", processes, lambda t: t.cpu_ms)
            goal = {2: 1.4, 3: 2.2}.get(processes, 1.0) if cpus <= 2 else {2: 1.6, 3: 2.2}.get(processes, 1.0)
            lines.append(
                f"{backend}: {processes} processes ÷ 1, updates/s: "
                f"{verdict(many / one if many and one else None, goal, True)}; CPU per update: "
                f"{verdict(many_cpu / one_cpu if many_cpu and one_cpu else None, 1.10, False)}"
            )
    unsound = [t for t in trials if not t.sound]
    lines.append("")
    lines.append(
        "Guarantees: every update answered once, one person per onboarded user: "
        + (
            "PASS"
            if not unsound
            else "FAIL in " + ", ".join(f"{t.phase}/{t.backend}/{t.bot}×{t.processes}" for t in unsound)
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.worker:
        work(args)
        return 0
    os.environ.setdefault("ANDAN_LOG_LEVEL", "WARNING")
    trials = loop.run(bench(args))
    print(report(args, trials), flush=True)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                [
                    {
                        **{
                            k: v
                            for k, v in asdict(t).items()
                            if k not in ("latencies", "answered_at", "steps")
                        },
                        "rate": t.rate,
                        "cpu_ms": t.cpu_ms,
                        "p50_ms": t.percentile(0.5),
                        "p99_ms": t.percentile(0.99),
                    }
                    for t in trials
                ],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
