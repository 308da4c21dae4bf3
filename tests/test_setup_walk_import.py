"""The ward office's list, typed by hand, writes one place several ways: "Khu vực 2" and "Khu vực2"; "Tổ 1", "Tổ1"
and "Tổ 01"; "To 3" without accents. `andan places import` (and /diaban's import, the same code) made a second
area and group of each, without a word, and stored "To 3" as typed where the chat's "Thêm tổ" writes "Tổ 3". Each
test was written failing, against the defect it names, before the fix (handlers/places/sheet.py, store.py,
importer.py)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.textnorm import place_key
from handlers.places import names, sheet
from models import Area, Group
from tests.test_places_import import LIMITS
from tests.test_setup_walk_common import TAN_AN, import_file, invited, texts

HEADER = "Khu vực;Tổ;Tổ trưởng;Số điện thoại\n"


async def places_of(town: Any) -> list[tuple[str, str]]:
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(Group.name, Area.name)
                .join(Area, col(Area.id) == col(Group.area_id))
                .where(Group.ward_code == TAN_AN)
                .order_by(col(Group.id))
            )
        ).all()
    return [(g, a) for g, a in rows]


def test_twins_differ_only_in_spacing_leading_zeros_accents_or_case() -> None:
    same = [
        ("Khu vực 2", "Khu vực2"),
        ("Tổ 1", "Tổ1"),
        ("Tổ 1", "Tổ 01"),
        ("Tổ 3", "To 3"),
        ("Tổ 3", "TỔ  3"),
    ]
    same += [("Tổ dân phố 1", "Tổ dânphố 01"), ("Ấp Tân Hòa", "Ap Tan Hoa")]
    for one, other in same:
        assert place_key(one) == place_key(other), (one, other)
    for one, other in (
        ("Tổ 1", "Tổ 10"),
        ("Tổ 1A", "Tổ 1B"),
        ("Tổ 12", "Tổ 1 2"),
        ("Khu vực 1", "Khu vực 2"),
    ):
        assert place_key(one) != place_key(other), (one, other)
    # As the chat's "Thêm tổ" writes them.
    assert [names.written(n) for n in ("To 3", "to7", "khom 5", "TO 8a", "Tổ 01", "Thôn Đông")] == [
        "Tổ 3",
        "Tổ 7",
        "Khóm 5",
        "Tổ 8A",
        "Tổ 01",
        "Thôn Đông",
    ]


async def test_an_area_written_two_ways_is_one_area_and_the_report_says_which_lines(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """Defect: "Khu vực2" made a third area beside "Khu vực 2", and "To 3" was stored without its accents."""
    data = (
        HEADER
        + "Khu vực 1;Tổ 1;Nguyễn Văn Hai;0939 123 456\n"
        + "Khu vực 2;Tổ 01;Trần Văn Tư;0918 444 555\n"
        + "Khu vực2;Tổ 2;;\n"
        + "khu vuc 2;To 3;;\n"
    ).encode()
    status, out, err = await import_file(town, monkeypatch, capsys, tmp_path, data)
    assert status == 0, err
    assert await places_of(town) == [
        ("Tổ 1", "Khu vực 1"),
        ("Tổ 01", "Khu vực 2"),
        ("Tổ 2", "Khu vực 2"),
        ("Tổ 3", "Khu vực 2"),
    ]
    assert "Dòng 4: “Khu vực2” được coi là “Khu vực 2” ở dòng 3" in out, out
    assert "Dòng 5" not in out, out  # typed without accents, written as the chat writes it: nothing to say
    assert "Line 4: “Khu vực2” is taken as “Khu vực 2” of line 3" in out, out
    assert "Khu vực: tạo mới 2" in out or "2 created" in out, out

    # A later list with the same places written otherwise adds nothing, and says what it took them for.
    again = (HEADER + "Khu vực 02;Tổ 1;;\nKhu vực 2;Tổ  3;;\nKhu vực 2;Tổ 4;;\n").encode()
    status, out, err = await import_file(town, monkeypatch, capsys, tmp_path, again)
    assert status == 0, err
    assert [p for p in await places_of(town)][-1] == ("Tổ 4", "Khu vực 2") and len(await places_of(town)) == 5
    assert "Dòng 2: “Tổ 1, Khu vực 02” được coi là “Tổ 01, Khu vực 2” đã có" in out, out


async def test_a_group_listed_twice_under_two_spellings_is_refused_with_both_lines_named(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """Defect: the walk's file made 3 areas and 5 groups where the ward has 2 and 3. A group listed twice (its
    name or its area's written otherwise) is refused as a repeated line is, with the first spelling named."""
    data = (
        HEADER
        + "Khu vực 1;Tổ 1;Nguyễn Văn Hai;0939 123 456\n"
        + "Khu vực 2;Tổ 01;Trần Văn Tư;0918 444 555\n"
        + "Khu vực 2;Tổ1;;\n"
        + "Khu vực2;Tổ 2;;\n"
        + "Khu vực 2;Tổ 2;;\n"
    ).encode()
    status, out, err = await import_file(town, monkeypatch, capsys, tmp_path, data)
    assert status == 1 and await places_of(town) == [], (status, out)
    assert "Dòng 4: “Tổ1, Khu vực 2” đã có ở dòng 3, viết là “Tổ 01, Khu vực 2”" in err, err
    assert "Dòng 6: “Tổ 2, Khu vực 2” đã có ở dòng 5, viết là “Tổ 2, Khu vực2”" in err, err
    assert "Line 4: “Tổ1, Khu vực 2” already appears on line 3, written “Tổ 01, Khu vực 2”" in err, err


def test_the_same_rule_on_the_diaban_import() -> None:
    """/diaban's import parses with the same function: the rows it gets name one area, written as the chat would."""
    data = (HEADER + "Khu vực 2;to 1;;\nKhu vực2;Tổ 2;;\n").encode()
    parsed = sheet.parse(data, LIMITS, TAN_AN)
    assert [(r.area, r.group, r.typed_area) for r in parsed.rows] == [
        ("Khu vực 2", "Tổ 1", "Khu vực 2"),
        ("Khu vực 2", "Tổ 2", "Khu vực2"),
    ]


async def test_the_chat_refuses_a_twin_of_a_group_the_import_made(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    status, _out, err = await import_file(
        town, monkeypatch, capsys, tmp_path, (HEADER + "Khu vực 2;Tổ 1;;\n").encode()
    )
    assert status == 0, err
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    await admin.say("/diaban")
    await admin.press("Thêm tổ")
    await admin.press("Khu vực 2")
    said = texts(await admin.say("Tổ 01"))
    assert "Đã có nơi tên “Tổ 01”" in said, said
    await admin.say("/huy")
    await admin.say("/diaban")
    await admin.press("Thêm khu vực")
    said = texts(await admin.say("Khu vực2"))
    assert "Đã có" in said, said
