"""Three people at once in the web chat (resident, group admin, police), /me, /forget, health and logs."""

from __future__ import annotations

import logging

from sqlmodel import func, select

from models import AuditEntry, ChannelIdentity, ConsentRecord, Person, RoleGrant, WebMessage
from tests.conftest import Town


async def test_three_people_see_what_their_role_allows(town) -> None:  # type: ignore[no-untyped-def]
    resident = await town.join("Lan")
    admin = await town.join("Tâm", role="group_admin")
    police = await town.join("Hùng", role="police")

    resident_help = resident.all_text(await resident.say("/trogiup"))
    admin_help = admin.all_text(await admin.say("/trogiup"))
    police_help = police.all_text(await police.say("/trogiup"))

    assert "người dân của Tổ 3, Khóm 2, Phường Cao Lãnh" in resident_help
    assert "tổ trưởng của Tổ 3, Khóm 2" in admin_help
    assert "cán bộ công an của Phường Cao Lãnh, Tỉnh Đồng Tháp" in police_help
    assert "/moi" not in resident_help and "/moi" in admin_help and "/moi" in police_help

    # The group admin invites a neighbour; the police officer may invite residents anywhere in the ward.
    await admin.say("/moi")
    invite_text = admin.all_text(await admin.press("người dân"))
    code = invite_text.split("mã ")[1].split()[0]
    neighbour = await town.person("Neighbour")
    await neighbour.say(f"/start {code}")
    await neighbour.press("Tiếng Việt")
    welcome = neighbour.all_text(await neighbour.press("Tôi đồng ý"))
    assert "người dân của Tổ 3, Khóm 2" in welcome

    await police.say("/moi")
    assert police.choices() == ["người dân"]
    await police.press("người dân")
    # A ward of 40 groups: the areas first (twelfth session; before, the first 40 groups, and no way to the rest)
    assert police.choices() == ["Khóm 1 (8 tổ)", "Khóm 2 (16 tổ)", "Khóm 3 (10 tổ)", "Khóm 4 (6 tổ)"]


async def test_me_shows_what_we_hold_and_forget_erases_it(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan", locale="en")
    me = lan.all_text(await lan.say("/me"))
    assert "What we hold about you" in me and "Web" in me and "a resident of Tổ 3, Khóm 2" in me

    await lan.say("/forget")
    await lan.press("No, keep it")
    async with town.app.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(Person))).one() == 1

    await lan.say("/forget")
    replies = await lan.press("Yes, erase my data")
    text = lan.all_text(replies)
    assert '"chat_accounts"' in text and "has been erased" in text
    async with town.app.db.session() as session:
        for model in (Person, ChannelIdentity, RoleGrant, ConsentRecord, WebMessage):
            assert (await session.exec(select(func.count()).select_from(model))).one() == 0, model
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "person.erased"))).one()
        assert audit.detail == {}
    # Afterwards they are a stranger again, and may start over.
    await lan.say("/toi")
    assert "Tiếng Việt" in lan.choices()


async def test_healthz_reports_the_database(town, settings_for) -> None:  # type: ignore[no-untyped-def]
    browser = await town.person("ops")
    async with browser.http.get(town.server.url + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"

    broken = Town(settings_for("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    await broken.start()
    try:
        async with browser.http.get(broken.server.url + "/healthz") as response:
            assert response.status == 503
            assert (await response.json())["database"] == "unreachable"
    finally:
        await broken.close()


async def test_info_logs_hold_no_message_text_or_user_ids(town, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    lan = await town.join("Lan")
    await lan.say("/toi")
    await lan.say("my secret words 8d1f")
    async with town.app.db.session() as session:
        identity = (await session.exec(select(ChannelIdentity))).one()
    for record in caplog.records:
        if record.levelno < logging.INFO:
            continue
        line = record.getMessage() + repr(record.__dict__)
        assert "8d1f" not in line
        assert identity.external_user_id not in line
