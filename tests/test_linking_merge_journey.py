"""Linking two chat accounts of one person who had already asked for the same household from each of them
(moved here from walk R): the merge must fold the two memberships into one instead of failing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from models import Person
from models.pledges import HouseholdMember
from tests.conftest import Town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_pledges import address_of


@pytest.fixture
async def son(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[dict[str, Any]]:
    son_tg = TelegramDriver(user_id=5551234, first_name="Hùng")
    son_oa = ZaloOADriver(user_id="4410000000000000088")
    overrides = {**(await son_tg.serve()), **(await son_oa.serve())}
    town = Town(settings_for(db_url, **overrides))
    try:
        await town.start()
        for d in (son_tg, son_oa):
            await d.start(town)
        yield {"town": town, "tg": son_tg, "oa": son_oa}
    finally:
        await town.close()
        await son_tg.stop()
        await son_oa.stop()


async def onboard(driver: Any, code: str) -> None:
    await driver.say(f"/thamgia {code}")
    await driver.press("Tiếng Việt")
    await driver.press(next(c for c in driver.choices() if "đồng ý" in c.lower()))


async def ask_household(driver: Any, town: Town, start: str) -> None:
    out = await driver.say("/hocuatoi")
    out += await driver.say(await address_of(town, start))
    out += await driver.press(next(c for c in driver.choices() if start in c))
    if any("họ tên" in t for t in out):
        await driver.say("Trần Văn Hùng")


async def confirm_pending(town: Town, leader: Any, address_start: str) -> None:
    await town.drain()
    pushed = await leader.poll()
    leader.seen += pushed
    request = next(m for m in pushed if address_start in m["text"] and m["choices"])
    await leader.press(request["choices"][0]["payload"])
    await town.drain()


async def link(tg: TelegramDriver, oa: ZaloOADriver) -> str:
    out = await tg.say("/lienket")
    code = next(line for t in out for line in t.splitlines() if line.startswith("/lienket "))
    return "\n".join(await oa.say(code))


async def members(town: Town) -> list[HouseholdMember]:
    assert town.app is not None
    async with town.app.db.session() as session:
        return list((await session.exec(select(HouseholdMember))).all())


async def test_son_links_zalo_after_asking_for_the_same_household_on_both(son: dict[str, Any]) -> None:
    """Confirmed on Telegram, still waiting on Zalo: linking gives one person, one confirmed membership (the
    leader's confirmation is not lost to the pending request), and /hocuatoi on Zalo shows his household."""
    town, tg, oa = son["town"], son["tg"], son["oa"]
    tam = await town.join("Tâm", role="group_admin")
    await onboard(tg, await town.invite("resident"))
    await ask_household(tg, town, "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    await onboard(oa, await town.invite("resident"))
    await ask_household(oa, town, "Số 121,")
    assert len(await members(town)) == 2

    text = await link(tg, oa)
    assert "đã được liên kết" in text, text
    (member,) = await members(town)
    assert member.confirmed_at is not None and town.app is not None
    async with town.app.db.session() as session:
        people = (await session.exec(select(Person))).all()
    assert member.person_id in {p.id for p in people} and len(people) == 2  # the son and the leader
    mine = "\n".join(await oa.say("/hocuatoi"))
    assert "Số 121" in mine, mine


async def test_pending_on_telegram_confirmed_on_zalo_keeps_the_confirmation(son: dict[str, Any]) -> None:
    """The other way round: the account that is kept only has the pending request; the confirmed one wins."""
    town, tg, oa = son["town"], son["tg"], son["oa"]
    tam = await town.join("Tâm", role="group_admin")
    await onboard(oa, await town.invite("resident"))
    await ask_household(oa, town, "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    await onboard(tg, await town.invite("resident"))
    await ask_household(tg, town, "Số 121,")

    text = await link(tg, oa)  # the Telegram person is kept, the Zalo one folds into it
    assert "đã được liên kết" in text, text
    (member,) = await members(town)
    assert member.confirmed_at is not None
    mine = "\n".join(await tg.say("/hocuatoi"))
    assert "Số 121" in mine and "chờ" not in mine.lower(), mine
