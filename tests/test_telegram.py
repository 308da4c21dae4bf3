"""Telegram journeys: the real PTB Application of the app against the fake Bot API server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from bot.channels.base import Permanent, RetryAfter, Transient, Unreachable
from bot.core.events import Incoming, Kind
from bot.core.replies import Choice, Media, Reply
from bot.delivery.outbox import enqueue_to_chat
from models import LinkedChat, ProcessedUpdate
from tests.drivers import driver_town, pick
from tests.drivers.telegram import TelegramDriver

GROUP_CHAT = -100777


@pytest.fixture
async def tg(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, TelegramDriver]]:
    driver = TelegramDriver(first_name="Hùng")
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


@pytest.fixture
async def tg_webhook(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, TelegramDriver]]:
    driver = TelegramDriver(webhook=True)
    async with driver_town(driver, settings_for, db_url, telegram_webhook_secret="s3cret-hook") as town:
        yield town, driver


async def onboard(person: TelegramDriver) -> None:
    await person.say("/start")
    await person.press("Tiếng Việt")
    await person.press("Tôi đồng ý")
    await person.say("cao lanh")
    await person.press(pick(person.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await person.press("Khóm 2")
    await person.press("Tổ 3")


async def count(town: Any, model: Any) -> int:
    async with town.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_onboarding_with_inline_buttons_answers_and_marks_each_press(
    tg: tuple[Any, TelegramDriver],
) -> None:
    town, hung = tg
    fake = hung.fake
    assert town.app.channels["telegram"].username == "andan_test_bot"
    menus = {
        lang: [c["command"] for c in cmds]
        for (scope, lang), cmds in fake.commands.items()
        if "all_group_chats" not in scope
    }
    assert (
        "trogiup" in menus[""] and "trogiup" in menus["vi"] and "help" in menus["en"] and "huy" in menus["vi"]
    )

    await hung.say("/start")
    language_message = max(mid for (chat, mid) in fake.state.messages if chat == hung.user_id)
    replies = await hung.press("Tiếng Việt")
    assert "Không lưu gì cho đến khi anh/chị đồng ý" in "\n".join(replies)
    assert fake.calls("answerCallbackQuery") and all(fake.callback_queries.values())  # every press answered
    pressed = fake.message(hung.user_id, language_message)
    assert pressed is not None and "reply_markup" not in pressed and pressed["text"].endswith("✓ Tiếng Việt")
    assert fake.last_keyboard(hung.user_id) == [
        [{"text": "Tôi đồng ý", "callback_data": "consent:yes"}],
        [{"text": "Tôi không đồng ý", "callback_data": "consent:no"}],
    ]
    await hung.press("Tôi đồng ý")
    await hung.say("cao lanh")
    await hung.press(pick(hung.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await hung.say("2")  # typing the number works like pressing the second button ("Khóm 2")
    replies = await hung.press("Tổ 3")
    assert "Tổ 3, Khóm 2, Phường Cao Lãnh, Tỉnh Đồng Tháp" in "\n".join(replies)
    # An old button pressed again repeats nothing: the language it names is the one spoken already.
    replies = await hung.inject(lambda: fake.user_press(hung.user_id, "lang:vi", language_message))
    assert replies == ["Tôi đang nói tiếng Việt với anh/chị rồi."], replies


async def test_a_redelivered_update_is_handled_once(tg: tuple[Any, TelegramDriver]) -> None:
    town, hung = tg
    await onboard(hung)
    assert await hung.say("/help")
    before = await count(town, ProcessedUpdate)
    index = len(hung.fake.requests)
    update = hung.fake.inject_duplicate_last()
    await hung.settle(update["update_id"])
    assert hung.sent_since(index) == []
    assert await count(town, ProcessedUpdate) == before


async def test_webhook_checks_the_secret_and_the_body(tg_webhook: tuple[Any, TelegramDriver]) -> None:
    town, lan = tg_webhook
    fake = lan.fake
    assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret-hook"
    assert fake.webhook["url"] == f"http://127.0.0.1:{lan.port}/webhook/telegram"
    replies = await lan.say("/start")  # pushed by the fake with the secret header
    assert lan.choices() == ["Tiếng Việt", "English"] and replies

    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 9,
            "date": 0,
            "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"},
            "text": "/start",
        },
    }
    url = fake.webhook["url"]
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as missing:
            assert missing.status == 401
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}) as wrong:
            assert wrong.status == 403
        async with http.post(
            url,
            data=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-hook", "Content-Type": "application/json"},
        ) as bad:
            assert bad.status == 400
        async with http.post(
            url, json=[1, 2], headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-hook"}
        ) as odd:
            assert odd.status == 400
    async with town.app.db.session() as session:
        keys = (await session.exec(select(ProcessedUpdate.update_key))).all()
    assert "999001" not in keys and fake.messages_to(77) == []


async def test_group_chat_linked_by_its_leader_receives_pushes(tg: tuple[Any, TelegramDriver]) -> None:
    town, leader = tg
    code = await town.invite("group_admin")
    await leader.say(f"/start {code}")
    await leader.press("Tiếng Việt")
    await leader.press("Tôi đồng ý")
    replies = await leader.say("/lienketnhom")
    link_code = next(line for line in "\n".join(replies).splitlines() if line.startswith("/lienketnhom "))

    async def in_group(user_id: int, text: str) -> list[str]:
        index = len(leader.fake.requests)
        update = leader.fake.group_text(GROUP_CHAT, user_id, text, title="Tổ 3 Khóm 2")
        await leader.settle(update["update_id"])
        return leader.sent_since(index, GROUP_CHAT)

    stranger = await in_group(9001, link_code)  # someone else in the group cannot use the leader's code
    assert "cho một tài khoản khác" in "\n".join(stranger) or "vai trò khác" in "\n".join(stranger)
    replies = await in_group(leader.user_id, link_code)
    assert "Tổ 3, Khóm 2" in "\n".join(replies)
    async with town.app.db.session() as session:
        chat = (await session.exec(select(LinkedChat))).one()
        assert (chat.channel, chat.chat_id, chat.purpose) == ("telegram", str(GROUP_CHAT), "community")
        enqueue_to_chat(
            session, chat, Reply("Nhắc lịch họp tổ tối thứ Bảy."), kind="reminder", dedupe_key="t:1"
        )
        await session.commit()
    assert await town.drain() == 1
    assert leader.fake.texts_to(GROUP_CHAT)[-1] == "Nhắc lịch họp tổ tối thứ Bảy."


async def test_private_command_in_a_group_is_moved_to_a_direct_chat(tg: tuple[Any, TelegramDriver]) -> None:
    _town, hung = tg
    await onboard(hung)
    update = hung.fake.group_text(GROUP_CHAT, hung.user_id, "/toi@andan_test_bot")
    await hung.settle(update["update_id"])
    (sent,) = hung.fake.messages_to(GROUP_CHAT)
    assert "trò chuyện riêng" in sent["text"] and "Tổ 3" not in sent["text"]
    button = sent["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/andan_test_bot"
    other_bot = hung.fake.group_text(GROUP_CHAT, hung.user_id, "/toi@some_other_bot")
    await hung.settle(other_bot["update_id"])
    assert len(hung.fake.messages_to(GROUP_CHAT)) == 1  # a command for another bot is not ours


async def test_long_replies_are_split_and_media_uploaded(tg: tuple[Any, TelegramDriver]) -> None:
    town, hung = tg
    channel = town.app.channels["telegram"]
    words = ("Khóm 2 " * 700)[:4097]
    ids = await channel.deliver(str(hung.user_id), Reply(words))
    texts = [t or "" for t in hung.fake.texts_to(hung.user_id)]
    assert len(ids) == 2 and len(texts) == 2 and all(len(t) <= 4096 for t in texts)
    assert " ".join(texts).split() == words.split()

    ref = await town.app.media.put(b"\x89PNG fake", "image/png", "canh-bao.png")
    ids = await channel.deliver(
        str(hung.user_id), Reply("", media=(Media("image", url=ref, caption="Ảnh " * 300),))
    )
    photo, caption = hung.fake.messages_to(hung.user_id)[-2:]
    assert len(ids) == 2 and "caption" not in photo and caption["text"].startswith("Ảnh")
    assert photo["photo"]["data"] == b"\x89PNG fake" and photo["photo"]["filename"] == "canh-bao.png"


async def test_delivery_errors_tell_the_sender_what_to_do(tg: tuple[Any, TelegramDriver]) -> None:
    town, hung = tg
    channel, fake = town.app.channels["telegram"], hung.fake
    fake.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as limited:
        await channel.deliver("42", Reply("a"))
    assert limited.value.seconds == 7
    fake.block_user(43)
    with pytest.raises(Unreachable):
        await channel.deliver("43", Reply("a"))
    fake.fail_next("sendMessage", "chat_not_found")
    with pytest.raises(Permanent):
        await channel.deliver("44", Reply("a"))
    fake.fail_next("sendMessage", "bad_gateway")
    with pytest.raises(Transient):
        await channel.deliver("45", Reply("a"))

    async with town.app.db.session() as session:
        session.add(
            LinkedChat(channel="telegram", chat_id="-4001", ward_code=town_ward(), purpose="community")
        )
        await session.commit()
    fake.fail_next("sendMessage", "migrated", migrate_to_chat_id=-1004001)
    assert await channel.deliver("-4001", Reply("Họp tổ")) == ["1"]
    assert fake.texts_to(-1004001) == ["Họp tổ"]
    async with town.app.db.session() as session:
        assert (await session.exec(select(LinkedChat.chat_id))).one() == "-1004001"


def town_ward() -> int:
    from tests.databases import DEMO_WARD

    return DEMO_WARD


async def test_photos_arrive_as_attachments_and_download(
    tg: tuple[Any, TelegramDriver], monkeypatch: pytest.MonkeyPatch
) -> None:
    town, hung = tg
    await onboard(hung)
    seen: list[Incoming] = []
    dispatcher = town.app.dispatcher
    original = dispatcher.handle

    async def spy(event: Incoming) -> Any:
        seen.append(event)
        return await original(event)

    monkeypatch.setattr(dispatcher, "handle", spy)
    await hung.inject(lambda: hung.fake.user_photo(hung.user_id, b"JPEG-bytes", caption="xe lạ đỗ trước nhà"))
    (event,) = seen
    assert event.kind == Kind.MEDIA and event.text == "xe lạ đỗ trước nhà"
    (photo,) = event.attachments
    assert photo.kind == "photo" and photo.mime_type == "image/jpeg" and photo.size == len(b"JPEG-bytes")
    assert await town.app.channels["telegram"].download(photo) == b"JPEG-bytes"

    await hung.inject(lambda: hung.fake.user_location(hung.user_id, 10.45, 105.63))
    assert seen[-1].kind == Kind.LOCATION and seen[-1].location is not None
    assert seen[-1].location.latitude == 10.45

    await hung.inject(lambda: hung.fake.user_document(hung.user_id, b"%PDF-1.4", "bien-ban.pdf"))
    await hung.inject(lambda: hung.fake.user_voice(hung.user_id, b"OggS voice"))
    await hung.inject(lambda: hung.fake.user_contact(hung.user_id, "0912345678"))
    document, voice, contact = seen[-3:]
    assert (document.attachments[0].kind, document.attachments[0].filename) == ("file", "bien-ban.pdf")
    assert voice.attachments[0].kind == "voice" and voice.attachments[0].mime_type == "audio/ogg"
    assert (
        contact.kind == Kind.CONTACT and contact.contact is not None and contact.contact.phone == "0912345678"
    )
    assert await town.app.channels["telegram"].download(voice.attachments[0]) == b"OggS voice"

    huge = {
        "message_id": 500,
        "date": 0,
        "chat": {"id": hung.user_id, "type": "private"},
        "from": {"id": hung.user_id, "is_bot": False, "first_name": "Hùng"},
        "document": {
            "file_id": "BIG",
            "file_unique_id": "BIGU",
            "file_name": "video.mp4",
            "mime_type": "video/mp4",
            "file_size": 25 * 1024 * 1024,
        },
    }
    replies = await hung.inject(lambda: hung.fake.inject_raw({"message": huge}))
    assert "20 MB" in "\n".join(replies) and len(seen) == 5  # refused before reaching the core


async def test_polling_survives_server_errors_and_group_menu_is_short(tg: tuple[Any, TelegramDriver]) -> None:
    _town, hung = tg
    fake = hung.fake
    fake.fail_next("getUpdates", "bad_gateway", times=2)
    fake.fail_next("sendMessage", 429, retry_after=1)  # a reply rate-limited once is sent after the pause
    replies = await hung.say("/start")
    assert hung.choices() == ["Tiếng Việt", "English"] and len(replies) == 1
    assert [r.status for r in fake.calls("getUpdates")].count(502) == 2
    group_menus = {
        lang: [c["command"] for c in cmds]
        for (scope, lang), cmds in fake.commands.items()
        if "all_group_chats" in scope
    }
    assert "trogiup" in group_menus["vi"] and "lienketnhom" in group_menus["vi"]
    assert "toi" not in group_menus["vi"] and "batdau" not in group_menus[""]


async def test_group_changes_and_unsupported_messages(tg: tuple[Any, TelegramDriver]) -> None:
    town, hung = tg
    async with town.app.db.session() as session:
        session.add(
            LinkedChat(channel="telegram", chat_id="-5005", ward_code=town_ward(), purpose="community")
        )
        await session.commit()
    member = {"user": {"id": hung.fake.bot_id, "is_bot": True, "first_name": "An Dân"}}
    change = {
        "chat": {"id": -5005, "type": "group", "title": "Tổ 3"},
        "date": 0,
        "from": {"id": 1, "is_bot": False, "first_name": "A"},
        "old_chat_member": {**member, "status": "member"},
        "new_chat_member": {**member, "status": "kicked", "until_date": 0},
    }
    await hung.inject(lambda: hung.fake.inject_raw({"my_chat_member": change}))
    (chat,) = await rows(town, LinkedChat)
    assert chat.unreachable_at is not None  # removed from the group: pushes stop there

    migrated = {
        "message_id": 3,
        "date": 0,
        "chat": {"id": -5005, "type": "group", "title": "Tổ 3"},
        "from": {"id": 1, "is_bot": False, "first_name": "A"},
        "migrate_to_chat_id": -1005005,
    }
    await hung.inject(lambda: hung.fake.inject_raw({"message": migrated}))
    (chat,) = await rows(town, LinkedChat)
    assert chat.chat_id == "-1005005"

    added = {
        **change,
        "chat": {"id": -6006, "type": "group", "title": "Tổ 4"},
        "old_chat_member": {**member, "status": "left"},
        "new_chat_member": {**member, "status": "member"},
    }
    await hung.inject(lambda: hung.fake.inject_raw({"my_chat_member": added}))
    (greeting,) = hung.fake.texts_to(-6006)
    assert greeting is not None and "/lienketnhom" in greeting  # a greeting that asks nothing personal

    channel = town.app.channels["telegram"]
    (message_id,) = await channel.deliver(
        "-6006", Reply("Cảnh báo lừa đảo", (Choice("Tôi đã đọc", "ack:1"),))
    )
    update = hung.fake.user_press(9009, "ack:1", int(message_id), chat_id=-6006)
    await hung.settle(update["update_id"])
    still = hung.fake.message(-6006, int(message_id))
    assert still is not None and still["reply_markup"]  # in a group the button stays for everyone else

    sticker = {
        "message_id": 4,
        "date": 0,
        "chat": {"id": hung.user_id, "type": "private"},
        "from": {"id": hung.user_id, "is_bot": False, "first_name": "Hùng"},
        "sticker": {
            "file_id": "S",
            "file_unique_id": "SU",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
    }
    replies = await hung.inject(lambda: hung.fake.inject_raw({"message": sticker}))
    assert "ảnh" in replies[-1] and "/trogiup" in replies[-1]


async def rows(town: Any, model: Any) -> list[Any]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_telegram_down_at_start_is_retried_in_the_background(db_url: str, settings_for: Any) -> None:
    from tests.fakes import FakeTelegram

    async with FakeTelegram() as fake:
        fake.fail_next("getMe", "bad_gateway")
        driver = TelegramDriver(fake=fake)
        async with driver_town(driver, settings_for, db_url) as town:
            assert town.app is not None
            channel: Any = town.app.channels["telegram"]
            assert channel.username is None  # the web chat is up meanwhile
            with pytest.raises(Transient):
                await channel.deliver("1", Reply("x"))
            await fake.wait_for(lambda r: r.method == "getUpdates")  # polling began after the retry
            assert channel.username == "andan_test_bot"
            await driver.say("/start")
            assert driver.choices() == ["Tiếng Việt", "English"]


async def test_an_invite_made_in_the_web_chat_carries_the_telegram_deep_link(
    tg: tuple[Any, TelegramDriver],
) -> None:
    """Each channel says how to open it with an invite code (the channel contract's join_link)."""
    town, _telegram = tg
    assert town.app.channels["telegram"].join_link("ABCD") == "https://t.me/andan_test_bot?start=ABCD"
    assert town.app.channels["web"].join_link("ABCD") is None  # the web link comes from the public address
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/moi")
    await admin.press(admin.choices()[0])  # the role
    await admin.press(admin.choices()[0])  # the area
    replies = await admin.press(admin.choices()[0])  # its first group
    text = "\n".join(m["text"] for m in replies)
    assert "https://t.me/andan_test_bot?start=" in text and "/join/" in text


async def test_webhook_presses_are_answered_in_the_webhook_response(
    tg_webhook: tuple[Any, TelegramDriver],
) -> None:
    """By webhook, Telegram runs the one Bot API method a webhook's response names: each press is acknowledged
    there (a request less per press), never twice, and still marked and answered in the chat."""
    _town, lan = tg_webhook
    await onboard(lan)
    answers = lan.fake.calls("answerCallbackQuery")
    assert len(answers) == 5 and all(rec.path == "webhook reply" and rec.ok for rec in answers)
    assert all(lan.fake.callback_queries.values())  # every press answered
    marked = lan.fake.calls("editMessageText") + lan.fake.calls("editMessageReplyMarkup")
    assert len(marked) == 5  # each pressed question shows what was chosen
