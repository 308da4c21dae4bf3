"""Bad spreadsheets for the places import (wrong columns, empty, huge, formulas, long names, unknown wards), and the
migration that brought retired places and join links, up and down."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
from alembic import command
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db import Database
from bot.i18n import use_locale
from bot.migrate import alembic_config, upgrade
from handlers.places import importer, sheet
from tests.test_places import BA_DINH, run_cli

LIMITS = sheet.Limits(max_bytes=2 * 1024 * 1024, max_lines=5000, max_name=80)


def problems(data: bytes, ward: int | None = BA_DINH, locale: str = "en") -> list[str]:
    parsed = sheet.parse(data, LIMITS, ward)
    with use_locale(locale):
        return [p.text() for p in parsed.problems]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_semicolon_csv_with_a_byte_order_mark_and_vietnamese_headers() -> None:
    data = "\ufeffKhu vực;Tổ;Mã xã;Họ tên tổ trưởng;SĐT\nThôn Đông;Tổ 1;4;Lê Văn Cường;0912345678\n\nThôn Đông;Tổ 2;;;\n"
    # The empty ward cell of line 4 has no --ward to fall back on.
    assert problems(data.encode(), None) == [
        "Line 4: the ward code is empty, and no ward was given with --ward"
    ]
    parsed = sheet.parse(data.encode(), LIMITS, BA_DINH)
    assert [(r.line, r.ward_code, r.area, r.group, r.leader_phone) for r in parsed.rows] == [
        (2, 4, "Thôn Đông", "Tổ 1", "0912 345 678"),
        (4, BA_DINH, "Thôn Đông", "Tổ 2", None),
    ]


def test_wrong_columns_and_empty_files_are_refused_with_a_reason() -> None:
    assert problems(b"name,phone\nA,B\n") == [
        "Line 1: the first row must name the columns “area” (khu vực, thôn, tổ dân phố…) and “group” (tổ), and "
        "may add “ward_code”, “leader_name” and “leader_phone”; found: name, phone"
    ]
    assert problems(b"area,group,Area\nA,B,C\n") == ["Line 1: the column “Area” appears twice"]
    for empty in (b"", b"\xef\xbb\xbf", b"\n \n", b" ;  ; \n"):
        assert problems(empty) == ["The file is empty."], empty
    assert problems(b"area,group\n\n") == ["The file has a header row but no areas or groups."]
    assert problems("area,group\nA,B\n".encode("utf-16")) == [
        "The file is neither UTF-8 text nor an Excel workbook (.xlsx). In Excel choose “Save as” → “CSV UTF-8” "
        "or “Excel Workbook” and send it again."
    ]
    assert problems(b"area,group\n", ward=None) == [
        "The file has no “ward_code” column, so I do not know the ward: give it with --ward (the ward code, "
        "or its name)."
    ]


def test_names_of_500_characters_bad_phones_and_duplicates_are_named_by_line() -> None:
    long = "x" * 500
    data = (
        "area,group,leader_name,leader_phone\n"
        f"{long},Tổ 1,,\n"
        f"Khu A,{long},,\n"
        f"Khu A,Tổ 1,{long},\n"
        "Khu A,Tổ 2,,0912345678\n"
        "Khu A,Tổ 3,An,+1 202 555 0101\n"
        "Khu A,Tổ 4,An,0912345678\n"
        "khu a,TỔ 4,,\n"
        "Khu A,---,,\n"
    ).encode()
    assert problems(data) == [
        "Line 2: the area name is longer than 80 characters",
        "Line 3: the group name is longer than 80 characters",
        "Line 4: the leader's name is longer than 80 characters",
        "Line 5: a leader's phone number needs the leader's name beside it",
        "Line 6: “+1 202 555 0101” is not a Vietnamese phone number",
        "Line 8: “TỔ 4, khu a” already appears on line 7",
        "Line 9: the group name “---” has no letters or digits",
    ]
    with use_locale("vi"):
        assert sheet.parse(data, LIMITS, BA_DINH).problems[0].text() == "Dòng 2: tên khu vực dài quá 80 ký tự"


def test_a_file_of_100000_lines_is_refused_by_the_limit() -> None:
    # One reason for the whole file, not 100,000 lines of complaints (how long it takes is for benchmarks).
    data = ("area,group\n" + "Khu 1,Tổ 1\n" * 100_000).encode()
    assert problems(data) == ["The file has more than 5000 lines. Please split it into several files."]
    workbook = xlsx([["area", "group"], *([f"Khu {i}", "Tổ 1"] for i in range(6000))])
    assert problems(workbook) == ["The file has more than 5000 lines. Please split it into several files."]
    assert problems(b"area,group\n" + b"x" * (3 * 1024 * 1024)) == [
        "The file is larger than 2 MB. Please split it into several files."
    ]


def test_xlsx_values_are_read_and_formulas_are_refused_never_computed() -> None:
    good = xlsx([["Khu vực", "Tổ", "ward_code"], ["Khóm 1", 3, 4], ["Khóm 1", "Tổ 4", None]])
    parsed = sheet.parse(good, LIMITS, BA_DINH)
    assert parsed.problems == []
    assert [(r.area, r.group, r.ward_code) for r in parsed.rows] == [
        ("Khóm 1", "3", 4),
        ("Khóm 1", "Tổ 4", BA_DINH),
    ]
    bad = xlsx([["area", "group"], ["Khóm 1", '=HYPERLINK("http://example.com","Tổ 1")'], ["=1+1", "Tổ 2"]])
    assert problems(bad) == [
        "Line 2: the cell B2 holds a formula; type its value instead",
        "Line 3: the cell A3 holds a formula; type its value instead",
    ]


def test_a_broken_workbook_or_a_zip_bomb_is_refused_unread() -> None:
    unreadable = (
        "The file looks like an Excel workbook but cannot be read. Open it in Excel, choose “Save as” → "
        "“Excel Workbook (.xlsx)” or “CSV UTF-8”, and send it again."
    )
    assert problems(b"PK\x03\x04 not really a zip") == [unreadable]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < LIMITS.max_bytes
    assert problems(out.getvalue()) == ["The file is larger than 2 MB. Please split it into several files."]


async def test_unknown_and_foreign_ward_codes_are_problems_of_their_lines(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    db = Database(db_url)
    try:
        async with db.session() as session:
            parsed = sheet.parse(b"ward_code,area,group\n4,A,B\n123456,A,B\n70,A,B\n", LIMITS)
            await importer.check(session, parsed, allowed_wards={4})
            with use_locale("en"):
                assert [p.text() for p in parsed.problems] == [
                    "Line 3: no commune or ward has the code 123456",
                    "Line 4: the ward code 70 is not the ward you manage",
                ]
    finally:
        await db.dispose()


def test_the_command_line_refuses_a_huge_file_without_reading_it(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'andan.db'}"
    from bot.settings import Settings

    settings = Settings(_env_file=None, database_url=url, secret_key="cli-test", places_import_max_mb=1)  # type: ignore[call-arg]
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"area,group\n" + b"Khu 1,To 1\n" * 200_000)
    assert run_cli(monkeypatch, settings, "places", "import", str(huge), "--ward", "4") == 1
    err = capsys.readouterr().err
    assert "Tệp lớn hơn 1 MB" in err and "The file is larger than 1 MB" in err
    assert run_cli(monkeypatch, settings, "places", "import", str(tmp_path / "missing.csv")) == 2


# The migration -------------------------------------------------------------------------------------------------
async def migrate(db: Database, revision: str, down: bool = False) -> None:
    def run(connection: Connection) -> None:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def test_the_migration_upgrades_and_downgrades(
    db_url: str, sqlite_templates, postgres_templates
) -> None:  # type: ignore[no-untyped-def]
    templates = postgres_templates if "postgresql" in db_url else sqlite_templates
    empty = await templates.new_url(empty=True)
    db = Database(empty)
    try:
        await upgrade(db, "0012_rate_limits")
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO province (code, name, name_folded) VALUES (1, 'P', 'p')"))
            await conn.execute(
                text(
                    "INSERT INTO ward (code, province_code, name, kind, name_folded) VALUES (4, 1, 'W', 'phường', 'w')"
                )
            )
            for number, used in ((1, "NULL"), (2, "'2026-01-01 00:00:00'")):
                await conn.execute(
                    text(
                        "INSERT INTO invite (code_hash, role, ward_code, created_at, expires_at, used_at) "
                        f"VALUES ('h{number}', 'resident', 4, '2026-01-01 00:00:00', '2027-01-01 00:00:00', {used})"
                    )
                )
        await upgrade(db)
        async with db.engine.begin() as conn:
            uses = dict((await conn.execute(text("SELECT code_hash, uses FROM invite"))).all())
            assert uses == {"h1": 0, "h2": 1}
            await conn.execute(
                text(
                    "INSERT INTO invite (code_hash, role, ward_code, created_at, expires_at, max_uses, uses) "
                    "VALUES ('link', 'resident', 4, '2026-01-01 00:00:00', '2027-01-01 00:00:00', 50, 3)"
                )
            )
        await migrate(db, "0012_rate_limits", down=True)
        async with db.engine.begin() as conn:
            revoked = dict((await conn.execute(text("SELECT code_hash, revoked_at FROM invite"))).all())
            assert (
                revoked["link"] is not None and revoked["h1"] is None
            )  # a join link cannot become single-use
            with pytest.raises(Exception, match="group_join"):
                await conn.execute(text("SELECT count(*) FROM group_join"))
        await upgrade(db)
        async with db.engine.begin() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM group_join"))).scalar() == 0
    finally:
        await db.dispose()
        await templates.drop(empty)


def test_parsing_is_done_off_the_event_loop_safely() -> None:
    """The chat parses in a worker thread: problems carry message ids, rendered in the reader's language later."""
    parsed = asyncio.run(asyncio.to_thread(sheet.parse, b"area,group\nA,\n", LIMITS, BA_DINH))
    with use_locale("vi"):
        assert [p.text() for p in parsed.problems] == ["Dòng 2: tên tổ bị trống"]
    with use_locale("en"):
        assert [p.text() for p in parsed.problems] == ["Line 2: the group name is empty"]
