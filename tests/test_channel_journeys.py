"""One journey, every channel: onboard, get help, cancel a form midway, and resume after a restart.

The journey is written once against the ChatDriver interface (tests/drivers) and runs on each channel's
driver: the web chat, Telegram (polling and webhook) and, as their drivers are added, Zalo Bot and Zalo OA.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlmodel import select

from models import ChannelIdentity, RoleGrant
from tests.drivers import ChatDriver, driver_town, pick
from tests.drivers.telegram import TelegramDriver
from tests.drivers.web import WebDriver

# One factory per channel; a new channel adds one line here.
DRIVERS: list[tuple[str, Callable[[], ChatDriver]]] = [
    ("web", WebDriver),
    ("telegram", TelegramDriver),
    ("telegram-webhook", lambda: TelegramDriver(webhook=True)),
    ("zalo_bot", __import__("tests.drivers.zalo_bot", fromlist=["ZaloBotDriver"]).ZaloBotDriver),
    ("zalo_oa", __import__("tests.drivers.zalo_oa", fromlist=["ZaloOADriver"]).ZaloOADriver),
]


@pytest.fixture(params=[factory for _name, factory in DRIVERS], ids=[name for name, _factory in DRIVERS])
async def chat(
    request: pytest.FixtureRequest, db_url: str, settings_for: Any
) -> AsyncIterator[tuple[Any, ChatDriver]]:
    driver = request.param()
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def test_onboard_help_cancel_and_resume_after_restart(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    replies = await person.say("/start")
    assert "Chọn ngôn ngữ / Choose your language" in joined(replies)
    assert person.choices() == ["Tiếng Việt", "English"]

    replies = await person.press("Tiếng Việt")
    assert "Không lưu gì cho đến khi anh/chị đồng ý" in joined(replies)
    await person.press("Tôi đồng ý")

    replies = await person.say("cao lanh")  # typed without accents
    assert "Có phải một trong các nơi sau?" in joined(replies)
    await person.press(pick(person.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    assert "Khóm 2" in person.choices()

    await town.restart()  # a deploy between two questions: the form continues where it was
    replies = await person.press("Khóm 2")
    assert "Anh/chị ở tổ nào trong khu dân cư?" in joined(replies)
    assert len(person.choices()) == 16
    replies = await person.press("Tổ 3")
    assert "Tổ 3, Khóm 2, Phường Cao Lãnh, Tỉnh Đồng Tháp" in joined(replies)

    replies = await person.say("/help")
    text = joined(replies)
    assert "Tổ 3, Khóm 2" in text and "/ngonngu" in text and "/lienket" in text

    replies = await person.say("/lang")
    assert person.choices() == ["Tiếng Việt", "English"]
    replies = await person.say("/huy")
    assert "Đã hủy" in joined(replies)
    replies = await person.say("/huy")
    assert "Đã hủy" not in joined(replies)  # nothing left to cancel

    assert town.app is not None
    async with town.app.db.session() as session:
        identities = (await session.exec(select(ChannelIdentity))).all()
        grants = (await session.exec(select(RoleGrant))).all()
    assert len(identities) == 1 and person.name.startswith(identities[0].channel)  # "telegram-webhook" too
    assert [(g.role, g.revoked_at) for g in grants] == [("resident", None)]
