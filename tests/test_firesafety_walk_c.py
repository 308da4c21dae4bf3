"""Walk C, fire safety: bà Tư (70, Zalo Bot, in Đồng Tháp) does her household's yearly checklist by typing, in her
own words; leaders look at coverage while one of their groups has no household list yet.

Each test was written failing, against the defect its docstring names, before the fix (handlers/firesafety).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.extensions.digest_sections import Scope
from bot.extensions.year_figures import Place
from bot.textnorm import fold
from models import Area, Group, Household
from models.fire_safety import FireSafetyChecklist
from tests.databases import DEMO_WARD
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, rows, texts
from tests.test_pledges import address_of


@pytest.fixture
async def zalo(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[tuple[Any, ZaloBotDriver]]:
    tu = ZaloBotDriver(user_id="zb-ba-tu", display_name="Tư")
    async with driver_town(tu, settings_for, db_url, delivery_enabled=False) as town:
        yield town, tu


async def pushed(town: Any, person: Any) -> list[dict[str, Any]]:
    await town.drain()
    messages = await person.poll()
    person.seen += messages
    return messages


async def in_her_household(town: Any, tu: ZaloBotDriver) -> None:
    """Bà Tư joins, finds household Số 121 by typing its address, and the group leader confirms her."""
    tam = await town.join("Tâm", role="group_admin")
    await joined(town, tu)
    address = await address_of(town, "Số 121,")
    await tu.say("/hocuatoi")
    await tu.say(address.replace("Số ", ""))
    assert "Tổ trưởng sẽ xác nhận" in texts(await tu.say("1"))
    asked = next(m for m in await pushed(town, tam) if m["choices"] and "Số 121" in m["text"])
    await tam.press(asked["choices"][0]["payload"])
    await town.drain()


# 1. Coverage while a group has no household list ------------------------------------------------------------
async def khom_5(town: Any) -> tuple[int, int, int]:
    """Khóm 5: Tổ 1 with two households, both with the 2026 checklist; Tổ 2, whose leader has not entered the
    household list yet. (area id, Tổ 1's id, Tổ 2's id)"""
    async with town.app.db.session() as session:
        area = Area(ward_code=DEMO_WARD, name="Khóm 5", name_folded=fold("Khóm 5"))
        session.add(area)
        await session.flush()
        listed = Group(area_id=area.id or 0, ward_code=DEMO_WARD, name="Tổ 1", name_folded=fold("To 1"))
        unlisted = Group(area_id=area.id or 0, ward_code=DEMO_WARD, name="Tổ 2", name_folded=fold("To 2"))
        session.add_all([listed, unlisted])
        await session.flush()
        for number in (1, 2):
            house = Household(
                group_id=listed.id or 0, address=f"Số {number}, đường Lê Lợi", head_name="Lê Văn A"
            )
            session.add(house)
            await session.flush()
            session.add(
                FireSafetyChecklist(
                    household_id=house.id or 0,
                    group_id=listed.id or 0,
                    address=house.address,
                    year=2026,
                    has_extinguisher=True,
                    extinguisher_expires_on=date(2027, 12, 31),
                    smoke_alarm=True,
                    escape_route_clear=True,
                    electrical_checked=True,
                    gas="checked",
                    has_shop=False,
                    signed_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
                    current_key=f"{house.id}:2026",
                )
            )
        await session.commit()
        return area.id or 0, listed.id or 0, unlisted.id or 0


async def test_coverage_does_not_read_full_while_a_group_has_no_household_list(
    ward: Any, manual_clock: Any
) -> None:
    """Defect: the area leader's /pccc → "Tỷ lệ kê khai" read "2/2 hộ đã kê khai ▓▓▓▓▓▓▓▓▓▓ 100%" for Khóm 5 and
    "Tổ 2, Khóm 5: kê khai 0/0": the area looked done while Tổ 2 has not entered its household list. Pledge
    coverage says "chưa có danh sách hộ" and never shows a share while a group has none; fire safety now reads
    the same (handlers/firesafety/coverage.py, flows/menu.py show_coverage)."""
    await khom_5(ward)
    leader = await ward.join("Trưởng khóm 5", role="area_leader", area="Khóm 5")
    await leader.say("/pccc")
    shown = texts(await leader.press("Tỷ lệ kê khai"))
    assert "100%" not in shown and "▓" not in shown, shown
    assert "2/2 hộ đã kê khai, tính trong 1/2 tổ đã có danh sách hộ" in shown, shown
    assert "1 tổ chưa có danh sách hộ nên chưa tính được tỷ lệ kê khai của Khóm 5" in shown, shown
    assert "Tổ 2, Khóm 5: chưa có danh sách hộ" in shown and "0/0" not in shown, shown
    assert "Khóm 5: kê khai 2/2, có bình chữa cháy 2/2, 1 tổ chưa có danh sách hộ" in shown, shown
    assert "Tổ 1, Khóm 5: kê khai 2/2, có bình chữa cháy 2/2" in shown, shown


async def test_the_group_without_a_list_is_told_where_to_enter_it(ward: Any, manual_clock: Any) -> None:
    """Tổ 2's leader, in /pccc → "Tỷ lệ kê khai", read "0/0 hộ đã kê khai ░░░░░░░░░░ 0%": nothing said that the
    group's list is missing, nor where it is entered."""
    await khom_5(ward)
    leader = await ward.join("Tổ trưởng tổ 2", role="group_admin", area="Khóm 5", group="Tổ 2")
    await leader.say("/pccc")
    replies = await leader.press("Tỷ lệ kê khai")
    shown = texts(replies)
    assert "Tổ 2, Khóm 5 chưa có danh sách hộ" in shown and "0/0" not in shown and "0%" not in shown, shown
    assert "cmd:hogiadinh" in [c["payload"] for r in replies for c in r.get("choices", [])], replies


async def test_the_police_see_the_same_in_the_ward_view_the_digest_and_the_year_figures(
    ward: Any, manual_clock: Any
) -> None:
    """The ward's view, the police's weekly digest and the year's figures counted Tổ 2 as 0/0 and the area (and the
    ward) by its listed groups only: Khóm 5 at 100%."""
    from handlers.firesafety.digest import section

    area_id, listed_id, unlisted_id = await khom_5(ward)
    police = await ward.join("Công an", role="police")
    await police.say("/pccc")
    shown = texts(await police.press("Tỷ lệ kê khai"))
    assert "tổ đã có danh sách hộ" in shown and "▓" not in shown, shown
    assert "Tổ 2, Khóm 5: chưa có danh sách hộ" in shown, shown

    start, end = datetime(2026, 11, 16, 17, tzinfo=UTC), datetime(2026, 11, 23, 17, tzinfo=UTC)
    async with ward.app.db.session() as session:
        digest = await section(session, Scope(DEMO_WARD, None, "police"), start, end)
        figures = ward.app.registry.year_figures["firesafety.checklist_share"]
        shares = await figures.fn(session, DEMO_WARD, datetime(2025, 12, 31, 17, tzinfo=UTC), end)
    assert digest is not None
    said = "\n".join(digest.lines)
    assert "tổ đã có danh sách hộ" in digest.lines[0] and "▓" not in said, digest.lines
    assert "Khóm 5: kê khai 2/2, có bình chữa cháy 2/2, 1 tổ chưa có danh sách hộ" in said, digest.lines
    assert not digest.figures, digest.figures  # an unknown share is no point on the ward's chart
    # The year's review: Tổ 1 at 2/2, Tổ 2 counted as none of none, Khóm 5 and the ward not known (no data).
    assert (shares[Place("group", listed_id)].numerator, shares[Place("group", listed_id)].denominator) == (
        2,
        2,
    )
    assert shares[Place("group", unlisted_id)].value == 0.0
    assert Place("area", area_id) not in shares and Place("ward", DEMO_WARD) not in shares


# 2. Southern words, and no answer kept for a question it did not answer -----------------------------------
async def checklist_of(town: Any) -> FireSafetyChecklist:
    [checklist] = await rows(town, FireSafetyChecklist)
    return checklist


async def test_a_southern_no_gas_is_no_gas(zalo: Any) -> None:
    """Defect: bà Tư answered the gas question ("1. Có, đã kiểm tra 2. Chưa kiểm tra 3. Nhà không dùng gas") with
    "nhà không xài gas" ("xài" is the south's "dùng"): "Vui lòng chọn một trong các mục", and her next "không"
    was kept as "Chưa kiểm tra": the house recorded as using gas it has not checked."""
    town, tu = zalo
    await in_her_household(town, tu)
    for said in ("/pccc", "có", "12/2027", "có", "có", "có"):
        await tu.say(said)
    shown = texts(await tu.say("nhà không xài gas"))
    assert "Vui lòng chọn" not in shown and "kinh doanh" in shown, shown
    assert "Ký" in texts(await tu.say("hổng có"))  # no shop: the answers read back, to sign
    assert "Đã ký" in texts(await tu.say("ký"))
    checklist = await checklist_of(town)
    assert (checklist.gas, checklist.has_shop) == ("none", False)


@pytest.mark.parametrize(
    ("then", "gas"), [("hổng có xài", "none"), ("không", "none"), ("có, mà chưa kiểm tra", "unchecked")]
)
async def test_a_bare_no_to_the_gas_question_is_asked_again_which_it_is(
    zalo: Any, then: str, gas: str
) -> None:
    """ "không" to "Năm nay bình gas… đã được kiểm tra chưa?" was kept as "Chưa kiểm tra", though for a house without
    gas it means "no gas": now it asks whether the house uses gas, and that answer is kept."""
    town, tu = zalo
    await in_her_household(town, tu)
    for said in ("/pccc", "không", "có", "có", "có"):
        await tu.say(said)
    shown = texts(await tu.say("không"))
    assert "Nhà có dùng gas" in shown and "kinh doanh" not in shown, shown
    assert "kinh doanh" in texts(await tu.say(then))
    await tu.say("không")
    await tu.say("ký")
    assert (await checklist_of(town)).gas == gas


async def test_her_own_words_answer_every_question(zalo: Any) -> None:
    """What people say for having or not having each thing ("nhà hổng có bình", "có gắn mà hư rồi", "chỉ có cửa
    trước") was "Vui lòng chọn…" at every question; an answer she cannot give ("không biết nữa") is refused and
    the question asked again, and her next word answers that question."""
    town, tu = zalo
    await in_her_household(town, tu)
    await tu.say("/pccc")
    shown = texts(await tu.say("không biết nữa"))
    assert "Vui lòng chọn" in shown and "bình chữa cháy" in shown, shown
    assert "báo khói" in texts(await tu.say("nhà hổng có bình"))  # no extinguisher: no date asked
    for said, next_question in (
        ("có gắn mà hư rồi", "Lối thoát nạn"),
        ("hổng có gì chắn hết", "dây điện"),
        ("chưa kiểm tra", "bình gas"),
        ("xài bếp điện", "kinh doanh"),
        ("có bán tạp hóa", "lối thoát nạn thứ hai"),
        ("chỉ có cửa trước thôi", "Ký"),
    ):
        shown = texts(await tu.say(said))
        assert "Vui lòng chọn" not in shown and next_question in shown, (said, shown)
    await tu.say("ký")
    checklist = await checklist_of(town)
    assert (checklist.has_extinguisher, checklist.smoke_alarm, checklist.escape_route_clear) == (
        False,
        False,
        True,
    )
    assert (checklist.electrical_checked, checklist.gas, checklist.has_shop) == (False, "none", True)
    assert checklist.second_exit is False


# 3. Her own words for the checklist; a leader's for coverage ------------------------------------------------
@pytest.mark.parametrize(
    "words",
    [
        "kiểm tra phòng cháy nhà tôi",
        "khai phiếu phòng cháy",
        "phiếu pccc",
        "kê khai phòng cháy chữa cháy",
        "kiem tra phong chay nha toi",
    ],
)
async def test_her_own_words_for_the_fire_checklist_lead_to_it(zalo: Any, words: str) -> None:
    """Defect: "kiểm tra phòng cháy nhà tôi" and "khai phiếu phòng cháy" were each "Xin lỗi, tôi chưa hiểu ý
    anh/chị" and the main menu, where the checklist is no entry ("phòng cháy" was only a weak phrase and "kiểm tra
    nhà tôi" had to be typed whole). Now they offer the checklist, and "có" opens it."""
    town, tu = zalo
    await in_her_household(town, tu)
    shown = texts(await tu.say(words))
    assert "chưa hiểu" not in shown and "1. An toàn phòng cháy chữa cháy (PCCC)" in shown, (words, shown)
    shown = texts(await tu.say("có"))
    assert "bình chữa cháy" in shown.lower(), shown


async def test_a_fire_in_the_house_is_still_an_emergency(zalo: Any) -> None:
    """The checklist's words take nothing from a fire happening now: "cháy nhà" gives the emergency numbers first."""
    town, tu = zalo
    await in_her_household(town, tu)
    for words in ("cháy nhà", "cháy nhà rồi cứu với", "nhà tôi bị cháy"):
        assert "114" in texts(await tu.say(words)), words


@pytest.mark.parametrize(
    "words", ["xem độ phủ", "tỷ lệ kê khai", "xem tỷ lệ kê khai", "bao nhiêu hộ đã kê khai"]
)
async def test_a_leader_types_coverage_under_the_fire_safety_menu(
    ward: Any, manual_clock: Any, words: str
) -> None:
    """Under the leaders' /pccc menu, "xem độ phủ" was "I did not understand": the entry's label ("Tỷ lệ kê khai")
    was the only words it took."""
    leader = await ward.join("Tâm", role="group_admin")
    await leader.say("/pccc")
    shown = texts(await leader.say(words))
    assert "hộ đã kê khai" in shown and "chưa hiểu" not in shown, (words, shown)


@pytest.mark.parametrize(
    ("item", "words", "read"),
    [
        ("gas", "nhà không xài gas", "none"),
        ("gas", "hông có xài", "none"),
        ("gas", "ko có xài", "none"),
        ("gas", "không dùng gas", "none"),  # the labels read it as their "no": "Chưa kiểm tra"
        ("gas", "nhà nấu bếp điện", "none"),
        ("gas", "không", "which"),
        ("gas", "hổng có đâu", "which"),
        ("gas", "chưa", "unchecked"),
        ("gas", "chưa có kiểm tra", "unchecked"),
        ("gas", "có kiểm tra rồi", "checked"),
        ("gas", "có xài gas", None),  # in use, but checked or not is not said: asked again
        ("gas_use", "có xài", "unchecked"),
        ("gas_use", "hổng có", "none"),
        ("extinguisher", "nhà hổng có bình", "no"),
        ("extinguisher", "hok có", "no"),
        ("extinguisher", "có 1 bình mà hết hạn rồi", "yes"),
        ("extinguisher", "cô ơi nhà con không có bình", "no"),  # "cô" is no "có"
        ("extinguisher", "không biết có không", None),
        ("smoke_alarm", "có gắn rồi", "yes"),
        ("smoke_alarm", "hổng có gắn", "no"),
        ("smoke_alarm", "có mà hư rồi", "no"),
        ("smoke_alarm", "không hư", "yes"),
        ("escape", "không bị chắn", "yes"),
        ("escape", "để xe máy ở cửa", "no"),
        ("electrical", "thợ mới kiểm tra", "yes"),
        ("electrical", "ổ cắm hay bị nóng", "no"),
        ("shop", "có bán tạp hóa", "yes"),
        ("shop", "nghỉ bán rồi", "no"),
        ("second_exit", "có cửa sau", "yes"),
        ("second_exit", "hổng có cửa sau", "no"),
        ("second_exit", "có 1 cửa thôi", "no"),
    ],
)
def test_what_people_answer_is_read_for_the_question_asked(item: str, words: str, read: str | None) -> None:
    from handlers.firesafety.answers import reading

    assert reading(item, words) == read
