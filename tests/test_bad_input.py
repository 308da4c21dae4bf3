"""Bad input gets a polite answer and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Invite, RoleGrant
from tests.webchat import WebError


async def test_unknown_command_keeps_the_flow(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    await lan.say("/start")
    await lan.press("English")
    replies = await lan.say("/doesnotexist")
    text = lan.all_text(replies)
    assert "I don't know the command /doesnotexist" in text
    assert "I agree" in lan.choices()  # still at the consent question


async def test_free_text_where_a_choice_is_expected(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    await lan.say("/start")
    replies = await lan.say("maybe later")
    assert "Tiếng Việt" in lan.choices()
    assert any("choose" in m["text"] or "chọn" in m["text"] for m in replies)


async def test_ten_thousand_characters(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan", locale="en")
    await lan.say("/lang")
    replies = await lan.say("x" * 10_000)
    assert "too long (10000 characters" in replies[0]["text"]
    assert "English" in lan.choices()  # the language question is still open


async def test_empty_and_malformed_posts(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    with pytest.raises(WebError) as empty:
        await lan.say("   ")
    assert (
        empty.value.status == 400 and "empty" in empty.value.message.lower() or "trống" in empty.value.message
    )
    async with lan.http.post(
        lan.url + "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400
        assert (await r.json())["error"]


async def test_reused_and_expired_invites(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    code = await town.invite("resident")
    first = await town.person("First")
    await first.say(f"/start {code}")
    await first.press("English")
    await first.press("I agree")
    second = await town.person("Second")
    await second.say(f"/start {code}")
    await second.press("English")
    replies = await second.press("I agree")
    assert "already been used" in second.all_text(replies)

    from datetime import timedelta

    late = await town.invite("resident")
    manual_clock.advance(timedelta(days=30))
    replies = await second.say(f"/thamgia {late}")
    assert "expired" in second.all_text(replies)
    async with town.app.db.session() as session:
        grants = (await session.exec(select(RoleGrant))).all()
        assert len(grants) == 1  # only the first person got a role


async def test_invite_for_a_role_the_inviter_may_not_grant(town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Admin", role="group_admin")
    await admin.say("/moi")
    assert admin.choices() == ["người dân"] or len(admin.choices()) == 1
    replies = await admin.press("role:resident")
    assert "/thamgia" in admin.all_text(replies)
    resident = await town.join("Resident")
    replies = await resident.say("/moi")
    assert "vai trò khác" in resident.all_text(replies) or "another role" in resident.all_text(replies)
    async with town.app.db.session() as session:
        invites = (await session.exec(select(Invite).where(Invite.created_by.is_not(None)))).all()  # type: ignore[union-attr]
        assert [i.role for i in invites] == ["resident"]


async def test_cancel_and_back(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    await lan.say("/start")
    await lan.press("English")
    await lan.press("I agree")
    await lan.say("cao lanh")
    replies = await lan.say("/back")
    assert "Which commune or ward" in replies[-1]["text"]
    replies = await lan.say("/cancel")
    assert "Cancelled" in replies[-1]["text"]
    replies = await lan.say("/cancel")
    assert "nothing to cancel" in replies[-1]["text"]
