"""kill -9 during streams of submissions: pledge signing, mediation requests, group reports and alert confirmation.

The real server (`andan run`) is killed with SIGKILL at seeded random moments while web people keep
submitting (and once more while it is starting again), and started again on the same database. The four
journeys (tests/crash_flows.py) run side by side, so every kill lands in all four streams at once. Each person
sends every input with a client id and sends the same id again after a crash. Afterwards:
- every submission a person was told about is stored exactly once, none twice, none that was never sent;
- every input handled before a crash has its echo and replies in the transcript (none is lost with the process);
- no conversation is stuck: everyone completes a new submission after the last restart;
- the outbox holds one row per recipient, delivers each at least once, and repeats at most the sender's window
  of pushes per crash (README, bot/delivery);
- nothing answered 5xx or logged an error.
A kill during the very first migration must not leave a database the next start cannot open.

ANDAN_CRASH_SEED changes the kill schedule (the seed is printed with every failure).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import string
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import col, select

from bot.db import Database
from bot.directory.invites import create
from bot.directory.people import identity_for
from bot.security import Keyring
from bot.settings import Settings
from models import Area, Group, OutboxMessage, OutboxStatus
from tests.crash_flows import JOURNEYS, Attempt, Journey, Member, Unclear, World
from tests.crash_server import Browser, ServerProcess
from tests.databases import DEMO_WARD, TEST_SECRET, PostgresTemplates, SqliteTemplates

SEED = int(os.environ.get("ANDAN_CRASH_SEED", "2026"))
KILLS = 3
WINDOW = 4  # ANDAN_DELIVERY_WINDOW: small, so the duplicate bound means something
LEASE = 2.0  # ANDAN_DELIVERY_LEASE_SECONDS: rows a killed sender held come back soon after the restart
FINISH_SECONDS = 120.0  # after the last restart, for everyone to complete one more submission
MAX_UNCLEAR = 4  # a person who has to start over this many times in a row is stuck


class Run:
    """The shared state of one crash run: tags, the current server run, findings."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.finishing = False
        self.problems: list[str] = []
        self._tags = (
            ("Q" + "".join(letters)) for letters in itertools.product(string.ascii_lowercase, repeat=4)
        )

    def tag(self) -> str:
        return next(self._tags)


async def keep_submitting(journey: Journey, member: Member, run: Run) -> None:
    """One person's stream: submission after submission, starting over with /huy when lost, until the run is
    finishing and they have completed one that began after the last restart."""
    unclear_in_a_row = 0
    while not (
        run.finishing
        and any(a.confirmed and a.run == run.server.runs for a in journey.attempts if a.who == member.name)
    ):
        attempt = Attempt(member.name, run.tag(), run.server.runs)
        journey.attempts.append(attempt)
        lost_before = member.b.counts.lost
        try:
            await journey.submit(member, attempt)
            unclear_in_a_row = 0
        except Unclear as why:
            attempt.unclear = str(why)
            if member.b.counts.lost == lost_before:
                run.problems.append(
                    f"{journey.name}: {member.name} got an answer they could not follow, although "
                    f"nothing was lost: {why}"
                )
            unclear_in_a_row += 1
            if unclear_in_a_row >= MAX_UNCLEAR:
                run.problems.append(f"{journey.name}: {member.name} is stuck: {why}")
                return
            await member.b.say("/huy")


async def invite_codes(db_url: str, members: list[Member]) -> dict[str, str]:
    """Single-use invites for every member, as `andan invite` makes them (bot.directory.invites.create)."""
    db = Database(db_url)
    settings = Settings(_env_file=None, database_url=db_url, secret_key=TEST_SECRET)  # type: ignore[call-arg]
    codes = {}
    try:
        async with db.session() as session:
            for member in members:
                area_id = group_id = None
                if member.role not in ("police", "ward_admin"):
                    area = (
                        await session.exec(
                            select(Area).where(Area.ward_code == DEMO_WARD, Area.name == member.area)
                        )
                    ).one()
                    area_id = area.id
                if member.group is not None:
                    group_id = (
                        await session.exec(
                            select(Group.id).where(Group.area_id == area_id, Group.name == member.group)
                        )
                    ).one()
                made = await create(
                    session,
                    Keyring(TEST_SECRET.encode()),
                    settings,
                    role=member.role,
                    ward_code=DEMO_WARD,
                    area_id=area_id,
                    group_id=group_id,
                )
                codes[member.name] = made.code
            await session.commit()
    finally:
        await db.dispose()
    return codes


async def join(member: Member, server: ServerProcess, code: str) -> None:
    member.browser = Browser(server, member.name)
    await member.b.say(f"/start {code}")
    await member.b.press("lang:vi")
    welcome = await member.b.press("consent:yes")
    assert "Chào mừng" in welcome.text(), welcome.text()


async def person_ids(db: Database, members: list[Member]) -> None:
    keyring = Keyring(TEST_SECRET.encode())
    async with db.session() as session:
        for member in members:
            identity = await identity_for(session, "web", keyring.keyed_hash("web-session", member.b.cookie))
            assert identity is not None, member.name
            member.person_id = identity.person_id


async def crash_repeatedly(
    server: ServerProcess, rng: random.Random, streams: list[asyncio.Task[None]]
) -> None:
    """KILLS kills while the streams run, and once more while the server is starting again (migrations checked,
    the sender taking back what the dead process held)."""
    for kill in range(KILLS):
        await asyncio.sleep(rng.uniform(0.5, 1.5))  # the streams are under way again by then
        if any(s.done() and s.exception() is not None for s in streams):
            return  # a stream broke: stop crashing, the failure is reported below
        await server.kill()
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        if kill == 0:
            await server.spawn()
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            await server.kill()
        await server.start()


async def outbox_settled(db: Database, seconds: float = 90.0) -> list[str]:
    """Wait until the running sender has dealt with every row (a killed sender's rows come back after the lease)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        async with db.session() as session:
            waiting = (
                await session.exec(
                    select(OutboxMessage.id, OutboxMessage.status).where(
                        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                    )
                )
            ).all()
        if not waiting:
            return []
        if loop.time() > deadline:
            return [f"outbox: {len(waiting)} rows still waiting after {seconds:.0f} s: {waiting[:10]}"]
        await asyncio.sleep(0.25)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db_url(
    request: pytest.FixtureRequest,
    sqlite_templates: SqliteTemplates,
    postgres_templates: PostgresTemplates | None,
) -> AsyncIterator[str]:
    """A database with nothing in it yet, as on a first `andan run`."""
    templates: SqliteTemplates | PostgresTemplates | None = sqlite_templates
    if request.param == "postgres":
        templates = postgres_templates
        if templates is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 is not reachable; the PostgreSQL half of this test is skipped"
            )
    assert templates is not None
    url = await templates.new_url(empty=True)
    try:
        yield url
    finally:
        await templates.drop(url)


async def test_kill_9_during_the_first_migration_leaves_a_database_that_starts(
    empty_db_url: str, tmp_path: Path
) -> None:
    """Killed while creating the schema on its first run, the server must start the next time (no half schema)."""
    server = ServerProcess(empty_db_url, tmp_path)
    try:
        log = await server.spawn()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while b"Running upgrade 0001_core" not in log.read_bytes():  # the first migration is under way
            assert server.process is not None and server.process.returncode is None, server.tail()
            assert loop.time() < deadline, server.tail()
            await asyncio.sleep(0.005)
        await server.kill()
        await server.start()
        async with aiohttp.ClientSession() as http:
            async with http.post(server.url + "/api/messages", json={"text": "xin chào"}) as answer:
                assert answer.status == 200, await answer.text()
        await server.stop()
    finally:
        if server.process is not None and server.process.returncode is None:
            server.process.kill()
            await server.process.wait()
    assert not server.errors(), server.errors()


async def test_kill_9_during_pledges_mediation_reports_and_alerts(db_url: str, tmp_path: Path) -> None:
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"
    rng = random.Random(f"{SEED}:{backend}")
    journeys = [journey() for journey in JOURNEYS]
    members = [m for j in journeys for m in j.cast]
    codes = await invite_codes(db_url, members)
    server = ServerProcess(
        db_url,
        tmp_path,
        delivery_window=str(WINDOW),
        delivery_lease_seconds=str(LEASE),
        delivery_poll_seconds="0.2",
    )
    db = Database(db_url)
    world = World(db, {m.name: m for m in members})
    run = Run(server)
    streams: list[asyncio.Task[None]] = []
    problems: list[str] = []
    try:
        await server.start()
        await asyncio.gather(*(join(m, server, codes[m.name]) for m in members))
        await person_ids(db, members)
        await asyncio.gather(*(j.prepare(world) for j in journeys))

        streams = [
            asyncio.create_task(keep_submitting(j, m, run), name=f"{j.name}:{m.name}")
            for j in journeys
            for m in j.actors
        ]
        await crash_repeatedly(server, rng, streams)
        run.finishing = True
        done, pending = await asyncio.wait(streams, timeout=FINISH_SECONDS)
        for stream in pending:
            problems.append(
                f"{stream.get_name()}: no submission completed within {FINISH_SECONDS:.0f} s of the "
                f"last restart (stuck)"
            )
            stream.cancel()
        for stream in done:
            if stream.exception() is not None:
                problems.append(f"{stream.get_name()}: {stream.exception()!r}")

        problems += await outbox_settled(db)
        for member in members:
            world.transcripts[member.name] = await member.b.transcript()
        await server.stop()
        world.kills = server.killed_at
        for journey in journeys:
            problems += await journey.verify(world)
            if len(journey.confirmed()) < len(journey.actors):
                problems.append(f"{journey.name}: only {len(journey.confirmed())} confirmed submissions")
        for crash, repeated in world.repeats.items():
            if crash is None or repeated > WINDOW:
                problems.append(
                    f"outbox: {repeated} pushes arrived again after "
                    f"{'no crash' if crash is None else f'crash {crash + 1}'}; the window allows {WINDOW}"
                )
        problems += run.problems
        problems += [e for m in members for e in m.b.counts.server_errors]
        problems += [
            f"{m.name}: {m.b.counts.lost} inputs were handled before a crash but neither their answer "
            f"nor their echo is in the transcript"
            for m in members
            if m.b.counts.lost
        ]
        problems += [f"log: {line[:500]}" for line in server.errors()]
        if sum(m.b.counts.retried for m in members) == 0:
            problems.append("no crash interrupted a request: the test proved nothing")
    finally:
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for member in members:
            if member.browser is not None:
                await member.b.close()
        if server.process is not None and server.process.returncode is None:
            server.process.kill()
            await server.process.wait()
        await db.dispose()

    summary = (
        f"seed {SEED} ({backend}), {server.kills} kills; "
        + "; ".join(f"{j.name}: {len(j.confirmed())} confirmed of {len(j.attempts)}" for j in journeys)
        + f"; retried {sum(m.b.counts.retried for m in members)}, answers found in the transcript "
        f"{sum(m.b.counts.recovered for m in members)}, lost {sum(m.b.counts.lost for m in members)}, "
        f"pushes repeated after each crash {[world.repeats[i] for i in range(server.kills)]}"
    )
    print(summary)
    assert not problems, summary + "\n" + "\n".join(problems)
