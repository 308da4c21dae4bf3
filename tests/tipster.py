"""The tipster of the thirteenth session's walks, shared by their journeys: a woman who sends an anonymous tip about
drug dealing in her alley, on the Zalo Bot (numbered lines, no buttons) or on Telegram, typing every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.drivers import ChatDriver, driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import texts
from tests.test_tips import CODE, photo_with_exif

WORDS = "Tối nào cũng có mấy thằng bán ma túy ở cuối hẻm 14 đường Lê Lợi, đi xe wave xanh"


@pytest.fixture(params=[ZaloBotDriver, TelegramDriver], ids=["zalo_bot", "telegram"])
async def chat(
    request: pytest.FixtureRequest, db_url: str, settings_for: Any
) -> AsyncIterator[tuple[Any, Any]]:
    driver = request.param()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


@pytest.fixture
async def zalo(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloBotDriver]]:
    driver = ZaloBotDriver(display_name="Bà Sáu")
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


async def drug_tip(person: ChatDriver, *, photo: bool = True) -> str:
    """The anonymous tip, typed as she types: the words, a photo without caption, Done, the alley, "often", her
    ward, anonymous, replies allowed, Send. Its receipt code."""
    for typed in ("/togiac", "ma túy", WORDS):
        await person.say(typed)
    if photo:
        await person.send_photo(photo_with_exif())
    for typed in ("xong", "hẻm 14 Lê Lợi", "thường xuyên", "1", "ẩn danh", "có"):
        await person.say(typed)
    sent = texts(await person.say("gửi"))
    found = CODE.search(sent)
    assert found, sent
    return found.group(0)
