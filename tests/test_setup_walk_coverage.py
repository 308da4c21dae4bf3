"""Pledge coverage in a ward's first campaign (Phường Tân An, Cần Thơ): anh Hai's Tổ 1 keeps its household list,
chị Ba's Tổ 2 and Khu vực 2's Tổ 1 have not entered theirs yet; one household signs. /baophu told chị Ba "Tất cả
các hộ đã ký" under "0/0", and the ward admin and the police "1/1 hộ đã ký 100%": groups without a household list
counted for nothing. Criterion 1 of TT 124 is 100% of households, so a group with no list is named, and nothing
is called complete while one has none. Each test was written failing, against the defect it names, before the
fix (handlers/pledges/coverage.py, flows/report.py, digest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.extensions.digest_sections import Scope as DigestScope
from handlers.pledges.digest import pledge_column, pledges_section
from models import Area, Group
from tests.test_pledges import JANUARY, open_campaign
from tests.test_reports import pushed
from tests.test_setup_walk_common import SMALL, TAN_AN, import_places, invited, leader, texts


async def first_campaign(
    town: Any, monkeypatch: Any, capsys: Any, tmp_path: Any, manual_clock: Any
) -> dict[str, Any]:
    codes = await import_places(town, monkeypatch, capsys, tmp_path, SMALL)
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    police = await invited(town, monkeypatch, capsys, "Thượng úy Khoa", "police")
    hai = await leader(town, codes[0], "Anh Hai")
    ba = await leader(town, codes[1], "Chị Ba")
    await hai.say("/hogiadinh")
    await hai.press("Thêm hộ")
    assert "Đã thêm" in texts(await hai.say("45/12 đường Trần Hưng Đạo; Phạm Văn Năm; 4"))
    await hai.press("Xong")
    await open_campaign(admin)
    manual_clock.set(JANUARY)
    # Chị Mười, of that household, finds her ward by name, links her household, and signs.
    muoi = await town.person("Chị Mười")
    await muoi.say("xin chào")
    await muoi.press("Tiếng Việt")
    await muoi.press("consent:yes")
    await muoi.say("tan an can tho")
    await muoi.press("Phường Tân An, Thành phố Cần Thơ")
    await muoi.press("Khu vực 1")
    await muoi.press("Tổ 1")
    await muoi.say("/hocuatoi")
    await muoi.say("45/12 tran hung dao")
    await muoi.press(muoi.choices()[0])
    await muoi.say("Phạm Thị Mười 0911 222 333")
    await town.drain()
    request = await pushed(hai)
    hai.seen += request
    await hai.press(request[-1]["choices"][0]["payload"])
    await town.drain()
    await muoi.say("/camket")
    await muoi.press("Tôi đã đọc")
    await muoi.press(muoi.choices()[0])
    await muoi.say("Phạm Văn Năm")
    assert "Đã ký" in texts(await muoi.press("Ký cam kết"))
    return {"admin": admin, "police": police, "hai": hai, "ba": ba}


async def test_a_leader_whose_group_has_no_household_list_is_told_so_and_where_to_make_it(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """Defect: chị Ba has not entered Tổ 2's households yet. /baophu told her "0/0 hộ đã ký ░░░ 0%" and, under it,
    "Tất cả các hộ đã ký." (every household has signed)."""
    people = await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    said = texts(await people["ba"].say("/baophu"))
    assert "Tất cả các hộ đã ký" not in said and "0/0" not in said, said
    assert "chưa có danh sách hộ" in said and "/hogiadinh" in said and "Danh sách hộ trong tổ" in said, said


async def test_the_ward_is_not_shown_complete_while_two_of_three_groups_have_no_household_list(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """Defect: with one household listed (and signed) in the whole ward, the ward admin's and the police's /baophu
    opened with "1/1 hộ đã ký ▓▓▓▓▓▓▓▓▓▓ 100%" and "Tất cả các hộ đã ký": Tổ 2 and Khu vực 2's Tổ 1 counted for
    nothing, so the ward read as done while two groups had not started."""
    people = await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    for viewer in (people["admin"], people["police"]):
        said = texts(await viewer.say("/baophu"))
        headline = said.split("\n")[1]
        assert "100%" not in headline and "Tất cả các hộ đã ký" not in said, said
        assert "2 tổ chưa có danh sách hộ" in said, said
        assert "Tổ 2, Khu vực 1: chưa có danh sách hộ\n" in said, said  # chị Ba leads it
        assert "Tổ 1, Khu vực 2: chưa có danh sách hộ, chưa có tổ trưởng" in said, said
        assert "Tổ 1, Khu vực 1: 1/1" in said, said
        # An area whose every group has no list is not "0/0 0%" either.
        assert "Khu vực 2 (chưa đăng ký): chưa có danh sách hộ" in said, said


async def test_an_area_leader_sees_the_groups_of_the_area_without_a_household_list(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    people = await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    area_leader = await invited(town, monkeypatch, capsys, "Bác Tư", "area_leader", "--area", "Khu vực 1")
    said = texts(await area_leader.say("/baophu"))
    assert "Tất cả các hộ đã ký" not in said and "100%" not in said.split("\n")[1], said
    assert "Tổ 2, Khu vực 1: chưa có danh sách hộ" in said and "Khu vực 2" not in said, said
    del people


async def test_once_every_group_has_its_list_and_all_signed_the_ward_is_told_so(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """The other side: "every household has signed" still comes, once it is true of every group."""
    people = await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    said = texts(await people["hai"].say("/baophu"))
    assert "1/1 hộ đã ký" in said and "Tất cả các hộ đã ký" in said, said


async def test_the_weekly_digest_names_the_groups_without_a_household_list(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """The weekly digest counts coverage as /baophu does: the police's is not "1/1 100%", chị Ba's is no "0/0"."""
    await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    async with town.app.db.session() as session:
        groups = {(g.name, g.area_id): g for g in (await session.exec(select(Group))).all()}
        areas = {a.name: a.id for a in (await session.exec(select(Area))).all()}
        to2 = groups[("Tổ 2", areas["Khu vực 1"])]
        end = manual_clock.now() + timedelta(days=1)
        start = end - timedelta(days=7)
        police = await pledges_section(session, DigestScope(TAN_AN, None, "police"), start, end)
        assert police is not None
        said = "\n".join(police.lines)
        assert "100%" not in police.lines[0] and "2 tổ chưa có danh sách hộ" in said, said
        assert "Khu vực 2: chưa có danh sách hộ" in said, said
        ba = await pledges_section(session, DigestScope(TAN_AN, to2.id, "group_admin"), start, end)
        assert (
            ba is not None and "0/0" not in ba.lines[0] and "chưa có danh sách hộ" in ba.lines[0].lower()
        ), ba
        column = await pledge_column(session, TAN_AN, start, end)
        assert column[to2.id] == "chưa có danh sách hộ" and "1/1" in column.values(), column


# What worked -----------------------------------------------------------------------------------------------------
async def test_ok_the_leader_sees_his_group_signed_and_the_unsigned_are_listed(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    people = await first_campaign(town, monkeypatch, capsys, tmp_path, manual_clock)
    hai = people["hai"]
    await hai.say("/hogiadinh")
    await hai.press("Thêm hộ")
    await hai.say("47 Trần Hưng Đạo; Lê Thị Sáu; 3")
    await hai.press("Xong")
    said = texts(await hai.say("/baophu"))
    assert "1/2 hộ đã ký" in said and "47 Trần Hưng Đạo — Lê Thị Sáu" in said and "45/12" not in said, said
