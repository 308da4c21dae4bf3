"""Setting up a real ward: a ward admin imports its areas and groups (after fixing a bad file), appoints leaders,
a leader posts a join link, residents join by it, and the ward reorganises its groups in /diaban."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from bot.app import cli
from models import Area, AuditEntry, Group, GroupJoin, Household, Invite, OutboxMessage, RoleGrant

BA_DINH = 4  # Phường Ba Đình, Thành phố Hà Nội: not the demo's ward
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")

BAD_FILE = (
    "Khu vực/Tổ dân phố;Tổ;Tổ trưởng;Số điện thoại\n"
    "Tổ dân phố 1;Tổ 1;Nguyễn Văn An;0912 345 678\n"
    "Tổ dân phố 1;;;\n"
    "Tổ dân phố 2;Tổ 1;Trần Thị Bình;12345\n"
    "Tổ dân phố 1;to 1;;\n"
    f"Tổ dân phố 2;{'Tổ rất dài ' * 50};;\n"
).encode("utf-8-sig")
GOOD_FILE = (
    "Khu vực/Tổ dân phố;Tổ;Tổ trưởng;Số điện thoại\n"
    "Tổ dân phố 1;Tổ 1;Nguyễn Văn An;0912 345 678\n"
    "Tổ dân phố 1;Tổ 2;;\n"
    "Tổ dân phố 2;Tổ 1;Trần Thị Bình;+84 983 456 789\n"
).encode("utf-8-sig")


async def join_with(town, name: str, code: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A newcomer opens an invite or join link, chooses Vietnamese and agrees to the notice."""
    person = await town.person(name)
    await person.say(f"/start {code}")
    await person.press("Tiếng Việt")
    return [person, await person.press("consent:yes")]


async def test_a_ward_admin_sets_up_a_ward_and_residents_join_by_a_group_link(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chủ tịch", role="ward_admin", ward_code=BA_DINH)
    replies = await admin.say("/diaban")
    assert "Phường Ba Đình chưa có khu dân cư nào" in admin.all_text(replies)
    await admin.press("Nhập từ tệp")

    # A bad file: every bad line is named with its reason, and nothing is written.
    replies = await admin.send_file(BAD_FILE, "to-dan-pho.csv", "text/csv")
    text = admin.all_text(replies)
    assert "Chưa nhập gì" in text
    assert "Dòng 3: tên tổ bị trống" in text
    assert "Dòng 4: “12345” không phải số điện thoại Việt Nam" in text
    assert "Dòng 5: “to 1, Tổ dân phố 1” đã có ở dòng 2" in text
    assert "Dòng 6: tên tổ dài quá 80 ký tự" in text
    async with town.app.db.session() as session:
        assert (
            await session.exec(select(func.count()).select_from(Area).where(Area.ward_code == BA_DINH))
        ).one() == 0

    # Fixed: two areas, three groups, and a leader invite for each of the two groups with a leader.
    replies = await admin.send_file(GOOD_FILE, "to-dan-pho.csv", "text/csv")
    text = admin.all_text(replies)
    assert "Khu vực: tạo mới 2, giữ nguyên 0." in text and "Tổ: tạo mới 3, giữ nguyên 0." in text
    assert "Nguyễn Văn An (0912 345 678), tổ trưởng Tổ 1, Tổ dân phố 1: mã" in text
    assert "Trần Thị Bình (0983 456 789), tổ trưởng Tổ 1, Tổ dân phố 2: mã" in text
    assert "/join/" in text
    leader_code = CODE.search(next(m["text"] for m in replies if "Nguyễn Văn An" in m["text"]))
    assert leader_code is not None
    assert "Phường Ba Đình: 2 khu vực, 3 tổ, 0 hộ, 0 người dân." in text  # back at the menu

    # Sending the same file again changes nothing, and says so.
    await admin.press("Nhập từ tệp")
    replies = await admin.send_file(GOOD_FILE, "to-dan-pho.csv", "text/csv")
    text = admin.all_text(replies)
    assert "Không có gì thay đổi: 2 khu vực và 3 tổ trong tệp đều đã có." in text
    assert "2 tổ đã có lời mời tổ trưởng" in text
    await admin.press("Xong")

    # The leader takes the role and makes a join link valid one day.
    an, replies = await join_with(town, "An", leader_code.group(0))
    assert "tổ trưởng" in an.all_text(replies) and "Tổ 1, Tổ dân phố 1" in an.all_text(replies)
    replies = await an.say("/linknhom")
    assert "chưa có" in an.all_text(replies)
    await an.press("Tạo đường dẫn tham gia mới")
    await an.press("1 ngày")
    replies = await an.press("50 người (nên chọn)")
    text = an.all_text(replies)
    link_code = CODE.search(text)
    assert link_code is not None and f"/join/{link_code.group(0)}" in text

    # Three residents join by it, straight into the group; one of them opening it again takes no second use.
    joined = []
    for name in ("Cúc", "Dũng", "Em"):
        person, replies = await join_with(town, name, link_code.group(0))
        assert "người dân của Tổ 1, Tổ dân phố 1, Phường Ba Đình" in person.all_text(replies)
        joined.append(person)
    replies = await joined[0].say(f"/thamgia {link_code.group(0)}")
    assert "Tổ 1, Tổ dân phố 1" in joined[0].all_text(replies)
    replies = await an.say("/linknhom")
    assert "đã dùng 3/50" in an.all_text(replies)
    await an.press("Xong")
    async with town.app.db.session() as session:
        link = (await session.exec(select(Invite).where(col(Invite.max_uses).is_not(None)))).one()
        assert link.uses == 3
        assert (await session.exec(select(func.count()).select_from(GroupJoin))).one() == 3

    # After a day the link has expired: the fourth is refused politely and stays out of the group.
    manual_clock.advance(timedelta(days=1, minutes=1))
    late, replies = await join_with(town, "Giang", link_code.group(0))
    assert "đã hết hạn" in late.all_text(replies)
    replies = await admin.say("/diaban")
    assert "Tổ 1 (0 hộ, 3 người dân)" in admin.all_text(replies)

    # The second leader is appointed from /diaban too (a second invite, shown with its links).
    await admin.press("Cử tổ trưởng")
    replies = await admin.press("Tổ 2, Tổ dân phố 1")
    assert "Lời mời tổ trưởng Tổ 2, Tổ dân phố 1: mã" in admin.all_text(replies)
    second = CODE.search(admin.all_text(replies))
    assert second is not None
    binh, replies = await join_with(town, "Bình", second.group(0))
    assert "tổ trưởng" in binh.all_text(replies)


async def test_a_join_link_is_capped_counts_each_person_once_and_can_be_withdrawn(town) -> None:  # type: ignore[no-untyped-def]
    from bot.directory.invites import create

    async with town.app.db.session() as session:
        group = (
            await session.exec(
                select(Group)
                .join(Area, col(Area.id) == col(Group.area_id))
                .where(Group.name == "Tổ 5", Area.name == "Khóm 2")
            )
        ).one()
        made = await create(
            session,
            town.app.keyring,
            town.settings,
            role="resident",
            ward_code=group.ward_code,
            area_id=group.area_id,
            group_id=group.id,
            max_uses=2,
        )
        await session.commit()
    first, replies = await join_with(town, "Một", made.code)
    assert "Tổ 5, Khóm 2" in first.all_text(replies)
    replies = await first.say(f"/thamgia {made.code}")  # again: a welcome back, not a second use
    assert "Tổ 5, Khóm 2" in first.all_text(replies)
    second, _ = await join_with(town, "Hai", made.code)
    third, replies = await join_with(town, "Ba", made.code)
    assert "đủ số người" in third.all_text(replies)  # over the cap: refused politely, saying why
    assert "Tổ 5" not in third.all_text(replies)
    async with town.app.db.session() as session:
        assert (await session.get(Invite, made.invite.id)).uses == 2  # type: ignore[union-attr]
        assert (await session.exec(select(func.count()).select_from(GroupJoin))).one() == 2

    # Who joined by a link is personal data: /xoadulieu erases it, the link keeps only its count.
    await second.say("/xoadulieu")
    replies = await second.press("forget:yes")
    assert "joined_by_link" in second.all_text(replies) and "Tổ 5, Khóm 2" in second.all_text(replies)
    async with town.app.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(GroupJoin))).one() == 1
        assert (await session.get(Invite, made.invite.id)).uses == 2  # type: ignore[union-attr]

    # The group's leader sees the count and withdraws it.
    leader = await town.join("Tổ trưởng", role="group_admin", group="Tổ 5")
    replies = await leader.say("/linknhom")
    assert "đã dùng 2/2; đã đủ người" in leader.all_text(replies)
    assert not any("Thu hồi" in c for c in leader.choices())  # a full link has nothing left to withdraw
    async with town.app.db.session() as session:
        other = await create(
            session,
            town.app.keyring,
            town.settings,
            role="resident",
            ward_code=group.ward_code,
            area_id=group.area_id,
            group_id=group.id,
            max_uses=5,
        )
        await session.commit()
    replies = await leader.say("/linknhom")
    replies = await leader.press("Thu hồi đường dẫn 1")
    assert "Đã thu hồi" in leader.all_text(replies)
    late, replies = await join_with(town, "Bốn", other.code)
    assert "đã bị thu hồi" in late.all_text(replies)


async def test_the_ward_admin_adds_renames_merges_and_retires_and_people_choose_a_new_group(town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chủ tịch", role="ward_admin")
    lan = await town.join("Lan", group="Tổ 16")
    minh = await town.join("Minh", group="Tổ 15")
    replies = await admin.say("/diaban")
    assert "Khóm 2: 16 tổ, 432 hộ" in admin.all_text(replies)

    # Add an area and a group, and rename the group.
    await admin.press("Thêm khu vực")
    replies = await admin.say("khom 1")
    assert "Đã có nơi tên “Khóm 1”" in admin.all_text(replies)  # typed without accents, written with them
    replies = await admin.say("Khóm 5")
    assert "Đã thêm khu vực “Khóm 5”" in admin.all_text(replies)
    await admin.press("Thêm tổ")
    await admin.press("Khóm 5")
    replies = await admin.say("Tổ 1")
    assert "Đã thêm tổ “Tổ 1” vào Khóm 5" in admin.all_text(replies)
    await admin.press("Đổi tên")
    await admin.press("Một tổ")
    replies = await admin.say("to 1 khom 5")  # more than 20 groups: found by typing
    replies = await admin.say("Tổ 1A")
    assert "Đã đổi tên “Tổ 1” thành “Tổ 1A”" in admin.all_text(replies)

    # An outdated button of another step, and a typed answer that matches nothing, are asked again politely.
    await admin.press("Giải thể")
    replies = await admin.press("Một khu vực")
    assert "Anh/chị muốn giải thể khu vực nào?" in admin.all_text(replies)
    replies = await admin.press("plc:kind:group")
    assert "câu hỏi trước" in admin.all_text(replies) and "giải thể khu vực nào" in admin.all_text(replies)
    replies = await admin.say("không có khu này")
    assert "Không có nơi nào khớp" in admin.all_text(replies)
    await admin.press("Khóm 5")
    replies = await admin.press("Đồng ý, tiến hành")
    assert "Đã giải thể Khóm 5 cùng 1 tổ" in admin.all_text(replies)

    # Merge Tổ 15 into Tổ 14 of Khóm 2: its households move, Tổ 15 leaves every picker.
    await admin.press("Sáp nhập")
    await admin.press("Một tổ")
    await admin.say("to 15 khom 2")
    replies = await admin.say("to 14 khom 2")
    assert "27 hộ" in admin.all_text(replies)
    replies = await admin.press("Đồng ý, tiến hành")
    assert "Đã sáp nhập Tổ 15 vào Tổ 14: 27 hộ và 1 người đã được chuyển." in admin.all_text(replies)
    await town.drain()
    assert any("Tổ 15, Khóm 2 đã được sáp nhập vào Tổ 14, Khóm 2" in m["text"] for m in await minh.poll())
    assert "Tổ 14, Khóm 2" in minh.all_text(await minh.say("/toi"))

    # Areas merge only when no group names clash; then their groups move.
    await admin.press("Sáp nhập")
    await admin.press("Một khu vực")
    await admin.press("Khóm 4")
    replies = await admin.press("Khóm 3")
    assert "Cả hai khu vực đều có tổ tên “Tổ 1”" in admin.all_text(replies)
    await admin.press("Thêm khu vực")
    await admin.say("Khóm 6")
    await admin.press("Thêm tổ")
    await admin.press("Khóm 6")
    await admin.say("Tổ 9A")
    await admin.press("Sáp nhập")
    await admin.press("Một khu vực")
    await admin.press("Khóm 6")
    replies = await admin.press("Khóm 4")
    assert "1 tổ của nó chuyển sang Khóm 4" in admin.all_text(replies)
    replies = await admin.press("Đồng ý, tiến hành")
    assert "Đã sáp nhập Khóm 6 vào Khóm 4: 1 tổ đã được chuyển." in admin.all_text(replies)
    assert "Khóm 4: 7 tổ" in admin.all_text(replies)

    # Retire Tổ 16: Lan is asked to choose her new group, and does.
    await admin.press("Giải thể")
    await admin.press("Một tổ")
    await admin.say("to 16 khom 2")
    replies = await admin.press("Đồng ý, tiến hành")
    assert "1 người đã được đề nghị chọn tổ mới" in admin.all_text(replies)
    await town.drain()
    pushed = await lan.poll()
    lan.seen += pushed
    assert any("Tổ 16, Khóm 2 không còn trên An Dân" in m["text"] for m in pushed)
    await lan.press("Chọn tổ mới của tôi")
    replies = await lan.press("Khóm 2")
    assert "Tổ 16" not in lan.choices() and "Tổ 15" not in lan.choices() and "Tổ 14" in lan.choices()
    replies = await lan.press("Tổ 14")
    assert "Anh/chị giờ là người dân của Tổ 14, Khóm 2" in lan.all_text(replies)
    replies = await lan.press("Chọn tổ mới của tôi")  # the notice's button again
    assert "đã chọn tổ mới" in lan.all_text(replies)

    async with town.app.db.session() as session:
        khom2 = (await session.exec(select(Area).where(Area.name == "Khóm 2", Area.ward_code == 29869))).one()
        groups = {
            g.name: g for g in (await session.exec(select(Group).where(Group.area_id == khom2.id))).all()
        }
        assert groups["Tổ 15"].retired_at is not None and groups["Tổ 16"].retired_at is not None
        households = (
            await session.exec(
                select(func.count()).select_from(Household).where(Household.group_id == groups["Tổ 14"].id)
            )
        ).one()
        assert households == 54
        lan_grants = (
            await session.exec(
                select(RoleGrant).where(
                    col(RoleGrant.revoked_at).is_(None), RoleGrant.group_id == groups["Tổ 14"].id
                )
            )
        ).all()
        assert len(lan_grants) == 2  # Lan chose it, Minh was merged into it
        actions = set((await session.exec(select(AuditEntry.action))).all())
        assert {
            "places.area_added",
            "places.group_added",
            "places.group_renamed",
            "places.area_retired",
            "places.group_retired",
            "places.group_merged",
            "places.regrouped",
        } <= actions
        assert (
            await session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "places_retired")
            )
        ).one() == 1

    # The join links of any group of the ward are one choice away.
    await admin.say("/diaban")
    await admin.press("Đường dẫn tham gia tổ")
    replies = await admin.say("to 14 khom 2")
    assert "Đường dẫn tham gia của Tổ 14, Khóm 2:\nchưa có." in admin.all_text(replies)

    # Onboarding no longer offers what was retired.
    newcomer = await town.person("Mới")
    await newcomer.say("/start")
    await newcomer.press("Tiếng Việt")
    await newcomer.press("consent:yes")
    await newcomer.say("cao lanh")
    await newcomer.press(newcomer.choices()[0])
    assert "Khóm 5" not in newcomer.choices()
    await newcomer.press("Khóm 2")
    assert "Tổ 16" not in newcomer.choices() and "Tổ 14" in newcomer.choices()


async def test_zalo_people_are_sent_to_the_web_chat_for_the_file(db_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    from tests.drivers import driver_town
    from tests.drivers.zalo_bot import ZaloBotDriver

    driver = ZaloBotDriver(user_id="zalo-admin-1", display_name="Chủ tịch")
    async with driver_town(driver, settings_for, db_url) as town:
        code = await town.invite("ward_admin", None, None, BA_DINH)
        await driver.say(f"/start {code}")
        await driver.press("Tiếng Việt")
        await driver.press("Tôi đồng ý")
        await driver.say("/diaban")
        texts = await driver.press("Nhập từ tệp")
        assert any("Trên Zalo không gửi tệp cho tôi được" in t and "/diaban" in t for t in texts), texts


# The command line -------------------------------------------------------------------------------------------------
def run_cli(monkeypatch: pytest.MonkeyPatch, settings, *args: str) -> int:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(cli.logs, "setup", lambda level: None)
    return cli.main(list(args))


async def test_places_import_on_the_command_line(town, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_FILE)
    good = tmp_path / "ba-dinh.csv"
    good.write_bytes(GOOD_FILE)

    async def andan(*args: str) -> tuple[int, str, str]:
        status = await asyncio.to_thread(run_cli, monkeypatch, town.settings, "places", "import", *args)
        out = capsys.readouterr()
        return status, out.out, out.err

    status, out, err = await andan(str(good))  # no ward_code column and no --ward
    assert status == 1 and "--ward" in err and "Tệp không có cột “ward_code”" in err

    status, out, err = await andan(str(bad), "--ward", str(BA_DINH))
    assert status == 1
    assert "Dòng 3: tên tổ bị trống" in err and "Line 3: the group name is empty" in err
    assert "Line 4: “12345” is not a Vietnamese phone number" in err

    status, out, err = await andan(str(good), "--ward", "phường ba đình", "--dry-run")
    assert status == 0, err
    assert "Dry run: nothing was written" in out and "Groups: 3 created, 0 unchanged." in out
    assert "Leader invites to make: 2." in out and not CODE.search(out)

    status, out, err = await andan(str(good), "--ward", str(BA_DINH))
    assert status == 0, err
    assert "Khu vực: tạo mới 2, giữ nguyên 0." in out and "Areas: 2 created, 0 unchanged." in out
    assert "Nguyễn Văn An (0912 345 678), leader of Tổ 1, Tổ dân phố 1: code" in out
    codes = CODE.findall(out)
    assert len(set(codes)) == 2 and f"/join/{codes[0]}" in out

    status, out, err = await andan(str(good), "--ward", str(BA_DINH))
    assert status == 0
    assert "Nothing changed: the 2 areas and 3 groups of the file are already there." in out
    assert "2 groups already have a leader invite that is open or used" in out and not CODE.search(out)

    # A leader from the command line takes the role in the chat.
    leader, replies = await join_with(town, "An", codes[0])
    assert "tổ trưởng" in leader.all_text(replies)

    # A file that adds a group adds only that one, with a ward_code column instead of --ward.
    more = tmp_path / "more.csv"
    more.write_text(
        "ward_code,area,group,leader_name\n"
        f"{BA_DINH},Tổ dân phố 1,Tổ 1,Nguyễn Văn An\n"
        f"{BA_DINH},Tổ dân phố 2,Tổ 2,\n"
        f"99999999,Tổ dân phố 9,Tổ 9,\n",
        encoding="utf-8",
    )
    status, out, err = await andan(str(more))
    assert status == 1 and "Line 4: no commune or ward has the code 99999999" in err
    more.write_text(more.read_text().rsplit("99999999", 1)[0], encoding="utf-8")
    status, out, err = await andan(str(more))
    assert status == 0, err
    assert "Groups: 1 created, 1 unchanged." in out and "Areas: 0 created, 2 unchanged." in out
    async with town.app.db.session() as session:
        assert (
            await session.exec(select(func.count()).select_from(Group).where(Group.ward_code == BA_DINH))
        ).one() == 4
        imported = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "places.imported"))
        ).all()
        assert len(imported) == 2 and all(e.actor_person_id is None for e in imported)


async def test_printed_invitations_from_the_command_line_let_residents_join(
    town, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`andan invites print`: one page per group; what a phone camera reads off a page is a working join link."""
    import pypdf
    import pypdfium2 as pdfium
    import zxingcpp

    out = tmp_path / "to3.pdf"
    status = await asyncio.to_thread(
        run_cli, monkeypatch, town.settings, "invites", "print", "--ward", "cao lanh", "--group", "khom 2/to 3",
        "--paper", "A5", "--out", str(out),
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    assert "1 pages written" in capsys.readouterr().out
    pdf = out.read_bytes()
    page_text = pypdf.PdfReader(out).pages[0].extract_text()
    assert "Tổ 3" in page_text and "Khóm 2" in page_text and "Phường Cao Lãnh" in page_text
    image = pdfium.PdfDocument(pdf)[0].render(scale=100 / 72).to_pil()
    [found] = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    code = found.rsplit("/join/", 1)[1]
    assert code in page_text  # the code in large type is the one in the QR code

    for name in ("Hà", "Khoa"):  # a reusable link: several households of the group join by the same page
        person, replies = await join_with(town, name, code)
        assert "Tổ 3, Khóm 2, Phường Cao Lãnh" in person.all_text(replies)

    status = await asyncio.to_thread(
        run_cli, monkeypatch, town.settings, "invites", "print", "--ward", "cao lanh", "--group", "khom 9/to 1",
        "--out", str(out),
    )  # fmt: skip
    assert status == 2 and "matches 0 groups" in capsys.readouterr().err


async def test_residents_of_a_ward_without_groups_choose_theirs_once_the_ward_sets_them_up(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch, capsys
) -> None:
    """Item 7: a ward with no areas yet still works; when it sets them up, its residents are asked once."""
    early = await town.person("Sớm")
    await early.say("xin chào")
    await early.press("Tiếng Việt")
    await early.press("consent:yes")
    await early.say("ba dinh ha noi")
    replies = await early.press(next(c for c in early.choices() if c.startswith("Phường Ba Đình")))
    assert "chưa khai báo các khu dân cư" in early.all_text(
        replies
    ) and "nhờ anh/chị chọn tổ" in early.all_text(replies)
    replies = await early.say(
        "có người lạ rình rập trước nhà"
    )  # everything that needs no group already works
    assert early.choices()[0] == "Báo tin cho công an"

    good = tmp_path / "ba-dinh.csv"
    good.write_bytes(GOOD_FILE)
    for _attempt in range(2):  # importing twice asks nobody twice
        status = await asyncio.to_thread(
            run_cli, monkeypatch, town.settings, "places", "import", str(good), "--ward", str(BA_DINH)
        )
        assert status == 0, capsys.readouterr().err
    await town.drain()
    pushed = await early.poll()
    early.seen += pushed
    notices = [m for m in pushed if "đã lập các khu dân cư" in m["text"]]
    assert len(notices) == 1 and notices[0]["choices"]
    await early.press(notices[0]["choices"][0]["payload"])
    await early.press("Tổ dân phố 1")
    replies = await early.press("Tổ 2")
    assert "Tổ 2, Tổ dân phố 1, Phường Ba Đình" in early.all_text(replies)
    async with town.app.db.session() as session:
        grants = (await session.exec(select(RoleGrant).where(col(RoleGrant.revoked_at).is_(None)))).all()
    mine = [g for g in grants if g.ward_code == BA_DINH and g.role == "resident"]
    assert len(mine) == 1 and mine[0].group_id is not None  # the ward-level grant gave way to the group's
    replies = await early.press(notices[0]["choices"][0]["payload"])  # the old button, pressed again
    assert "đã chọn" in early.all_text(replies)
