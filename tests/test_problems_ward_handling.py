"""The ward handling a problem report as a ward officer needs to, and as the reporter was promised: an office's
name (never a working note) is all the reporter reads of "passed to an office"; who sent a named report stays with
the ward office, not the group leader next door; and the ward can ask the reporters a question, named or not, and
read their answer, with nothing of an anonymous reporter attached to it."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models import AuditEntry, OutboxMessage
from tests.conftest import Town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_alerts_channels import join_on
from tests.test_problems import _press_raw, payloads, problems, pushed, report, texts

NOTE = "đã gọi anh Tâm 0912345678, người báo hay báo sai"


async def opened_by_admin(town: Any, admin: Any, number: int) -> list[dict[str, Any]]:
    """The ward admin opens the report from its push, as admins do; the report's card."""
    await pushed(town, admin)
    return await admin.press(f"pri:open:{number}")


# 1. Passed to an office --------------------------------------------------------------------------------------
async def test_the_reporter_reads_the_offices_name_and_never_the_wards_note(ward: Any) -> None:
    """Walk Q3: the prompt only asked "Đã chuyển đến cơ quan nào?", so the admin wrote a working note with the
    office ("Điện lực - đã gọi anh Tâm 0912345678, người báo hay báo sai") and the reporter was pushed and shown it
    word for word. Now the prompt says the reporters read it and offers the usual offices; such a line is split,
    the admin confirms what the reporters read, and the note is kept in the ward's log, never shown to them."""
    town = ward
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, _code = await report(lan, "Đèn đường đầu hẻm 5 tắt")
    await opened_by_admin(town, admin, number)
    prompt = await admin.press(f"pri:act:{number}:pass")
    assert "người phản ánh" in texts(prompt) and "đọc được" in texts(prompt), texts(prompt)
    assert "prh:office:power" in payloads(prompt), payloads(prompt)

    # A name with a phone number and nothing to split it at: asked again, how to keep a note apart said.
    turned = texts(await admin.say("Điện lực anh Tâm 0912345678"))
    assert "chỉ gõ tên cơ quan" in turned, turned
    split = await admin.say("Điện lực - " + NOTE)
    shown = texts(split)
    assert '"đã được chuyển đến Điện lực"' in shown and NOTE in shown, shown
    done = texts(await admin.press("prh:split:yes"))
    assert "Điện lực" in done and "nhật ký" in done, done

    told = await pushed(town, lan)
    assert "được chuyển đến Điện lực." in told, told
    seen = texts(await lan.say(f"/phananh {number}"))
    for reporter_reads in (told, seen):
        assert "0912345678" not in reporter_reads and "báo sai" not in reporter_reads, reporter_reads
        assert "anh Tâm" not in reporter_reads, reporter_reads
    async with town.app.db.session() as session:
        [entry] = (await session.exec(select(AuditEntry).where(AuditEntry.action == "problem.pass"))).all()
    assert entry.detail["note"] == NOTE and entry.detail["office"] == "Điện lực", entry.detail


async def test_a_wrong_split_is_typed_again_and_an_office_may_be_chosen_from_the_list(ward: Any) -> None:
    town = ward
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, _code = await report(lan, "Cống hẻm 8 nghẹt", category="flooding")
    await opened_by_admin(town, admin, number)
    await admin.press(f"pri:act:{number}:pass")
    await admin.say("Công ty cấp nước, chi nhánh 2")
    again = await admin.press("prh:split:no")
    assert "prh:office:water" in payloads(again), texts(again)
    await admin.say("2")  # its number in the list, as on the Zalo Bot
    told = await pushed(town, lan)
    assert "được chuyển đến công ty cấp nước" in told and "chi nhánh" not in told, told
    assert "công ty cấp nước" in texts(await lan.say(f"/phananh {number}"))


# 2. Who sent it ----------------------------------------------------------------------------------------------
async def test_the_group_leader_given_a_noise_report_does_not_learn_who_complained(
    db_url: str, settings_for: Any
) -> None:
    """Walk Q4: Mai's named report of night piling at a building site in her own group was given to her group
    leader, a neighbour, who read "Người gửi: Mai". The form told her the ward office knows who reported: now the
    ward admin reads her name, the group leader reads only that a name is with the ward office."""
    zalo = ZaloBotDriver(user_id="zb-mai", display_name="Mai")
    town = Town(settings_for(db_url, delivery_enabled=False, **await zalo.serve()))
    try:
        await town.start()
        await zalo.start(town)
        admin = await town.join("Admin", role="ward_admin")
        leader = await town.join("Tổ trưởng tổ 3", role="group_admin")
        await join_on(zalo, town, "Tổ 3")
        await zalo.say("/phananh")
        await zalo.press("Gây ồn sau 22 giờ")
        await zalo.say("Công trình xây nhà số 14 đóng cọc từ 23h tới 2h sáng")
        await zalo.press("Xong")
        await zalo.say("Số 14 hẻm 5")
        await zalo.press("Có, báo cho tôi")
        await zalo.press("Kèm tên của tôi")
        await zalo.press("Gửi")
        [row] = (await problems(town)).values()
        await pushed(town, admin)
        await admin.press(f"pri:open:{row.id}")
        replies = await admin.press(f"pri:act:{row.id}:assign")
        [choice] = [c for c in replies[-1]["choices"] if c["payload"].startswith("prh:to:")]
        await admin.press(choice["payload"])
        assert "Người gửi: Mai" in texts(
            await admin.press(f"pri:open:{row.id}")
        )  # the ward office: as promised
        await pushed(town, leader)
        seen = texts(await leader.press(f"pri:open:{row.id}"))
        assert "Mai" not in seen, seen
        assert "chỉ văn phòng phường" in seen, seen
    finally:
        await town.close()


# 3. Asking the reporter --------------------------------------------------------------------------------------
async def test_the_ward_asks_a_named_reporter_which_lane_and_reads_her_answer(ward: Any) -> None:
    """Walk Q6: the report showed merge / give / passed / close only, so the admin could not ask "which lane?".
    Now "Ask the reporter" sends the question; she types her answer under it and it comes back to the ward."""
    town = ward
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, _code = await report(lan, "Ngập tới đầu gối mỗi khi mưa", category="flooding", progress=False)
    card = await opened_by_admin(town, admin, number)
    assert f"pri:act:{number}:ask" in payloads(card), payloads(card)
    prompt = texts(await admin.press(f"pri:act:{number}:ask"))
    assert "đọc" in prompt, prompt
    sent = texts(await admin.say("Chỗ trũng gần chợ là hẻm nào ạ?"))
    assert ": 1" in sent, sent  # she sent her name: the form said the ward may contact her, progress or not

    asked = await pushed(town, lan)
    assert "Chỗ trũng gần chợ là hẻm nào ạ?" in asked, asked
    thanked = texts(await lan.say("Hẻm 12 Nguyễn Huệ, đoạn trước nhà số 30"))
    assert "đã được gửi đến" in thanked, thanked
    answer = await pushed(town, admin)
    assert "Hẻm 12 Nguyễn Huệ, đoạn trước nhà số 30" in answer and f"số {number}" in answer, answer


async def test_an_anonymous_reporter_answers_through_the_sealed_route_and_stays_unknown(ward: Any) -> None:
    """The same for a report without a name: the question reaches her through the report's sealed route, she
    presses Answer, and her answer reaches the ward with the report's number only; nothing of it names her."""
    town = ward
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, code = await report(lan, "Ngập tới đầu gối mỗi khi mưa", category="flooding", anonymous=True)
    assert code is not None
    await opened_by_admin(town, admin, number)
    await admin.press(f"pri:act:{number}:ask")
    await admin.say("Chỗ trũng gần chợ là hẻm nào ạ?")
    assert "Chỗ trũng gần chợ là hẻm nào ạ?" in await pushed(town, lan)
    [answer_button] = [p for p in payloads(lan.seen[-1:]) if p.startswith("pra:")]
    assert str(number) in answer_button
    assert "gõ câu trả lời gửi cán bộ phường" in texts(await lan.press(answer_button))
    await lan.say("Hẻm 12 Nguyễn Huệ")
    answer = await pushed(town, admin)
    assert "Hẻm 12 Nguyễn Huệ" in answer and "Lan" not in answer, answer
    async with town.app.db.session() as session:
        entries = (await session.exec(select(AuditEntry))).all()
        lan_id = (await problems(town))[number].person_id
        assert lan_id is None
        assert not [e for e in entries if "Hẻm 12" in str(e.detail)], entries
        pushes = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "problem_answer"))
        ).all()
        assert pushes and all(p.source_id == str(number) for p in pushes)
    # A forged key answers nothing.
    forged = texts(await _press_raw(lan, f"pra:{number}:0000000000000000"))
    assert "không còn trả lời được" in forged, forged


async def test_a_reporter_who_cannot_be_reached_is_said_so(ward: Any) -> None:
    """Without a name and without asking for progress, nothing leads back to her: the admin is told so."""
    town = ward
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, _code = await report(lan, "Rác đổ bờ kênh", category="rubbish", anonymous=True, progress=False)
    await opened_by_admin(town, admin, number)
    await admin.press(f"pri:act:{number}:ask")
    said = texts(await admin.say("Rác đổ từ khi nào ạ?"))
    assert "Không liên lạc được" in said, said
