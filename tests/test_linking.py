"""Linking: one person on the web chat and Telegram (one code, typed once), merges, and group chats of the police."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_to_person
from handlers.linking.ticks import purge_codes
from models import (
    Area,
    AuditEntry,
    ChannelIdentity,
    ConsentRecord,
    Group,
    LinkCode,
    LinkedChat,
    Person,
    RoleGrant,
)
from tests.databases import DEMO_WARD
from tests.drivers import driver_town, pick
from tests.drivers.telegram import TelegramDriver

POLICE_CHAT = -100555


@pytest.fixture
async def tg(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[tuple[Any, TelegramDriver]]:
    driver = TelegramDriver(first_name="Lan")
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


def code_in(texts: list[str], command: str = "/lienket") -> str:
    line = next(line for t in texts for line in t.splitlines() if line.startswith(command + " "))
    return line.split(" ", 1)[1]


def role_lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.startswith("Bạn là"))


async def rows(town: Any, model: Any) -> list[Any]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_web_leader_links_telegram_and_keeps_role_and_pushes(tg: tuple[Any, TelegramDriver]) -> None:
    town, lan_tg = tg
    lan_web = await town.join("Lan", role="group_admin")
    web_help = lan_web.all_text(await lan_web.say("/help"))
    replies = await lan_web.say("/lienket")
    code = code_in([m["text"] for m in replies])
    assert "10 phút" in replies[-1]["text"]

    replies = await lan_tg.say(f"/lienket {code.lower().replace('-', ' ')}")  # typed loosely
    assert "đã được liên kết" in "\n".join(replies)
    assert lan_tg.choices() == ["Ở đây (Telegram)", "Giữ Web"]
    tg_help = "\n".join(await lan_tg.say("/help"))
    assert role_lines(tg_help) == role_lines(web_help) and "tổ trưởng" in tg_help.lower()
    assert "/moi" in tg_help  # the leader's commands follow them

    replies = await lan_tg.press("Ở đây (Telegram)")
    assert "Telegram" in replies[-1]
    await lan_web.poll()  # the browser has seen everything so far
    async with town.app.db.session() as session:
        (person,) = (await session.exec(select(Person))).all()
        await enqueue_to_person(
            session, person, lambda: Reply("Họp tổ lúc 19:00"), kind="reminder", dedupe_key="r1"
        )
        await session.commit()
    await town.drain()
    assert lan_tg.fake.texts_to(lan_tg.user_id)[-1] == "Họp tổ lúc 19:00"
    assert await lan_web.poll() == []  # replies return where one writes; pushes go to the chosen app

    replies = await lan_tg.say(f"/lienket {code}")
    assert "đã được dùng" in "\n".join(replies) or "đã thuộc tài khoản" in "\n".join(replies)
    (audit,) = [a for a in await rows(town, AuditEntry) if a.action == "identity.linked"]
    assert audit.detail == {"channel": "telegram", "merged_person": None}
    assert "code" not in str(audit.detail).lower()


async def test_two_registrations_merge_into_one_person(
    tg: tuple[Any, TelegramDriver], manual_clock: Any
) -> None:
    town, lan_tg = tg
    await lan_tg.say("/start")  # Lan first registered on Telegram, as a resident of Tổ 5
    await lan_tg.press("Tiếng Việt")
    await lan_tg.press("Tôi đồng ý")
    await lan_tg.say("cao lanh")
    await lan_tg.press(pick(lan_tg.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await lan_tg.press("Khóm 2")
    await lan_tg.press("Tổ 5")
    first_consent = (await rows(town, Person))[0].consented_at

    manual_clock.advance(timedelta(days=3))
    lan_web = await town.join("Lan", role="group_admin")  # ...and later became the leader of Tổ 3 on the web
    code = code_in([m["text"] for m in await lan_web.say("/lienket")])
    await lan_tg.say(f"/lienket {code}")

    (person,) = await rows(town, Person)
    assert person.consented_at == first_consent  # the older consent is kept
    assert sorted(i.channel for i in await rows(town, ChannelIdentity)) == ["telegram", "web"]
    assert {c.person_id for c in await rows(town, ConsentRecord)} == {person.id}
    active = sorted(
        g.role for g in await rows(town, RoleGrant) if g.revoked_at is None and g.person_id == person.id
    )
    assert active == ["group_admin", "resident"]
    help_text = "\n".join(await lan_tg.say("/help"))
    assert "Tổ 3" in help_text and "Tổ 5" in help_text
    (audit,) = [a for a in await rows(town, AuditEntry) if a.action == "identity.linked"]
    assert audit.detail["merged_person"] is not None and audit.detail["merged_person"] != person.id


async def test_bad_expired_and_misplaced_codes_are_refused_politely(
    tg: tuple[Any, TelegramDriver], manual_clock: Any
) -> None:
    town, stranger = tg
    replies = await stranger.say("/lienket")
    assert "/start" in replies[-1]  # not registered anywhere: told how to begin
    replies = await stranger.say("/lienket ABCD-EFGH")
    assert "không hợp lệ" in replies[-1]

    lan_web = await town.join("Lan")
    code = code_in([m["text"] for m in await lan_web.say("/lienket")])
    replies = await lan_web.say(f"/lienket {code}")
    assert "đã thuộc tài khoản của anh/chị" in replies[-1]["text"]
    replies = await lan_web.say(f"/lienketnhom {code}")
    assert "vai trò khác" in replies[-1]["text"]  # a resident cannot link group chats
    manual_clock.advance(timedelta(minutes=11))
    replies = await stranger.say(f"/lienket {code}")
    assert "hết hạn" in replies[-1]
    assert [i.channel for i in await rows(town, ChannelIdentity)] == ["web"]

    manual_clock.advance(timedelta(days=2))
    await purge_codes(town.app)
    assert await rows(town, LinkCode) == []


async def test_police_link_their_group_chat_and_residents_cannot_unlink_it(
    tg: tuple[Any, TelegramDriver],
) -> None:
    town, officer = tg
    code = await town.invite("police", area=None, group=None)
    await officer.say(f"/start {code}")
    await officer.press("Tiếng Việt")
    await officer.press("Tôi đồng ý")
    replies = await officer.say("/lienketnhom")
    link = code_in(replies, "/lienketnhom")
    replies = await officer.say(f"/lienketnhom {link}")
    assert "vào nhóm chat" in replies[-1]  # typed in the private chat: nothing used up

    async def in_group(user_id: int, text: str) -> str:
        index = len(officer.fake.requests)
        update = officer.fake.group_text(POLICE_CHAT, user_id, text, title="Công an phường")
        await officer.settle(update["update_id"])
        return "\n".join(officer.sent_since(index, POLICE_CHAT))

    assert "công an Phường Cao Lãnh" in await in_group(officer.user_id, f"/lienketnhom {link}")
    (chat,) = await rows(town, LinkedChat)
    assert (chat.purpose, chat.group_id, chat.chat_id) == ("police", None, str(POLICE_CHAT))
    assert "vai trò khác" in await in_group(7007, "/huylienketnhom")
    assert "không đăng tin" in await in_group(officer.user_id, "/huylienketnhom")
    assert await rows(town, LinkedChat) == []


async def test_forgetting_a_linked_person_erases_every_account_and_code(
    tg: tuple[Any, TelegramDriver],
) -> None:
    town, lan_tg = tg
    lan_web = await town.join("Lan")
    code = code_in([m["text"] for m in await lan_web.say("/lienket")])
    await lan_tg.say(f"/lienket {code}")
    await lan_web.say("/lienket")  # a second, unused code is left behind
    await lan_tg.say("/xoadulieu")
    await lan_tg.press("Có, xóa dữ liệu của tôi")
    assert await rows(town, Person) == [] and await rows(town, ChannelIdentity) == []
    assert await rows(town, LinkCode) == []
    replies = await lan_web.say("/help")  # the web chat is forgotten too
    assert "/start" in replies[0]["text"]


async def test_forged_and_outdated_link_buttons_change_nothing(tg: tuple[Any, TelegramDriver]) -> None:
    town, lan_tg = tg
    lan_web = await town.join("Lan")
    code = code_in([m["text"] for m in await lan_web.say("/lienket")])
    await lan_tg.say(f"/lienket {code}")
    assert lan_tg.choices() == ["Ở đây (Telegram)", "Giữ Web"]
    (lan,) = await rows(town, Person)
    minh = await town.join("Minh", role="group_admin")  # leads Tổ 3
    (minh_identity,) = [i for i in await rows(town, ChannelIdentity) if i.person_id != lan.id]

    def no_longer_valid(replies: list[dict[str, Any]]) -> bool:
        return any("no longer valid" in m["text"] or "không còn" in m["text"] for m in replies)

    # Another person's chat account, and a payload that is not a number: refused, nothing moves.
    assert no_longer_valid(await lan_web._post(json={"choice": f"pushto:{minh_identity.id}"}))
    assert no_longer_valid(await lan_web._post(json={"choice": "pushto:web"}))
    assert next(p for p in await rows(town, Person) if p.id == lan.id).preferred_identity_id == (
        lan.preferred_identity_id
    )

    async with town.app.db.session() as session:
        khom2 = (
            await session.exec(select(Area).where(Area.ward_code == DEMO_WARD, Area.name == "Khóm 2"))
        ).one()
        groups = {
            g.name: g for g in (await session.exec(select(Group).where(Group.area_id == khom2.id))).all()
        }
    for place in (f"linkgrp:c:{groups['Tổ 5'].id}", "linkgrp:p:1"):  # a group he does not lead; not police
        replies = await minh._post(json={"choice": place})
        assert "không còn được liên kết nhóm chat" in replies[-1]["text"], place
    assert no_longer_valid(await minh._post(json={"choice": "linkgrp:x:1"}))
    assert all(c.person_id == lan.id for c in await rows(town, LinkCode))  # no code was made for Minh
    replies = await minh._post(json={"choice": f"linkgrp:c:{groups['Tổ 3'].id}"})  # his own group: a code
    assert "/lienketnhom " in replies[-1]["text"]
