"""The sender through the real Telegram adapter against FakeTelegram enforcing Telegram's flood limits."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import PIL.Image
import pytest
from sqlmodel import col, select

from bot import clock
from bot.core.replies import Choice, Media, Reply
from bot.delivery.outbox import enqueue_to_person
from models import ChannelIdentity, OutboxMessage, OutboxStatus, Person, Priority, Role, RoleGrant
from tests.conftest import Town
from tests.drivers import driver_town, pick
from tests.drivers.telegram import TelegramDriver
from tests.fakes.telegram_server import FakeTelegram


async def onboard(driver: TelegramDriver) -> None:
    """Hùng joins Tổ 3 of Khóm 2 in Phường Cao Lãnh, through the wire, one step right after the other."""
    await driver.say("/start")
    await driver.press("Tiếng Việt")
    await driver.press("Tôi đồng ý")
    await driver.say("cao lanh")
    await driver.press(pick(driver.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await driver.press("Khóm 2")
    await driver.press("Tổ 3")


@pytest.fixture
async def tg(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Town, TelegramDriver]]:
    """Hùng, onboarded, and a fake Telegram enforcing its flood limits from then on.

    The onboarding itself goes at the fake's full speed: at Telegram's pace (3 messages per 3 s in one chat)
    its ten replies meet two 429s and wait 6 s in all, which the test of a quick onboarding checks once, and
    would leave the chat's burst allowance used up for another 3 s.
    """
    fake = FakeTelegram()
    await fake.start()
    driver = TelegramDriver(first_name="Hùng", fake=fake)
    try:
        async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
            await onboard(driver)
            # Nothing was counted while the limits were off: every window starts empty, as for a quiet chat.
            fake.enforce_limits = True
            yield town, driver
    finally:
        await fake.stop()


async def hung(town: Town) -> Person:
    assert town.app is not None
    async with town.app.db.session() as session:
        identity = (
            await session.exec(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
        ).one()
        person = await session.get(Person, identity.person_id)
        assert person is not None
        return person


async def push(town: Town, person: Person, text: str, key: str, choices: tuple[Choice, ...] = ()) -> None:
    assert town.app is not None
    async with town.app.db.session() as session:
        await enqueue_to_person(
            session,
            person,
            lambda: Reply(text, choices),
            kind="alert",
            dedupe_key=key,
            priority=Priority.URGENT,
        )
        await session.commit()


def sends(fake: FakeTelegram) -> list[Any]:
    return [r for r in fake.requests if r.method == "sendMessage"]


async def test_a_quick_onboarding_at_telegrams_per_chat_pace_loses_no_reply(
    db_url: str, settings_for: Any
) -> None:
    """Direct replies are not paced by us: one Telegram refuses is sent again after the pause it asks for."""
    fake = FakeTelegram(enforce_limits=True)
    await fake.start()
    driver = TelegramDriver(first_name="Hùng", fake=fake)
    try:
        async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
            await onboard(driver)  # every step finds the buttons the step before it sent
            person = await hung(town)
            assert town.app is not None
            async with town.app.db.session() as session:
                grants = (await session.exec(select(RoleGrant).where(RoleGrant.person_id == person.id))).all()
            assert [(g.role, g.group_id is not None) for g in grants] == [(Role.RESIDENT, True)]
    finally:
        await fake.stop()
    refused = [r for r in sends(fake) if r.outcome == "rate_limited"]
    assert refused  # the onboarding went faster than one chat's 3 messages per 3 s
    for no in refused:
        again = next(r for r in sends(fake) if r.at > no.at and r.params["text"] == no.params["text"])
        pause = no.response["parameters"]["retry_after"]  # type: ignore[index]
        assert again.ok and again.at - no.at >= pause


async def test_four_alerts_to_one_chat_keep_telegrams_per_chat_pace_without_a_429(
    tg: tuple[Town, TelegramDriver],
) -> None:
    town, driver = tg
    person = await hung(town)
    before = len(sends(driver.fake))
    for n in range(4):
        await push(town, person, f"Cảnh báo {n + 1}", f"a{n}", (Choice("Tôi đã đọc", f"drill:{n}"),))
    started = time.monotonic()
    assert await town.drain() == 4
    new = sends(driver.fake)[before:]
    assert [r.params["text"] for r in new] == [f"Cảnh báo {n}" for n in range(1, 5)]
    assert all(r.ok for r in new), [r.response for r in new]  # paced by us, never refused by Telegram
    assert new[3].at - new[0].at >= 3.0 and time.monotonic() - started >= 3.0  # a burst of 3, then 1/s
    assert new[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "drill:3"


async def test_a_429_from_telegram_pauses_the_bot_then_the_row_goes_out(
    tg: tuple[Town, TelegramDriver],
) -> None:
    town, driver = tg
    person = await hung(town)
    driver.fake.fail_next("sendMessage", 429, retry_after=1)
    await push(town, person, "Cảnh báo cháy nổ", "r1")
    assert await town.drain() == 0
    assert town.app is not None
    async with town.app.db.session() as session:
        row = (await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "r1"))).one()
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.error  # the reason Telegram gave
    refused_at = sends(driver.fake)[-1].at
    await asyncio.sleep(max(0.0, (row.not_before - clock.now()).total_seconds()))
    sent = 0
    for _attempt in range(
        50
    ):  # the bot-wide pause ends by the sender's own clock: on a busy host, a moment later
        sent = await town.drain()
        if sent:
            break
        await asyncio.sleep(0.1)
    assert sent == 1
    last = sends(driver.fake)[-1]
    assert last.ok and last.at - refused_at >= 1.0  # never before the pause Telegram asked for


async def test_a_user_who_blocked_the_bot_is_marked_unreachable_and_not_asked_again(
    tg: tuple[Town, TelegramDriver],
) -> None:
    town, driver = tg
    person = await hung(town)
    driver.fake.block_user(driver.user_id)
    await push(town, person, "Cảnh báo lừa đảo", "u1")
    assert await town.drain() == 0
    assert town.app is not None
    async with town.app.db.session() as session:
        identity = (
            await session.exec(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
        ).one()
        assert identity.unreachable_at is not None and "blocked" in (identity.unreachable_reason or "")
        session.add(
            OutboxMessage(
                kind="alert",
                person_id=person.id,
                channel="telegram",
                chat_id=identity.chat_id,
                payload=Reply("Second").to_payload(),
                dedupe_key="u2",
            )
        )
        await session.commit()
    asked = len(sends(driver.fake))
    assert await town.drain() == 0
    assert len(sends(driver.fake)) == asked  # skipped without calling Telegram
    async with town.app.db.session() as session:
        rows = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.dedupe_key).in_(["u1", "u2"])))
        ).all()
    assert {r.status for r in rows} == {OutboxStatus.SKIPPED}


async def test_paid_broadcast_is_asked_for_only_when_configured(db_url: str, settings_for: Any) -> None:
    fake = FakeTelegram()
    await fake.start()
    driver = TelegramDriver(first_name="Lan", fake=fake)
    try:
        async with driver_town(
            driver, settings_for, db_url, delivery_enabled=False, telegram_paid_broadcast=True
        ):
            await driver.say("/start")  # a direct reply: sent through the same adapter
            person_replies = [r.params for r in fake.requests if r.method == "sendMessage"]
            assert person_replies and all(p.get("allow_paid_broadcast") is True for p in person_replies)
    finally:
        await fake.stop()
    free = FakeTelegram()
    await free.start()
    driver = TelegramDriver(first_name="Lan", fake=free)
    try:
        async with driver_town(driver, settings_for, db_url, delivery_enabled=False):
            await driver.say("/start")
            assert all(
                "allow_paid_broadcast" not in r.params for r in free.requests if r.method == "sendMessage"
            )
    finally:
        await free.stop()


async def test_a_photo_is_uploaded_as_a_file_and_a_long_caption_follows_with_the_buttons(
    tg: tuple[Town, TelegramDriver],
) -> None:
    """Uploads go through the adapter's own HTTP transport (multipart), like a tip's photos sent to the police."""
    town, driver = tg
    assert town.app is not None
    image = io.BytesIO()
    PIL.Image.new("RGB", (32, 24), (200, 30, 30)).save(image, format="PNG")
    caption = "Ảnh hiện trường, đường Nguyễn Huệ. " * 40  # longer than Telegram's 1,024-character caption
    reply = Reply(
        "Cảnh báo mới",
        (Choice("Tôi đã đọc", "ack:9"),),
        (Media("image", data=image.getvalue(), filename="hien-truong.png", caption=caption),),
    )
    ids = await town.app.channels["telegram"].deliver(str(driver.user_id), reply)
    calls = [r for r in driver.fake.requests if r.method in {"sendMessage", "sendPhoto"}][-3:]
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto", "sendMessage"] and len(ids) == 3
    photo = calls[1].params
    assert photo["photo"]["data"] == image.getvalue() and photo["photo"]["filename"] == "hien-truong.png"
    assert "caption" not in photo and "reply_markup" not in photo
    assert calls[2].params["text"].strip() == caption.strip()
    assert calls[2].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Tôi đã đọc", "callback_data": "ack:9"}]]
    }
