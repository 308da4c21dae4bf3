"""Dense logic of the pledges feature: reading CSV household lists, the progress bar, verification codes."""

from __future__ import annotations

from bot.i18n import use_locale
from handlers.pledges import csvimport, verify
from handlers.pledges.texts import bar


def parse(text: str, encoding: str = "utf-8") -> csvimport.Parsed:
    with use_locale("en"):
        return csvimport.parse(text.encode(encoding))


def test_excel_csv_with_bom_semicolons_and_blank_lines_is_read() -> None:
    found = parse(
        "\ufeffĐịa chỉ;Chủ hộ;Số nhân khẩu\r\n\r\nSố 1, đường A;Lê Văn Một;3\r\nSố 2;Trần  Thị   Hai;1\r\n"
    )
    assert found.errors == []
    assert [(r.line, r.address, r.head_name, r.members) for r in found.rows] == [
        (3, "Số 1, đường A", "Lê Văn Một", 3),
        (4, "Số 2", "Trần Thị Hai", 1),
    ]


def test_english_headers_without_accents_tabs_and_no_members_column() -> None:
    found = parse("Head of household\tAddress\nNguyen Van Ba\t12 Le Loi\n")
    assert found.errors == [] and found.rows[0].members == 1 and found.rows[0].address == "12 Le Loi"
    assert parse("dia chi,chu ho\nSo 3,Pham Bon\n").rows[0].head_name == "Pham Bon"


def test_every_bad_row_is_named_by_its_line_and_nothing_is_kept() -> None:
    found = parse("Địa chỉ,Chủ hộ,Số nhân khẩu\nSố 1,An,2\n,Bình,2\nSố 3,,0\nsố 1,Cường,x\nSố 5,Dũng\n")
    assert found.errors == [
        "line 3: the address is empty",
        "line 4: the head of household is empty",
        "line 4: the number of members “0” is not a whole number from 1 to 50",
        "line 5: the number of members “x” is not a whole number from 1 to 50",
        "line 6: the number of members “” is not a whole number from 1 to 50",
    ]
    duplicate = parse("Địa chỉ,Chủ hộ\nSố 1,An\nSỐ 1,Bình\n")
    assert duplicate.errors == ["line 3: the address “SỐ 1” already appears on line 2"]


def test_unreadable_files_get_a_clear_answer() -> None:
    assert "UTF-8" in parse("Dia chi,Chu ho\nSo 1,Ân\n", encoding="latin-1").errors[0]
    assert parse("").errors == ["The file is empty."]
    assert "header row" in parse("Tên,Số điện thoại\nAn,0909\n").errors[0]
    assert parse("Địa chỉ,Chủ hộ\n").errors == ["The file has a header row but no households."]
    with use_locale("vi"):
        assert csvimport.parse("Địa chỉ,Chủ hộ\n,An\n".encode()).errors == ["dòng 2: địa chỉ bị trống"]


def test_progress_bar_never_looks_full_before_everyone_signed() -> None:
    assert bar(14, 27) == "▓▓▓▓▓░░░░░ 51%"
    assert bar(26, 27) == "▓▓▓▓▓▓▓▓▓░ 96%"
    assert bar(27, 27) == "▓▓▓▓▓▓▓▓▓▓ 100%"
    assert bar(0, 0) == "░░░░░░░░░░ 0%"


def test_codes_are_unambiguous_and_forgiving_when_typed() -> None:
    codes = {verify.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 8 and not set(c) & set("0O1IL") for c in codes)
    assert verify.normalize(" abcd-2345 ") == "ABCD2345" and verify.shown("ABCD2345") == "ABCD-2345"
