"""Zalo OA tokens: refreshed ahead of expiry or on rejection, persisted before use, never spent twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
from pydantic import SecretStr
from sqlmodel import select

from bot.channels.zalo_oa import tokens
from bot.core.replies import Reply
from models import ZaloOACredentials
from tests.drivers import driver_town
from tests.drivers.zalo_oa import ZaloOADriver
from tests.fakes import FakeZaloOA


async def stored_tokens(town: Any) -> tuple[str, str, int]:
    async with town.app.db.session() as session:
        row = (await session.exec(select(ZaloOACredentials))).one()
    keyring = town.app.keyring
    return (
        keyring.unseal("zalo-oa-token", row.access_token).decode(),
        keyring.unseal("zalo-oa-token", row.refresh_token).decode(),
        row.version,
    )


async def test_tokens_refresh_ahead_on_rejection_and_persist_across_restarts(
    db_url: str, settings_for, manual_clock
) -> None:  # type: ignore[no-untyped-def]

    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        # Tokens pasted into the settings have an unknown age: refreshed before first use, the new pair stored.
        assert oa.fake.used_refresh_tokens == {"oa-refresh-initial"}
        assert await stored_tokens(town) == (oa.fake.access_token, oa.fake.refresh_token, 2)
        assert oa.fake.calls("message/cs")[-1].headers["access_token"] == oa.fake.access_token

        await town.restart()  # the settings still hold the spent refresh token: the stored pair wins
        await oa.say("/trogiup")
        assert len(oa.fake.calls("oa/access_token")) == 1

        manual_clock.advance(timedelta(hours=24, minutes=30))  # under an hour left of the 25 h
        await oa.say("/trogiup")
        assert len(oa.fake.used_refresh_tokens) == 2
        assert [r.outcome for r in oa.fake.calls("message/cs")][-1] == "ok"

        oa.fake.expire_access_token()  # revoked early: -216, refreshed once, retried
        replies = await oa.say("/trogiup")
        assert replies and len(oa.fake.used_refresh_tokens) == 3
        assert await stored_tokens(town) == (oa.fake.access_token, oa.fake.refresh_token, 4)


async def test_two_processes_never_spend_the_refresh_token_twice(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    from bot.app.wiring import build

    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        other = build(town.settings)  # a second worker process on the same database
        try:
            first, second = town.app.channels["zalo_oa"].tokens, other.channels["zalo_oa"].tokens  # type: ignore[union-attr, attr-defined]
            pairs = await asyncio.gather(first.access_token(), second.access_token(), first.access_token())
            assert len(set(pairs)) == 1 and pairs[0] == oa.fake.access_token
            assert len(oa.fake.used_refresh_tokens) == 1
            assert sum(1 for r in oa.fake.calls("oa/access_token") if r.ok) == 1
        finally:
            await other.stop()


async def test_fake_refuses_a_reused_refresh_token() -> None:
    async with FakeZaloOA() as fake, aiohttp.ClientSession() as http:
        form = {"refresh_token": fake.refresh_token, "app_id": fake.app_id, "grant_type": "refresh_token"}
        for expected in (True, False):
            async with http.post(
                f"{fake.base_url}/v4/oa/access_token", data=form, headers={"secret_key": fake.secret_key}
            ) as response:
                assert ("access_token" in await response.json()) is expected


async def test_a_refused_refresh_keeps_the_live_token_without_hammering_oauth(
    db_url: str, settings_for, manual_clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # After the refusal the keeper looks ten times for a pair another process stored; here none ever comes,
    # so the 2 s of waiting between the looks would prove nothing.
    monkeypatch.setattr(tokens, "ADOPT_WAIT", 0.01)
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        manual_clock.advance(timedelta(hours=24, minutes=30))
        oa.fake.fail_next("oa/access_token", -14014)  # e.g. the refresh token expired after three months
        channel = town.app.channels["zalo_oa"]  # type: ignore[union-attr]
        for _ in range(3):
            await channel.deliver(oa.user_id, Reply("vẫn gửi được"))  # the current token still works
        assert (
            len(oa.fake.calls("oa/access_token")) == 2
        )  # one seed refresh, one refused: not one per message
        assert oa.fake.texts_to(oa.user_id)[-1] == "vẫn gửi được"


async def test_new_tokens_in_the_settings_replace_the_stored_pair(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        version = (await stored_tokens(town))[2]
        # The operator authorized the app again and put the new pair into the environment.
        oa.fake.refresh_token = "oa-refresh-renewed"
        town.settings = town.settings.model_copy(
            update={"zalo_oa_refresh_token": SecretStr("oa-refresh-renewed")}
        )
        await town.restart()
        await oa.say("/trogiup")
        assert "oa-refresh-renewed" in oa.fake.used_refresh_tokens
        assert (await stored_tokens(town))[2] > version
