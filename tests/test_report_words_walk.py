"""The walk that found the defects of tests/test_report_words_answers.py, as it went: a real ward (Phường Tân An,
Thành phố Cần Thơ) set up the way the README says (`andan places import`, `andan invite`); anh Hai, leader of Tổ 1,
Khu vực 1, is reminded of the weekly report and answers it the way he would tell it to the ward police officer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import select

from models import ReportSubmission
from tests.test_reports import at, pushed
from tests.test_setup_walk_common import SMALL, import_places, invited, leader, texts


async def reminded(
    town: Any, monkeypatch: Any, capsys: Any, tmp_path: Path, manual_clock: Any
) -> tuple[Any, Any]:
    """Reports switched on with the defaults; Thursday's reminder reaches anh Hai, who presses it and starts."""
    codes = await import_places(town, monkeypatch, capsys, tmp_path, SMALL)
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    police = await invited(town, monkeypatch, capsys, "Thượng úy Khoa", "police")
    hai = await leader(town, codes[0], "Anh Hai")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await hai.poll()
    await at(town, manual_clock, "2026-11-26T17:05:00")
    reminder = await pushed(hai)
    hai.seen += reminder
    assert "Nhắc nhở: báo cáo của Tổ 1" in texts(reminder)
    await hai.press("Gửi báo cáo")
    assert "Câu 1/6" in texts(await hai.say("bắt đầu"))
    return hai, police


async def test_yes_with_the_reason_to_the_fire_question_is_taken_and_the_reason_kept(
    town: Any, tmp_path: Path, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """Defect: "có, nhà bà Sáu số 14 câu điện ra chợ" to "Câu 4/6" was refused, and the house had no place in the
    report; the "ko" typed next for question 5 became question 4's answer."""
    hai, police = await reminded(town, monkeypatch, capsys, tmp_path, manual_clock)
    await hai.say("tuần này êm, không có vụ việc gì")
    await hai.say("0")
    assert "Câu 4/6" in texts(await hai.say("không có"))
    said = texts(await hai.say("có, nhà bà Sáu số 14 câu điện ra chợ"))
    assert "Câu 5/6" in said, said
    assert "Câu 6/6" in texts(await hai.say("ko"))
    review = texts(await hai.say("không có"))
    assert "Có (nhà bà Sáu số 14 câu điện ra chợ)" in review, review
    assert "Đã gửi báo cáo" in texts(await hai.say("gửi"))
    async with town.app.db.session() as session:
        [row] = (await session.exec(select(ReportSubmission))).all()
    assert row.answers.get("fire") == "yes" and "số 14" in str(row.answers), row.answers
    await police.say("/xembaocao")
    await police.press(police.choices()[0])
    report = texts(await police.press("Tổ 1, Khu vực 1"))
    assert "Có (nhà bà Sáu số 14 câu điện ra chợ)" in report, report


async def test_the_houses_of_the_newcomers_reach_the_police_with_their_count(
    town: Any, tmp_path: Path, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    """Defect (silent loss): "có 2 hộ mới thuê trọ ở số 133 và 135" was stored as 2, the houses dropped."""
    hai, police = await reminded(town, monkeypatch, capsys, tmp_path, manual_clock)
    await hai.say("tuần này êm, không có vụ việc gì")
    await hai.say("có 2 hộ mới thuê trọ ở số 133 và 135")
    for answer in ("không có", "không", "không có", "không có"):
        await hai.say(answer)
    sent = texts(await hai.say("gửi"))
    assert "Đã gửi báo cáo" in sent, sent
    async with town.app.db.session() as session:
        [row] = (await session.exec(select(ReportSubmission))).all()
    assert row.status == "submitted" and row.answers["newcomers"] == 2
    assert "133" in str(row.answers), row.answers
    await police.say("/xembaocao")
    await police.press(police.choices()[0])
    report = texts(await police.press("Tổ 1, Khu vực 1"))
    assert "2 (có 2 hộ mới thuê trọ ở số 133 và 135)" in report, report


async def test_ok_a_report_answered_in_words_is_sent_and_the_police_hear_who_is_missing(
    town: Any, tmp_path: Path, monkeypatch: Any, capsys: Any, manual_clock: Any
) -> None:
    hai, police = await reminded(town, monkeypatch, capsys, tmp_path, manual_clock)
    await hai.say("tuần rồi có vụ trộm xe máy ở hẻm 45 Trần Hưng Đạo, đã báo công an")
    await hai.say("không có ai")
    await hai.say("không có")
    await hai.say("không")
    await hai.say("ko có")
    review = texts(await hai.say("đề nghị tăng cường tuần tra buổi tối"))
    assert "trộm xe máy" in review and "tuần tra" in review, review
    assert "Đã gửi báo cáo" in texts(await hai.say("gửi"))
    await police.poll()
    await at(town, manual_clock, "2026-11-28T09:00:00")
    missing = texts(await pushed(police))
    assert "2/3 tổ chưa gửi" in missing and "Tổ 2, Khu vực 1" in missing and "Tổ 1, Khu vực 1" not in missing
