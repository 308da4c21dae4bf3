"""Abuse without knowing who someone is: limits per client network (new sessions, new people, tips, wrong codes),
X-Forwarded-For only from trusted proxies, counters that expire, guarded media downloads, a private secret key."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from sqlmodel import func, select

from bot.app.housekeeping import forget_rate_counters
from bot.channels.base import Transient
from bot.channels.zalo_common import MediaPolicy, Refused, TooLarge, fetch
from bot.guard.ratelimit import ClientNetworks
from bot.security import Keyring, new_code
from bot.settings import Settings
from handlers.tips import store
from models import ChannelIdentity, Person, RateCounter
from tests.conftest import Town
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_linking import code_in
from tests.test_tips import CODE, quick_tip, texts, tip_rows
from tests.webchat import WebError

PAUSED_TIPS = "Hôm nay đã có rất nhiều tin báo được gửi từ mạng của anh/chị"
PAUSED_RECEIPTS = "quá nhiều mã tiếp nhận sai"
PAUSED_LINKS = "quá nhiều mã liên kết sai"


@asynccontextmanager
async def town_with(db_url: str, settings_for: Any, **overrides: Any) -> AsyncIterator[Town]:
    town = Town(settings_for(db_url, **overrides))
    await town.start()
    try:
        yield town
    finally:
        await town.close()


async def count(town: Town, model: Any) -> int:
    assert town.app is not None
    async with town.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


def first_payload(person: Any, prefix: str) -> str:
    for message in reversed(person.seen):
        for choice in message.get("choices", []):
            if choice["payload"].startswith(prefix + ":"):
                return str(choice["payload"])
    raise AssertionError(f"no {prefix} button in {person.last_text()!r}")


# Tips per network ---------------------------------------------------------------------------------------------
async def test_clearing_cookies_does_not_bypass_the_tip_limit_per_network(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    async with town_with(db_url, settings_for, rate_tips_per_day=2) as town:
        await quick_tip(await town.join("Lan"))
        late = await town.join("Bình")  # a new cookie and a new person, on the same network
        await late.say("/togiac")  # ...who fills in a tip up to its summary
        await late.press("cat:theft")
        await late.say("Có người lạ cạy khóa xe máy trước nhà số 12.")
        for payload in ("what:done", "where:unknown", "when:today"):
            await late.press(payload)
        await late.press(first_payload(late, "tward"))
        await late.press("ident:anon")
        await late.press("mayreply:no")
        await quick_tip(await town.join("Cường"))  # the network's second tip today, sent meanwhile

        replies = await late.press("tsend:yes")  # the form was open before the limit: refused at Send
        assert PAUSED_TIPS in texts(replies) and not CODE.search(texts(replies))
        assert len(await tip_rows(town)) == 2
        fresh = await town.join("Dũng")
        replies = await fresh.say("/togiac")  # told before typing a whole tip
        assert PAUSED_TIPS in texts(replies) and "cat:drugs" not in str(fresh.seen[-1]["choices"])

        manual_clock.advance(timedelta(hours=15))  # 00:00 the next day in Vietnam: a new day's allowance
        await quick_tip(fresh)
        assert len(await tip_rows(town)) == 3


# New people and new sessions per network -----------------------------------------------------------------------
async def test_new_web_people_per_network_pause_and_resume(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    async with town_with(db_url, settings_for, rate_web_people_per_hour=2) as town:
        await town.join("Lan")
        await town.join("Bình")
        third = await town.person("Cường")
        await third.say("/start")
        await third.press("Tiếng Việt")
        replies = await third.press("consent:yes")
        assert "đăng ký mới từ mạng này tạm dừng" in texts(replies) and "10:00" in texts(replies)
        assert "Tôi đồng ý" in third.choices()  # the question stays open: nothing is lost
        assert await count(town, Person) == 2

        manual_clock.advance(timedelta(hours=1))
        replies = await third.press("Tôi đồng ý")
        assert await count(town, Person) == 3 and "phường" in texts(replies).lower()


async def test_new_sessions_beyond_the_network_rate_get_a_polite_429(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    async with town_with(db_url, settings_for, rate_web_sessions_per_hour=2) as town:
        assert town.server is not None
        first, second, third = [await town.person(name) for name in ("A", "B", "C")]
        await first.say("/start")
        await second.say("/start")
        with pytest.raises(WebError) as refused:
            await third.say("/start")
        assert refused.value.status == 429 and "thử lại sau 10:00" in refused.value.message
        async with aiohttp.ClientSession() as raw:
            async with raw.post(town.server.url + "/api/messages", json={"text": "/start"}) as response:
                assert response.status == 429 and 0 < int(response.headers["Retry-After"]) <= 3600
                assert "andan_session" not in response.cookies
            async with raw.get(town.server.url + "/") as response:
                assert response.status == 429 and "thử lại sau" in await response.text()
        replies = await first.press("Tiếng Việt")  # a browser that already has its session carries on
        assert "Tôi đồng ý" in first.choices(), replies

        manual_clock.advance(timedelta(hours=1))
        await third.say("/start")
        assert "Tiếng Việt" in third.choices()


# X-Forwarded-For ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("trusted", ["", "127.0.0.1"], ids=["direct", "behind-proxy"])
async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    db_url: str, settings_for: Any, trusted: str
) -> None:
    async with town_with(db_url, settings_for, rate_web_sessions_per_hour=1, trusted_proxies=trusted) as town:
        assert town.server is not None
        url = town.server.url + "/api/messages"

        async def fresh(forwarded_for: str) -> int:
            async with (
                aiohttp.ClientSession() as raw,
                raw.post(
                    url, json={"text": "/start"}, headers={"X-Forwarded-For": forwarded_for}
                ) as response,
            ):
                return response.status

        assert await fresh("198.51.100.7") == 200
        if trusted:
            assert await fresh("198.51.100.7") == 429  # the same client behind the proxy
            assert await fresh("198.51.100.8") == 200  # another client behind it
            # What a client writes itself lies left of what the proxy appended: the right-most one counts.
            assert await fresh("198.51.100.8, 198.51.100.9") == 200
            assert await fresh("198.51.100.9, 198.51.100.7") == 429
        else:
            assert await fresh("198.51.100.8") == 429  # the header is ignored: everyone is 127.0.0.1


def test_client_networks_group_addresses_and_walk_only_trusted_hops() -> None:
    keyring = Keyring(b"k")
    settings = Settings(_env_file=None, secret_key="k", trusted_proxies="10.0.0.0/8, 127.0.0.1")  # type: ignore[call-arg]
    networks = ClientNetworks(keyring, settings)
    assert networks.address("203.0.113.5", ["198.51.100.1"]) == networks.address(
        "203.0.113.5"
    )  # untrusted peer
    assert str(networks.address("10.1.1.1", ["198.51.100.1, 10.2.2.2"])) == "198.51.100.1"  # two trusted hops
    assert (
        str(networks.address("10.1.1.1", ["198.51.100.1", "10.2.2.2"])) == "198.51.100.1"
    )  # several headers
    assert str(networks.address("10.1.1.1", ["garbage, 198.51.100.1"])) == "198.51.100.1"
    assert str(networks.address("10.1.1.1", ["198.51.100.1, garbage"])) == "10.1.1.1"  # stops at garbage
    assert str(networks.address("10.1.1.1", ["[2001:db8::1]:443"])) == "2001:db8::1"
    assert str(networks.address("10.1.1.1", ["203.0.113.9:5123"])) == "203.0.113.9"
    assert str(networks.address("::ffff:203.0.113.5")) == "203.0.113.5"
    assert str(networks.address("10.1.1.1", [])) == "10.1.1.1"
    assert networks.address(None) is None and networks.key(None) is None
    # IPv6: one household holds a /64; IPv4: one address (carrier-grade NAT shares it already).
    assert networks.key("2001:db8:1:2::1") == networks.key("2001:db8:1:2:ffff::9")
    assert networks.key("2001:db8:1:2::1") != networks.key("2001:db8:1:3::1")
    assert networks.key("203.0.113.5") != networks.key("203.0.113.6")
    coarse = ClientNetworks(keyring, Settings(_env_file=None, secret_key="k", client_ipv4_prefix=24))  # type: ignore[call-arg]
    assert coarse.key("203.0.113.5") == coarse.key("203.0.113.6")
    assert "203.0.113" not in str(networks.key("203.0.113.5"))
    with pytest.raises(ValueError):
        ClientNetworks(keyring, Settings(_env_file=None, secret_key="k", trusted_proxies="not-an-address"))  # type: ignore[call-arg]


# Wrong codes ----------------------------------------------------------------------------------------------------
async def test_wrong_receipt_codes_pause_lookups_without_running_scrypt(
    db_url: str, settings_for: Any, manual_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with town_with(db_url, settings_for, rate_code_failures_per_hour=3) as town:
        code = await quick_tip(await town.join("Lan"))
        threads: list[int] = []
        real = store.slow_hash

        def counted(typed: str, salt: bytes) -> str:
            threads.append(threading.get_ident())
            return real(typed, salt)

        monkeypatch.setattr(store, "slow_hash", counted)
        guesser = await town.person("Máy lạ")
        replies = await guesser.say(f"/tracuu {new_code()}")
        assert "Không có tin báo nào" in texts(replies)
        owner = await town.person("Máy khác")  # a cleared cookie: the same network, the same count
        replies = await owner.say(f"/tracuu {code}")
        assert "Tin báo số" in texts(replies)  # a right code is not a wrong attempt
        assert threads and threading.get_ident() not in threads  # scrypt ran, off the event loop's thread
        await owner.press("tstat:done")
        for _ in range(2):
            replies = await guesser.say(f"/tracuu {new_code()}")
            assert "Không có tin báo nào" in texts(replies)

        ran = len(threads)
        for browser in (guesser, await town.person("Trình duyệt mới")):
            replies = await browser.say(f"/tracuu {code}")  # even the right code waits, and costs nothing
            assert PAUSED_RECEIPTS in texts(replies) and "10:00" in texts(replies)
            assert "Tin báo số" not in texts(replies)
        await guesser.say("/tracuu")
        replies = await guesser.say(code)  # typed at the question: the same limit
        assert PAUSED_RECEIPTS in texts(replies)
        assert len(threads) == ran

        manual_clock.advance(timedelta(hours=1))
        replies = await guesser.say(f"/tracuu {code}")
        assert "Tin báo số" in texts(replies) and len(threads) > ran


async def test_wrong_link_codes_pause_linking_per_network(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    async with town_with(db_url, settings_for, rate_code_failures_per_hour=2) as town:
        lan = await town.join("Lan")
        code = code_in([m["text"] for m in await lan.say("/lienket")])
        stranger = await town.person("Lạ")
        for _ in range(2):
            replies = await stranger.say(f"/lienket {new_code(groups=2)}")
            assert "không hợp lệ" in texts(replies)
        replies = await (await town.person("Lạ, cookie mới")).say(f"/lienket {code}")
        assert PAUSED_LINKS in texts(replies) and "đã được liên kết" not in texts(replies)
        assert await count(town, ChannelIdentity) == 1

        manual_clock.advance(timedelta(hours=1))
        code = code_in([m["text"] for m in await lan.say("/lienket")])  # the first one has expired meanwhile
        replies = await stranger.say(f"/lienket {code}")
        assert "đã được liên kết" in texts(replies) and await count(town, ChannelIdentity) == 2


async def test_on_telegram_wrong_codes_count_per_chat_account(db_url: str, settings_for: Any) -> None:
    account = TelegramDriver(first_name="Lạ")
    async with driver_town(account, settings_for, db_url, rate_code_failures_per_hour=2) as town:
        lan = await town.join("Lan")
        code = code_in([m["text"] for m in await lan.say("/lienket")])
        for _ in range(2):
            assert "không hợp lệ" in "\n".join(await account.say(f"/lienket {new_code(groups=2)}"))
        for typed in (f"/tracuu {new_code()}", f"/lienket {code}"):
            if typed.startswith("/tracuu"):
                assert "Không có tin báo nào" in "\n".join(await account.say(typed))  # its own counter
                continue
            assert PAUSED_LINKS in "\n".join(await account.say(typed))
        other = await town.person("Trình duyệt")  # the web's network is not that account
        assert "đã được liên kết" in texts(await other.say(f"/lienket {code}"))


# Counters: what they hold, and when they go ---------------------------------------------------------------------
async def test_counters_hold_no_address_and_are_purged_after_their_window(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    assert set(RateCounter.model_fields) == {"key", "window_end", "count"}
    async with town_with(db_url, settings_for) as town:
        assert town.app is not None
        stranger = await town.person("Lạ")
        await stranger.say(f"/tracuu {new_code()}")  # a new session and a wrong receipt code: two counters
        async with town.app.db.session() as session:
            rows = list((await session.exec(select(RateCounter))).all())
        assert len(rows) == 2 and all("127.0.0.1" not in r.key and len(r.key) == 64 for r in rows)

        manual_clock.advance(timedelta(minutes=59))
        await forget_rate_counters(town.app)
        assert await count(town, RateCounter) == 2  # their hour is not over yet
        manual_clock.advance(timedelta(minutes=1))
        await forget_rate_counters(town.app)
        assert await count(town, RateCounter) == 0


# Media downloads --------------------------------------------------------------------------------------------------
class CountingServer:
    """A tiny HTTP server on loopback that counts every TCP connection made to it."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self.routes: dict[str, tuple[str, dict[str, str], bytes, float]] = {}
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ")[1].decode()
            status, headers, body, delay = self.routes.get(path, ("404 Not Found", {}, b"", 0.0))
            await asyncio.sleep(delay)
            lines = [
                f"HTTP/1.1 {status}",
                f"Content-Length: {len(body)}",
                "Connection: close",
                *(f"{k}: {v}" for k, v in headers.items()),
            ]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
        writer.close()


class FixedResolver(AbstractResolver):
    """DNS answers chosen by the test (as a hostile name server, or a rebinding one, would give them)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": a,
                "port": port,
                "family": 2 if ":" not in a else 10,
                "proto": 0,
                "flags": 0,
            }
            for a in self.answers[host]
        ]

    async def close(self) -> None:
        pass


async def test_media_urls_outside_the_policy_are_refused_without_any_connection() -> None:
    server = CountingServer()
    server.routes = {
        "/photo": ("200 OK", {"Content-Type": "image/jpeg"}, b"jpeg-bytes", 0.0),
        "/away": ("302 Found", {"Location": "https://evil.example/photo"}, b"", 0.0),
        "/hop": ("302 Found", {"Location": "/photo"}, b"", 0.0),
        "/slow": ("200 OK", {}, b"late", 5.0),
        "/big": ("200 OK", {}, b"x" * 2000, 0.0),
    }
    await server.start()
    local = f"http://127.0.0.1:{server.port}"
    production = MediaPolicy(("zdn.vn", "localhost", "127.0.0.1", "10.1.2.3"), False, False, 5.0)
    tests_only = MediaPolicy(("127.0.0.1",), True, True, 5.0)
    try:
        assert await fetch(f"{local}/photo", 1000, tests_only) == b"jpeg-bytes"  # the opt-in reaches the fake
        assert await fetch(f"{local}/hop", 1000, tests_only) == b"jpeg-bytes"  # a redirect within the policy
        assert server.connections == 3
        refused = [
            (f"{local}/photo", production),  # plain http
            ("https://evil.example/photo", production),  # a foreign host
            ("https://zdn.vn.evil.example/photo", production),  # a media host's name inside a foreign one
            ("ftp://zdn.vn/photo", production),
            (f"http://localhost:{server.port}/photo", replace(production, allow_http=True)),  # DNS → loopback
            (
                f"http://127.0.0.1:{server.port}/photo",
                replace(production, allow_http=True),
            ),  # loopback literal
            ("https://10.1.2.3/photo", production),  # a private address literal
            (f"{local}/photo", replace(tests_only, allow_private=False)),
        ]
        for url, policy in refused:
            with pytest.raises(Refused):
                await fetch(url, 1000, policy)
        hostile_dns = FixedResolver(
            {
                "cdn.zdn.vn": ["10.0.0.5"],
                "f1.zdn.vn": ["169.254.169.254", "127.0.0.1"],
                "v6.zdn.vn": ["::1", "fd00::1"],
            }
        )
        for host in hostile_dns.answers:
            with pytest.raises(Refused):
                await fetch(f"https://{host}/photo", 1000, production, resolver=hostile_dns)
        assert server.connections == 3  # none of the refused URLs was connected to

        with pytest.raises(Refused):
            await fetch(f"{local}/away", 1000, tests_only)  # a redirect is checked like the first URL
        with pytest.raises(TooLarge):
            await fetch(f"{local}/big", 1000, tests_only)
        with pytest.raises(Transient):
            await fetch(f"{local}/slow", 1000, replace(tests_only, seconds=0.3))  # the time cap
    finally:
        await server.stop()


# The secret key file ---------------------------------------------------------------------------------------------
def test_secret_key_file_is_private_from_the_moment_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path: Any, flags: int, mode: int = 0o777, *args: Any, **kw: Any) -> int:
        opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, *args, **kw)

    def no_chmod(*_args: Any, **_kw: Any) -> None:
        raise AssertionError("the key file must be created with its mode, not chmod-ed afterwards")

    monkeypatch.setattr(os, "open", spy)
    monkeypatch.setattr(os, "chmod", no_chmod)
    previous = os.umask(0)  # with no umask, only the mode given to os.open keeps others out
    try:
        key = Settings(_env_file=None, secret_key=None).secret_bytes()  # type: ignore[call-arg]
    finally:
        os.umask(previous)
    [(path, flags, mode)] = [o for o in opened if o[0].endswith(".andan_secret_key")]
    assert mode == 0o600 and flags & os.O_CREAT and flags & os.O_EXCL
    assert stat.S_IMODE((tmp_path / ".andan_secret_key").stat().st_mode) == 0o600
    assert len(key) >= 64
    assert Settings(_env_file=None, secret_key=None).secret_bytes() == key  # type: ignore[call-arg]


def test_when_another_process_creates_the_key_first_its_key_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    real_open = os.open

    def other_process_first(path: Any, flags: int, mode: int = 0o777, *args: Any, **kw: Any) -> int:
        if str(path).endswith(".andan_secret_key") and flags & os.O_EXCL:
            (tmp_path / ".andan_secret_key").write_text("their-key\n")
        return real_open(path, flags, mode, *args, **kw)

    monkeypatch.setattr(os, "open", other_process_first)
    assert Settings(_env_file=None, secret_key=None).secret_bytes() == b"their-key"  # type: ignore[call-arg]
