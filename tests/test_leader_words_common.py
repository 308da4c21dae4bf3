"""Shared steps of walk L (no tests here): Bác Tư, 68, leader of Tổ 3, Khóm 2, on the ward's Zalo Official Account
only, who types words (without accents) more often than he presses. The ward admin, the police and the residents use
the web chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.drivers import driver_town
from tests.drivers.zalo_oa import ZaloOADriver


@pytest.fixture
async def oa(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloOADriver]]:
    """The demo ward with Bác Tư's Zalo OA; pushes go out only through `town.drain()`."""
    driver = ZaloOADriver(user_id="4410000000000000304")
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


def said(replies: list[str]) -> str:
    return "\n".join(replies)


def since(tu: ZaloOADriver, mark: int) -> str:
    return "\n".join(str(m.get("text") or "") for m in tu.sent()[mark:])


async def bac_tu_joins(town: Any, tu: ZaloOADriver) -> None:
    """Bác Tư opens the leader invite the ward gave him and types every answer."""
    code = await town.invite("group_admin")
    await tu.say(f"/thamgia {code}")
    await tu.say("tieng viet")
    assert "tổ trưởng của Tổ 3" in said(await tu.say("dong y"))


async def reports_on(town: Any) -> Any:
    """The ward admin switches the periodic reports on with the defaults (weekly, due Friday 17:00)."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    return admin
