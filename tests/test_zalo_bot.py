"""The Zalo Bot Platform channel against the loopback fake: polling and webhook, numbered choices, media, errors."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from bot.channels.base import Permanent, RetryAfter, Transient, Unreachable
from bot.core.events import Kind
from bot.core.replies import Choice, Media, Reply
from models import ChannelIdentity, Person, ProcessedUpdate
from tests.drivers import driver_town, record_events
from tests.drivers.zalo_bot import ZaloBotDriver, numbered_choices

WARD = "Phường Cao Lãnh, Tỉnh Đồng Tháp"


async def count(town: Any, model: Any) -> int:
    async with town.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def onboard(lan: ZaloBotDriver) -> None:
    await lan.say("xin chào")
    assert lan.choices() == ["Tiếng Việt", "English"]
    await lan.press("Tiếng Việt")  # types "1"
    await lan.say("toi dong y")  # the consent choice's label, typed without accents
    await lan.say("cao lanh")
    await lan.press(WARD)
    await lan.say("khom 2")


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_onboarding_with_numbered_choices_survives_a_restart(
    webhook: bool, db_url: str, settings_for
) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver(webhook=webhook)
    async with driver_town(lan, settings_for, db_url) as town:
        replies = await lan.say("xin chào")
        assert "1. Tiếng Việt\n2. English" in replies[-1]
        assert all(m.get("text") and "reply_markup" not in m for m in lan.sent())  # no buttons on Zalo bots
        await lan.press("Tiếng Việt")
        assert await count(town, Person) == 0  # nothing kept before consent
        await lan.say("toi dong y")
        assert await count(town, Person) == 1
        await lan.say("cao lanh")
        assert WARD in lan.choices()
        await town.restart()
        await lan.press(WARD)
        await lan.say("khom 2")
        assert "Tổ 16" in lan.choices()
        replies = await lan.say("3")
        assert "Tổ 3, Khóm 2, " + WARD in "\n".join(replies)
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (await session.exec(select(ChannelIdentity))).one()
        assert (identity.channel, identity.external_user_id, identity.chat_id) == (
            "zalo_bot",
            lan.user_id,
            lan.user_id,
        )
        if webhook:
            hook = lan.fake.webhook
            assert hook is not None and hook["url"] == f"http://127.0.0.1:{lan.port}/webhook/zalo-bot"
            assert not lan.fake.calls("getUpdates")
        else:
            assert lan.fake.webhook is None and lan.fake.calls("deleteWebhook")


async def test_cancel_mid_flow_and_redelivered_update_handled_once(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        await lan.say("/start")
        replies = await lan.say("/huy")
        assert any("Đã huỷ" in r or "huỷ" in r.lower() or "hủy" in r.lower() for r in replies), replies
        before = len(lan.sent())
        await lan.say("xin chào")
        sent = len(lan.sent())
        assert sent > before
        update = lan.fake.inject_duplicate_last()
        message_id = update["message"]["message_id"]
        lan._done.discard(message_id)
        await lan.settle(message_id)
        assert len(lan.sent()) == sent  # the redelivery was recognised and nothing was answered twice
        assert await count(town, ProcessedUpdate) >= 3


async def webhook_post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bot-Api-Secret-Token"] = secret
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        return response.status


async def test_webhook_refuses_wrong_secret_and_malformed_bodies(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver(webhook=True)
    async with driver_town(lan, settings_for, db_url) as town:
        url = town.server.url + "/webhook/zalo-bot"  # type: ignore[union-attr]
        secret = lan.fake.webhook["secret_token"]  # type: ignore[index]
        assert 8 <= len(secret) <= 256
        body = (
            b'{"event_name":"message.text.received","message":{"message_id":"m-1","date":1,'
            b'"from":{"id":"u-x","display_name":"X"},"chat":{"id":"u-x","chat_type":"PRIVATE"},"text":"/start"}}'
        )
        assert await webhook_post(url, body, None) == 401
        assert await webhook_post(url, body, secret[:-1] + "x") == 401
        assert await webhook_post(url, b"{not json", secret) == 400
        assert await webhook_post(url, b'"just a string"', secret) == 400
        assert (
            await webhook_post(url, b'{"event_name":"message.reaction.received"}', secret) == 200
        )  # ignored
        await asyncio.sleep(0.2)
        assert await count(town, ProcessedUpdate) == 0 and lan.fake.messages_to("u-x") == []
        assert await webhook_post(url, body, secret) == 200
        await lan.fake.wait_sent("u-x")


async def test_photo_from_a_person_is_a_neutral_attachment(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        app = town.app
        assert app is not None
        seen = record_events(app)
        await lan.send_photo(b"\xff\xd8 fallen tree", caption="cây đổ")
        event = seen[-1]
        assert event.kind == Kind.MEDIA and event.text == "cây đổ"
        (attachment,) = event.attachments
        assert attachment.kind == "photo"
        assert await app.channels["zalo_bot"].download(attachment) == b"\xff\xd8 fallen tree"


async def test_long_replies_are_split_and_choices_numbered(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        channel = town.app.channels["zalo_bot"]  # type: ignore[union-attr]
        text = " ".join(f"từ{i}" for i in range(500))  # about 2,900 characters
        await channel.deliver("u-long", Reply(text, (Choice("Có", "yn:yes"), Choice("Không", "yn:no"))))
        parts = lan.fake.texts_to("u-long")
        assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)  # type: ignore[arg-type]
        assert " ".join(parts).startswith(text)  # type: ignore[arg-type]
        assert numbered_choices(parts[-1]) == ["Có", "Không"]  # type: ignore[arg-type]


async def test_stored_photos_go_out_through_a_signed_expiring_link(
    db_url: str, settings_for, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver(webhook=True)
    async with driver_town(lan, settings_for, db_url) as town:
        app = town.app
        assert app is not None
        ref = await app.media.put(b"\x89PNG photo", "image/png", "a.png")
        await app.channels["zalo_bot"].deliver(
            "u-photo", Reply("", media=(Media("image", url=ref, caption="Ảnh"),))
        )
        (sent,) = lan.fake.sent("sendPhoto", chat_id="u-photo")
        assert sent["caption"] == "Ảnh" and sent["photo"].startswith(
            f"http://127.0.0.1:{lan.port}/media/zalo/"
        )
        async with aiohttp.ClientSession() as http:
            async with http.get(sent["photo"]) as response:
                assert response.status == 200 and await response.read() == b"\x89PNG photo"
            async with http.get(sent["photo"].replace("sig=", "sig=0")) as response:
                assert response.status == 404
            manual_clock.advance(timedelta(days=2))
            async with http.get(sent["photo"]) as response:
                assert response.status == 410


async def test_without_a_public_url_a_photo_becomes_its_caption_with_a_note(
    db_url: str, settings_for
) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        ref = await town.app.media.put(b"img", "image/jpeg", "a.jpg")  # type: ignore[union-attr]
        await town.app.channels["zalo_bot"].deliver(  # type: ignore[union-attr]
            "u-note", Reply("Cảnh báo", media=(Media("image", url=ref, caption="Ảnh hiện trường"),))
        )
        texts = lan.fake.texts_to("u-note")
        assert not lan.fake.sent("sendPhoto")
        assert texts[0].startswith("Ảnh hiện trường\n(") and texts[1] == "Cảnh báo"  # type: ignore[union-attr]


async def test_errors_map_to_delivery_errors_and_never_leak_the_token(
    db_url: str, settings_for, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        channel = town.app.channels["zalo_bot"]  # type: ignore[union-attr]
        cases: list[tuple[Any, type[Exception]]] = [
            ("forbidden", Unreachable),
            ("bad_request", Permanent),
            ("server", Transient),
        ]
        for error, expected in cases:
            lan.fake.fail_next("sendMessage", error)
            with pytest.raises(expected):
                await channel.deliver("u-err", Reply("hi"))
        lan.fake.fail_next(
            "sendMessage",
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests",
                "parameters": {"retry_after": 7},
            },
        )
        with pytest.raises(RetryAfter) as paused:
            await channel.deliver("u-err", Reply("hi"))
        assert paused.value.seconds == 7
        lan.fake.fail_next("getUpdates", "server")  # the poller backs off and carries on
        replies = await lan.say("/start")
        assert replies
    secret = lan.fake.token.split(":", 1)[1]
    assert all(
        secret not in record.getMessage() and secret not in str(record.__dict__) for record in caplog.records
    )


async def test_stop_ends_an_open_long_poll_quickly(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url) as town:
        await lan.fake.wait_for(lambda r: r.method == "getUpdates")
        started = asyncio.get_running_loop().time()
        await town.stop()
        assert asyncio.get_running_loop().time() - started < 3


def test_updates_are_read_tolerantly() -> None:
    from bot.channels.zalo_bot.api import to_event, unwrap

    message = {
        "message_id": "m9",
        "date": 1,
        "from": {"id": "u9", "first_name": "Hoa"},
        "chat": {"id": "g1", "chat_type": "GROUP"},
        "text": "/trogiup@andan_bot",
    }
    for body in (
        {"event_name": "message.text.received", "message": message},
        {"ok": True, "result": {"event_name": "message.text.received", "message": message}},
        {"ok": True, "result": [{"event_name": "message.text.received", "message": message}]},
    ):
        (update,) = unwrap(body)
        event = to_event(update)
        assert event is not None and event.is_group and event.chat_id == "g1" and event.user_id == "u9"
        assert event.kind == Kind.COMMAND and event.command == "trogiup" and event.display_name == "Hoa"
        assert event.update_key == "m9"
    photo = {
        **message,
        "chat": {"id": "u9", "chat_type": "PRIVATE"},
        "text": None,
        "photo": "https://cdn/x.jpg",
    }
    event = to_event({"event_name": "message.image.received", "message": photo})
    assert (
        event is not None and event.kind == Kind.MEDIA and event.attachments[0].fetch == "https://cdn/x.jpg"
    )
    assert (
        to_event({"event_name": "message.sticker.received", "message": {**message, "sticker": "s"}}) is None
    )
    assert (
        to_event(
            {
                "event_name": "message.text.received",
                "message": {**message, "from": {"id": "b", "is_bot": True}},
            }
        )
        is None
    )
    assert unwrap({"ok": True}) == [] and unwrap("text") == []
