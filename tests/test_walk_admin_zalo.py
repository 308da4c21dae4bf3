"""Walk A, on the Zalo Bot (numbered lines, no buttons): chú Bình, cán bộ of Phường Nghĩa Đô (Thành phố Hà Nội, not
the demo ward), sets his ward up by typing numbers and words; cô Hoa, a group leader, joins by her invite and
keeps her list; anh Dũng joins by the group's link and signs the pledge typing numbers; chú Bình sees coverage.
The spreadsheet steps send him to the web chat, as Zalo cannot send files to a bot.

Each test named after a defect was written failing, against the defect, before the fix (handlers/places/,
handlers/pledges/); the `test_ok_` one records what worked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from models import Group
from tests.conftest import Town
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_pledges import JANUARY

NGHIA_DO = 160  # Phường Nghĩa Đô, Thành phố Hà Nội
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
LINK_CODE = re.compile(r"/lienket ([A-Z0-9-]+)")


@pytest.fixture
async def zalo(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Town, ZaloBotDriver]]:
    """The town on the fake Zalo Bot, and chú Bình, its ward admin there (joined by typing his code)."""
    admin = ZaloBotDriver(user_id="zb-binh", display_name="Chú Bình")
    async with driver_town(admin, settings_for, db_url, delivery_enabled=False) as town:
        code = await town.invite("ward_admin", None, None, NGHIA_DO)
        await admin.say(f"/thamgia {code}")
        await admin.say("1")  # Tiếng Việt
        assert "cán bộ quản trị xã/phường của Phường Nghĩa Đô" in "\n".join(await admin.say("1"))  # agrees
        yield town, admin


async def person(town: Town, admin: ZaloBotDriver, user_id: str, name: str) -> ZaloBotDriver:
    """Another Zalo user of the same bot."""
    driver = ZaloBotDriver(user_id=user_id, display_name=name, fake=admin.fake)
    await driver.start(town)
    return driver


def said(replies: list[str]) -> str:
    return "\n".join(replies)


async def group_names(town: Town) -> list[str]:
    assert town.app is not None
    async with town.app.db.session() as session:
        rows = await session.exec(
            select(Group.name).where(Group.ward_code == NGHIA_DO).order_by(col(Group.id))
        )
        return list(rows.all())


async def first_area(admin: ZaloBotDriver) -> None:
    """/diaban, "1" (Thêm khu vực), the area's name typed without accents."""
    assert "chưa có khu dân cư nào" in said(await admin.say("/diaban"))
    assert "Gõ tên khu vực mới" in said(await admin.say("1"))
    assert "Đã thêm khu vực “Tổ dân phố 1”" in said(await admin.say("to dan pho 1"))


# What worked ------------------------------------------------------------------------------------------------------
async def test_ok_a_ward_set_up_on_zalo_from_its_first_group_to_a_signed_pledge(
    zalo: tuple[Town, ZaloBotDriver], manual_clock: Any
) -> None:
    town, binh = zalo
    await first_area(binh)
    assert "Tổ mới thuộc khu vực nào?" in said(await binh.say("2"))  # Thêm tổ
    await binh.say("1")  # Tổ dân phố 1
    text = said(await binh.say("to 1"))
    assert "Đã thêm tổ “Tổ 1” vào Tổ dân phố 1" in text and "6. Cử tổ trưởng" in text, text
    await binh.say("cử tổ trưởng")  # the line's words, not its number
    text = said(await binh.say("1"))
    code = CODE.search(text)
    assert code is not None and "Trên Zalo: gõ /thamgia" in text, text
    await binh.say("9")  # Xong

    # Cô Hoa takes the role on Zalo, keeps her list by typing, and makes the group's link.
    hoa = await person(town, binh, "zb-hoa", "Cô Hoa")
    await hoa.say(f"/thamgia {code.group(0)}")
    await hoa.say("1")
    assert "tổ trưởng của Tổ 1, Tổ dân phố 1, Phường Nghĩa Đô" in said(await hoa.say("1"))
    await hoa.say("/hogiadinh")
    await hoa.say("thêm hộ")
    assert "Đã thêm" in said(await hoa.say("12 Hoàng Quốc Việt; Nguyễn Văn Tư; 4"))
    await hoa.say("xong")
    await hoa.say("/linknhom")
    await hoa.say("1")  # Tạo đường dẫn tham gia mới
    await hoa.say("1")  # 7 ngày
    link = CODE.search(said(await hoa.say("1")))  # 50 người
    assert link is not None

    # Chú Bình opens the year's campaign by numbers.
    assert "năm 2027" in said(await binh.say("/chiendich"))
    for number in ("1", "1", "1", "1"):
        await binh.say(number)
    assert "Đợt cam kết đã mở" in said(await binh.say("1"))

    # Anh Dũng joins by the link, finds his household, cô Hoa confirms, and he signs in January, all typed.
    dung = await person(town, binh, "zb-dung", "Anh Dũng")
    await dung.say(f"/thamgia {link.group(0)}")
    await dung.say("1")
    assert "người dân của Tổ 1, Tổ dân phố 1" in said(await dung.say("1"))
    await dung.say("/hocuatoi")
    await dung.say("12 hoang quoc viet")
    assert "Tổ trưởng sẽ xác nhận" in said(await dung.say("1"))
    await town.drain()
    assert "Anh Dũng xin được liên kết với hộ 12 Hoàng Quốc Việt" in hoa.sent()[-1]["text"]
    await hoa.say("1")
    await town.drain()
    manual_clock.set(JANUARY)
    await dung.say("/camket")
    await dung.say("1")  # Tôi đã đọc
    await dung.say("1")  # his household
    await dung.say("Nguyễn Văn Dũng")
    assert "Đã ký" in said(await dung.say("1"))
    text = said(await binh.say("/baophu"))
    assert "1/1 hộ đã ký" in text and "Tất cả các hộ đã ký" in text, text


# Defects ----------------------------------------------------------------------------------------------------------
async def test_xong_ok_or_a_bare_number_typed_for_a_name_makes_no_group_of_that_name(
    zalo: tuple[Town, ZaloBotDriver],
) -> None:
    """Defect: on Zalo, where the menu's "9. Xong" is typed, chú Bình typed "xong" after "Đã có nơi tên “Tổ 1”. Vui
    lòng gõ tên khác." and got a group named "xong"; "ok" and "không" made "ok" and "không"; "3", typed as every
    other answer here is, made a group "3" beside "Tổ 1"."""
    town, binh = zalo
    await first_area(binh)
    for typed in ("2", "1", "Tổ 1", "2", "1"):  # Thêm tổ, Tổ dân phố 1, Tổ 1; Thêm tổ, Tổ dân phố 1
        await binh.say(typed)
    text = said(await binh.say("tổ 1"))
    assert "Đã có nơi tên “tổ 1”" in text and "“xong”" in text, text
    text = said(await binh.say("xong"))
    assert "Chưa thêm gì" in text and "Anh/chị muốn làm gì?" in text, text
    for answer in ("ok", "không"):
        await binh.say("thêm tổ")
        await binh.say("1")
        assert "Chưa thêm gì" in said(await binh.say(answer))
    await binh.say("2")
    await binh.say("1")
    text = said(await binh.say("3"))
    assert "Đã thêm tổ “Tổ 3” vào Tổ dân phố 1" in text, text
    await binh.say("1")  # Thêm khu vực: "2" is Tổ dân phố 2, as the ward's only area is written
    assert "Đã thêm khu vực “Tổ dân phố 2”" in said(await binh.say("2"))
    assert await group_names(town) == ["Tổ 1", "Tổ 3"]


async def test_changes_typed_in_words_at_the_places_menu_are_understood(
    zalo: tuple[Town, ZaloBotDriver],
) -> None:
    """Defect: at /diaban's menu chú Bình typed what he wanted, as on Zalo one does: "xóa tổ 2", "đổi tên tổ dân
    phố 1", "cử tổ trưởng tổ 1", "thêm khu phố". Each was answered "Vui lòng chọn một trong các mục dưới đây"."""
    town, binh = zalo
    await first_area(binh)
    for typed in ("2", "1", "Tổ 1", "2", "1", "Tổ 2"):
        await binh.say(typed)
    text = said(await binh.say("xóa tổ 2"))
    assert "Giải thể Tổ 2?" in text, text
    await binh.say("không")
    text = said(await binh.say("đổi tên tổ dân phố 1"))
    assert "Tên hiện tại là “Tổ dân phố 1”" in text, text
    await binh.say("xong")
    text = said(await binh.say("cử tổ trưởng cho tổ 1"))
    assert "Lời mời tổ trưởng Tổ 1, Tổ dân phố 1: mã" in text, text
    text = said(await binh.say("giải thể tổ"))  # no group named: which one
    assert "Anh/chị muốn giải thể tổ nào?" in text and "2. Tổ 2, Tổ dân phố 1" in text, text
    await binh.say("/diaban")
    text = said(await binh.say("thêm"))
    assert "“thêm khu phố”" in text and "“thêm tổ”" in text, text
    text = said(await binh.say("thêm khu phố"))
    assert "Gõ tên khu vực mới" in text, text
    assert "Đã thêm khu vực “Khu phố 2”" in said(await binh.say("khu pho 2"))
    assert await group_names(town) == ["Tổ 1", "Tổ 2"]


async def test_quay_lai_typed_at_the_places_menu_does_not_fail(zalo: tuple[Town, ZaloBotDriver]) -> None:
    """Defect: "quay lại" typed at /diaban's menu, after a group was added, answered "Xin lỗi, hệ thống vừa gặp sự
    cố": it went back to the name question of the change already made, whose answers were gone. At /hogiadinh's
    menu it asked for the household just added again."""
    town, binh = zalo
    await first_area(binh)
    for typed in ("2", "1", "Tổ 1"):
        await binh.say(typed)
    text = said(await binh.say("quay lại"))
    assert "sự cố" not in text and "Anh/chị muốn làm gì?" in text, text
    assert "Tổ mới thuộc khu vực nào?" in said(await binh.say("2"))  # the menu still answers
    assert await group_names(town) == ["Tổ 1"]

    # The household list's menu: "quay lại" asked for the household just added again.
    await binh.say("/hogiadinh")
    await binh.say("thêm hộ")
    await binh.say("12 Hoàng Quốc Việt; Nguyễn Văn Tư; 4")
    text = said(await binh.say("quay lại"))
    assert "Nhập hộ theo dạng" not in text and "Tổ 1, Tổ dân phố 1: 1 hộ" in text, text


async def test_the_file_steps_on_zalo_say_how_to_reach_the_web_chat_as_oneself(
    zalo: tuple[Town, ZaloBotDriver],
) -> None:
    """Defect: "Nhập từ tệp" on Zalo said "mở trang trò chuyện web …, gõ /diaban ở đó rồi gửi tệp". Chú Bình did:
    the web chat, a stranger's, answered "Trước hết, mời anh/chị đăng ký" and the language question. Now it says
    to link the web chat first (/lienket), and doing as it says imports the file. The household list's import on
    Zalo asked for a file Zalo cannot send."""
    town, binh = zalo
    await first_area(binh)
    text = said(await binh.say("nhập từ tệp"))
    assert "Trên Zalo không gửi tệp cho tôi được" in text and "/lienket" in text and "/diaban" in text, text
    code = LINK_CODE.search(said(await binh.say("/lienket")))
    assert code is not None
    web = await town.person("Chú Bình")
    text = "\n".join(m["text"] for m in await web.say(f"/lienket {code.group(1)}"))
    assert "đã được liên kết" in text, text
    await web.say("/diaban")
    await web.press("Nhập từ tệp")
    sheet = (
        "Khu vực;Tổ;Tổ trưởng;Số điện thoại\nTổ dân phố 1;Tổ 1;Đỗ Thị Hoa;0912 345 678\nTổ dân phố 1;Tổ 2;;\n"
    )
    text = "\n".join(m["text"] for m in await web.send_file(sheet.encode(), "nghia-do.csv", "text/csv"))
    assert (
        "Tổ: tạo mới 2" in text and "Đỗ Thị Hoa (0912 345 678), tổ trưởng Tổ 1, Tổ dân phố 1: mã" in text
    ), text

    # The household list on Zalo: the same way to the web chat, and typing one household still works here.
    text = said(await binh.say("/hogiadinh"))
    await binh.say("1")  # Tổ 1, Tổ dân phố 1
    text = said(await binh.say("nhập từ tệp csv hoặc excel"))
    assert "Trên Zalo không gửi tệp cho tôi được" in text and "/hogiadinh" in text, text
    await binh.say("/hogiadinh")
    await binh.say("1")
    await binh.say("thêm hộ")
    assert "Đã thêm" in said(await binh.say("12 Hoàng Quốc Việt; Nguyễn Văn Tư; 4"))


async def test_a_resident_who_comes_to_sign_before_the_campaign_opens_is_told_when_it_opens(
    zalo: tuple[Town, ZaloBotDriver], manual_clock: Any
) -> None:
    """Defect: chú Bình opened the 2027 campaign in November, as /chiendich suggests; anh Dũng, who joined by the
    group's link, typed /camket at once and was told "Hiện chưa có đợt cam kết nào đang mở cho khu dân cư của
    anh/chị": not that it opens on 01/01/2027, nor that he can find his household meanwhile."""
    town, binh = zalo
    await first_area(binh)
    for typed in ("2", "1", "Tổ 1", "9", "/chiendich", "1", "1", "1", "1", "1", "/linknhom", "1", "1", "1"):
        text = said(await binh.say(typed))
    link = CODE.search(text)
    assert link is not None, text
    dung = await person(town, binh, "zb-dung", "Anh Dũng")
    await dung.say(f"/thamgia {link.group(0)}")
    await dung.say("1")
    await dung.say("1")
    text = said(await dung.say("/camket"))
    assert "01/01/2027" in text and "/hocuatoi" in text, text
    assert "chưa có đợt cam kết nào" not in text, text
