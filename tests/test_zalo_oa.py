"""The Zalo OA channel against the loopback fake: signed webhooks, button templates, tokens, errors, media."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from bot.channels.base import Permanent, RetryAfter, Transient, Unreachable
from bot.channels.zalo_oa.webhook import signature
from bot.core.events import Kind
from bot.core.replies import Choice, Media, Reply
from bot.delivery.outbox import enqueue_to_person
from models import ChannelIdentity, OutboxMessage, OutboxStatus, Person, ProcessedUpdate, ZaloOACredentials
from tests.drivers import driver_town, record_events
from tests.drivers.zalo_oa import ZaloOADriver, buttons_of
from tests.fakes._common import dumps

WARD = "Phường Cao Lãnh, Tỉnh Đồng Tháp"
VECTOR_BODY = (
    b'{"app_id":"3608465248940903967","sender":{"id":"246845883529197922"},'
    b'"user_id_by_app":"552177279717587730","recipient":{"id":"388613280878808645"},'
    b'"event_name":"user_send_text","message":{"text":"xin chao","msg_id":"96d3cdf3af150460909"},'
    b'"timestamp":"1700000000000"}'
)
VECTOR_MAC = "mac=7c3c4375e34ad414c95aa9e0f30ce47a776a0df9d102e814edd52fe1eaed76a1"


async def count(town: Any, model: Any) -> int:
    async with town.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def stored_tokens(town: Any) -> tuple[str, str, int]:
    async with town.app.db.session() as session:
        row = (await session.exec(select(ZaloOACredentials))).one()
    keyring = town.app.keyring
    return (
        keyring.unseal("zalo-oa-token", row.access_token).decode(),
        keyring.unseal("zalo-oa-token", row.refresh_token).decode(),
        row.version,
    )


async def raw_post(url: str, body: bytes, mac: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if mac is not None:
        headers["X-ZEvent-Signature"] = mac
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        return response.status


async def test_signature_vector_and_refused_events(db_url: str, settings_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert signature("3608465248940903967", VECTOR_BODY, "1700000000000", "OA_SECRET_TEST") == VECTOR_MAC
    oa = ZaloOADriver(user_id="246845883529197922")
    # The documented vector was signed in 2023 (a window that long is refused at start-up): the webhook's clock
    # reads a minute after it.
    monkeypatch.setattr("bot.channels.zalo_oa.channel.time", SimpleNamespace(time=lambda: 1_700_000_060.0))
    async with driver_town(oa, settings_for, db_url) as town:
        vector = json.loads(VECTOR_BODY)
        assert dumps(vector).encode() == VECTOR_BODY  # the fake sends exactly the documented bytes
        url = oa.webhook_url
        reserialised = json.dumps(vector, indent=1).encode()
        assert await raw_post(url, VECTOR_BODY, None) == 401
        assert await raw_post(url, VECTOR_BODY, VECTOR_MAC[:-1] + "0") == 401
        assert await raw_post(url, reserialised, VECTOR_MAC) == 401  # the raw bytes are signed, not the JSON
        assert await oa.post(vector, bad_signature=True) == 401
        assert await raw_post(url, b"{broken", VECTOR_MAC) == 400
        await asyncio.sleep(0.2)
        assert await count(town, ProcessedUpdate) == 0 and oa.sent() == []  # nothing processed

        assert oa.fake.webhook_posts[-1]["headers"]["X-ZEvent-Signature"] != VECTOR_MAC  # the bad one
        replies = await oa.inject(vector)
        assert oa.fake.webhook_posts[-1]["headers"]["X-ZEvent-Signature"] == VECTOR_MAC
        assert replies and oa.choices() == ["Tiếng Việt", "English"]
        sent = len(oa.sent())
        assert await oa.post(vector) == 200  # Zalo redelivers: handled once
        oa._done.discard("96d3cdf3af150460909")
        await oa.settle("96d3cdf3af150460909")
        assert len(oa.sent()) == sent
        assert await count(town, ProcessedUpdate) == 1


async def test_onboarding_with_button_templates_and_numbered_fallback(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        (buttons,) = [buttons_of(m) for m in oa.sent()[-1:]]
        assert [b["title"] for b in buttons] == ["Tiếng Việt", "English"]
        assert all(b["type"] == "oa.query.hide" and b["payload"].startswith("#lang:") for b in buttons)
        await oa.press("Tiếng Việt")  # the payload comes back as text
        await oa.say("toi dong y")  # a label typed without accents
        assert await count(town, Person) == 1
        await oa.say("cao lanh")
        await town.restart()
        await oa.press(WARD)
        assert "Khóm 2" in oa.choices()
        await oa.press("Khóm 2")
        message = oa.sent()[-1]
        # 16 groups: the first five as buttons, the rest numbered on from 6 under the question
        assert [b["title"] for b in buttons_of(message)] == ["Tổ 1", "Tổ 2", "Tổ 3", "Tổ 4", "Tổ 5"]
        assert (
            "6. Tổ 6" in message["text"]
            and "16. Tổ 16" in message["text"]
            and "1. Tổ 1" not in message["text"].splitlines()
        )
        replies = await oa.say("12")  # a number past the buttons reads the same list
        assert "Tổ 12, Khóm 2, " + WARD in "\n".join(replies)
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (await session.exec(select(ChannelIdentity))).one()
        assert identity.channel == "zalo_oa" and identity.external_user_id == oa.user_id


async def test_error_codes_become_delivery_errors(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        channel = town.app.channels["zalo_oa"]  # type: ignore[union-attr]
        cases: list[tuple[int, type[Exception]]] = [
            (-32, RetryAfter),
            (-211, Transient),
            (-234, RetryAfter),
            (-213, Unreachable),
            (-217, Unreachable),
            (-233, Permanent),
            (-201, Permanent),
        ]
        for code, expected in cases:
            oa.fake.fail_next("message/cs", code)
            with pytest.raises(expected) as raised:
                await channel.deliver(oa.user_id, Reply("x"))
            if code == -211:
                assert isinstance(raised.value, RetryAfter) and raised.value.seconds >= 3600
            if code == -234:
                assert 0 < raised.value.seconds <= 24 * 3600  # type: ignore[attr-defined]

        calls = len(oa.fake.calls("message/cs"))
        oa.fake.fail_next("message/cs", -230)
        with pytest.raises(Unreachable) as raised:
            await channel.deliver(oa.user_id, Reply("Cảnh báo"))
        assert "7 days" in raised.value.reason
        assert len(oa.fake.calls("message/cs")) == calls + 1  # tried once, not retried


async def test_no_interaction_for_seven_days_marks_the_identity_unreachable(
    db_url: str, settings_for
) -> None:  # type: ignore[no-untyped-def]
    from bot.channels.answer import send_replies

    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        await oa.press("Tiếng Việt")
        await oa.press("Tôi đồng ý")
        oa.fake.interactions[oa.user_id] -= 8 * 86400  # a week of silence on Zalo
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            person = (await session.exec(select(Person))).one()
            await enqueue_to_person(
                session, person, lambda: Reply("Cảnh báo lừa đảo"), kind="alert", dedupe_key="zalo-230-test"
            )
            await session.commit()
        calls = len(oa.fake.calls("message/cs"))
        await town.drain()
        await town.drain()
        assert len(oa.fake.calls("message/cs")) == calls + 1  # tried once by the outbox sender, never again
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            row = (
                await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "zalo-230-test"))
            ).one()
            identity = (await session.exec(select(ChannelIdentity))).one()
        assert row.status == OutboxStatus.SKIPPED and "7 days" in (row.error or "")
        assert identity.unreachable_at is not None
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity.unreachable_at = identity.unreachable_reason = None
            session.add(identity)
            await session.commit()

        # A direct reply that hits -230 is recorded the same way, and the rest of that answer is not attempted.
        await send_replies(
            town.app,
            town.app.channels["zalo_oa"],
            oa.user_id,  # type: ignore[arg-type, union-attr]
            [Reply("a"), Reply("b")],
            "vi",
        )
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (await session.exec(select(ChannelIdentity))).one()
        assert identity.unreachable_at is not None and "-230" in (identity.unreachable_reason or "")
        assert [r.params["message"]["text"] for r in oa.fake.calls("message/cs")][-1] == "a"  # "b" not tried

        await oa.post(oa.fake.follow(oa.user_id))
        await oa.settle(f"follow:{oa.fake.webhook_posts[-1]['event']['timestamp']}")
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            assert (await session.exec(select(ChannelIdentity))).one().unreachable_at is None
        unfollow = oa.fake.unfollow(oa.user_id)
        await oa.post(unfollow)
        await oa.settle(f"unfollow:{unfollow['timestamp']}")
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (await session.exec(select(ChannelIdentity))).one()
        assert identity.unreachable_reason == "unfollowed the OA"


async def test_media_and_location_arrive_as_neutral_events(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        app = town.app
        assert app is not None
        seen = record_events(app)
        url = oa.fake.host_file(b"\xff\xd8 broken lamp", "image/jpeg", "lamp.jpg")
        await oa.inject(oa.fake.user_send_image(oa.user_id, url, text="đèn hỏng"))
        event = seen[-1]
        assert event.kind == Kind.MEDIA and event.text == "đèn hỏng" and event.attachments[0].kind == "photo"
        assert await app.channels["zalo_oa"].download(event.attachments[0]) == b"\xff\xd8 broken lamp"

        await oa.inject(oa.fake.user_send_location(oa.user_id, 10.4601, 105.6329))
        assert seen[-1].kind == Kind.LOCATION and seen[-1].location.latitude == pytest.approx(10.4601)

        doc = oa.fake.host_file(b"%PDF", "application/pdf", "a.pdf")
        await oa.inject(oa.fake.user_send_file(oa.user_id, doc, "bien-ban.pdf", 4))
        assert seen[-1].attachments[0].kind == "file" and seen[-1].attachments[0].filename == "bien-ban.pdf"

        handled = len(seen)
        replies = await oa.inject(oa.fake.user_send_file(oa.user_id, doc, "video.mp4", 200 * 1024 * 1024))
        assert len(seen) == handled and "10 MB" in replies[-1]  # refused with a clear message, not dispatched


async def test_long_text_split_buttons_last_and_photos_uploaded(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        await oa.say("xin chào")
        channel = town.app.channels["zalo_oa"]  # type: ignore[union-attr]
        text = "x" * 2500
        before = len(oa.sent())
        await channel.deliver(oa.user_id, Reply(text, (Choice("Có", "yn:yes"), Choice("Không", "yn:no"))))
        first, second = oa.sent()[before:]
        assert len(first["text"]) == 2000 and first["text"] + second["text"] == text
        assert not buttons_of(first) and [b["title"] for b in buttons_of(second)] == ["Có", "Không"]

        ref = await town.app.media.put(b"\x89PNG scene", "image/png", "scene.png")  # type: ignore[union-attr]
        await channel.deliver(oa.user_id, Reply("", media=(Media("image", url=ref, caption="Hiện trường"),)))
        message = oa.sent()[-1]
        element = message["attachment"]["payload"]["elements"][0]
        assert (
            message["text"] == "Hiện trường"
            and oa.fake.attachments[element["attachment_id"]] == b"\x89PNG scene"
        )
