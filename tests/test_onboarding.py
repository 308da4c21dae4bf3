"""Onboarding journeys in the web chat: language, consent, finding a ward without accents, area and group."""

from __future__ import annotations

from sqlmodel import func, select

from models import ChannelIdentity, ConsentRecord, ConversationState, Person, RoleGrant


async def count(town, model) -> int:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_resident_finds_ward_area_and_group_typing_without_accents(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    replies = await lan.say("xin chào")
    assert "Tiếng Việt" in lan.choices() and "English" in lan.choices()
    assert await count(town, Person) == 0

    replies = await lan.press("Tiếng Việt")
    assert "Không lưu gì cho đến khi anh/chị đồng ý" in replies[-1]["text"]
    assert await count(town, Person) == 0  # nothing stored before consent

    await lan.press("Tôi đồng ý")
    assert await count(town, Person) == 1
    assert await count(town, ConsentRecord) == 1

    replies = await lan.say("cao lanh")
    assert "Phường Cao Lãnh, Tỉnh Đồng Tháp" in lan.choices()
    await lan.press("Phường Cao Lãnh, Tỉnh Đồng Tháp")
    assert "Khóm 2" in lan.choices()
    await lan.say("khom 2")  # typed, no accents
    assert "Tổ 16" in lan.choices() and len(lan.choices()) == 16
    replies = await lan.say("3")  # the third group, by number
    text = lan.all_text(replies)
    assert "Tổ 3, Khóm 2, Phường Cao Lãnh, Tỉnh Đồng Tháp" in text
    # the main menu, not a wall of commands: a few entries, one press each, the full list behind /trogiup
    menu = [c["payload"] for c in replies[-1]["choices"]]
    assert "cmd:phananh" in menu and "cmd:camket" in menu and len(menu) <= 7
    # "anh/chị" is how it addresses people; the only command named is the full list's, left out of a full menu
    assert "cmd:trogiup" not in menu and "/trogiup" in replies[-1]["text"]
    assert "/" not in replies[-1]["text"].replace("nh/chị", "").replace("/trogiup", "")

    async with town.app.db.session() as session:
        grant = (await session.exec(select(RoleGrant))).one()
        assert grant.role == "resident" and grant.group_id is not None


async def test_declining_consent_stores_nothing(town) -> None:  # type: ignore[no-untyped-def]
    minh = await town.person("Minh")
    await minh.say("hello")
    await minh.press("English")
    replies = await minh.press("I do not agree")
    assert "nothing has been stored" in replies[-1]["text"]
    assert await count(town, Person) == 0
    assert await count(town, ChannelIdentity) == 0
    assert await count(town, ConversationState) == 0


async def test_unknown_ward_gets_a_clear_answer_and_can_retry(town) -> None:  # type: ignore[no-untyped-def]
    an = await town.person("An")
    await an.say("/start")
    await an.press("English")
    await an.press("I agree")
    replies = await an.say("khong ton tai xyz")
    assert "found no commune or ward" in an.all_text(replies)
    await an.say("phuong cao lanh")
    assert an.choices()[0] == "Phường Cao Lãnh, Tỉnh Đồng Tháp"


async def test_restart_in_the_middle_of_onboarding_resumes_at_the_same_step(town) -> None:  # type: ignore[no-untyped-def]
    hoa = await town.person("Hoa")
    await hoa.say("/batdau")
    await hoa.press("Tiếng Việt")
    await hoa.press("Tôi đồng ý")
    await hoa.say("cao lanh")
    await town.restart()
    replies = await hoa.press("Phường Cao Lãnh, Tỉnh Đồng Tháp")
    assert "Khóm 2" in hoa.choices(), replies


async def test_invite_link_joins_directly_with_the_role(town) -> None:  # type: ignore[no-untyped-def]
    tam = await town.join("Tâm", role="group_admin")
    replies = await tam.say("/trogiup")
    text = tam.all_text(replies)
    assert "tổ trưởng" in text
    assert "/moi" in text


async def test_help_differs_by_role(town) -> None:  # type: ignore[no-untyped-def]
    resident = await town.join("Resident")
    admin = await town.join("Admin", role="group_admin")
    resident_help = resident.all_text(await resident.say("/help"))
    admin_help = admin.all_text(await admin.say("/help"))
    assert "/moi" not in resident_help
    assert "/moi" in admin_help


async def test_language_switch(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    await lan.say("/lang")
    replies = await lan.press("English")
    assert "English" in replies[-1]["text"]
    replies = await lan.say("/help")
    assert "Commands:" in lan.all_text(replies)


async def test_an_outdated_button_or_an_answer_matching_no_choice_re_asks_politely(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.person("Lan")
    await lan.say("xin chào")
    await lan.press("Tiếng Việt")
    consent = lan.last_text()
    replies = await lan._post(json={"choice": "lang:en"})  # the language question's button, pressed again
    assert "câu hỏi trước" in replies[0]["text"]
    assert replies[-1]["text"] == consent and lan.choices() == ["Tôi đồng ý", "Tôi không đồng ý"]
    replies = await lan.say("để tôi nghĩ đã")  # typed, and none of the choices
    assert "Vui lòng chọn một trong các mục" in replies[0]["text"] and replies[-1]["text"] == consent
    assert await count(town, Person) == 0  # neither was taken for an answer

    admin = await town.join("Tâm", role="group_admin")
    await admin.say("/moi")
    roles = admin.last_text()
    replies = await admin.say("tổ trưởng mới")
    assert "Vui lòng chọn một trong các mục" in replies[0]["text"] and replies[-1]["text"] == roles
    await admin.say("/xoadulieu")
    replies = await admin.say("chắc chưa")
    assert "Vui lòng chọn một trong các mục" in replies[0]["text"]
    await admin.press("forget:no")
    assert await count(town, Person) == 1  # Tâm is still here; Lan never agreed
