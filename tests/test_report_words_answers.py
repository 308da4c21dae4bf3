"""A group leader answers the periodic report the way he would tell it to the ward police officer: "có, nhà bà Sáu
số 14 câu điện ra chợ" to the fire-hazard question, "có 2 hộ mới thuê trọ ở số 133 và 135" to the newcomers one.
Found by a walk (anh Hai, Tổ 1, Khu vực 1, Phường Tân An); each test was written failing, against the defect it
names, before the fix (handlers/reports/flows/submit.py, handlers/reports/words.py, store.py, texts.py, export.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import select

from models import ReportSubmission
from tests.test_reports import at, download, texts

FIRE = "có, nhà bà Sáu số 14 câu điện ra chợ"
NEWCOMERS = "có 2 hộ mới thuê trọ ở số 133 và 135"


async def started(town: Any, manual_clock: Any) -> tuple[Any, Any]:
    """Reports switched on with the defaults; anh Hai opens Tổ 3's report on Thursday, at question 1 of 6."""
    admin = await town.join("Chị Thảo", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    police = await town.join("Thượng úy Khoa", role="police")
    hai = await town.join("Anh Hai", role="group_admin", group="Tổ 3")
    await at(town, manual_clock, "2026-11-26T17:05:00")
    await hai.say("/baocao")
    assert "Câu 1/6" in texts(await hai.press("rp:start"))
    return hai, police


async def report_row(town: Any) -> ReportSubmission:
    async with town.app.db.session() as session:
        [row] = (await session.exec(select(ReportSubmission))).all()
    return row


async def police_read(police: Any) -> tuple[str, list[list[str]]]:
    """The officer's /xembaocao: the open period, Tổ 3's report as read in the chat, and the CSV export."""
    await police.say("/xembaocao")
    await police.press(police.choices()[0])
    report = texts(await police.press("Tổ 3, Khóm 2"))
    replies = await police.press("vx:csv")
    rows = list(csv.reader(io.StringIO((await download(police, replies[-1])).decode("utf-8-sig"))))
    return report, rows


# Defect 1: a yes or a no said in words, with the hazard named ---------------------------------------------------------
async def test_yes_with_the_hazard_named_is_taken_and_the_hazard_reaches_the_police(
    town: Any, manual_clock: Any
) -> None:
    """Defect: "có, nhà bà Sáu số 14 câu điện ra chợ" to "Câu 4/6: Có phát hiện nguy cơ cháy nổ không?" was refused
    ("Vui lòng chọn một trong các mục…"), the "ko" typed next for question 5 was stored as question 4's answer and
    every later answer shifted by one; the house named had no place in the report at all."""
    hai, police = await started(town, manual_clock)
    await hai.say("tuần này êm, không có vụ việc gì")
    await hai.say("0")
    assert "Câu 4/6" in texts(await hai.say("không có"))
    said = texts(await hai.say(FIRE))
    assert "Câu 5/6" in said and "Vui lòng chọn" not in said, said
    await hai.say("ko")  # question 5, social evils
    review = texts(await hai.say("đề nghị tăng cường tuần tra buổi tối"))
    assert "nhà bà Sáu số 14 câu điện ra chợ" in review, review
    row = await report_row(town)
    assert row.answers["fire"] == "yes" and row.answers["social_evils"] == "", (
        row.answers
    )  # "ko": nothing to note
    assert row.answers["proposals"] == "đề nghị tăng cường tuần tra buổi tối", row.answers
    assert "Đã gửi báo cáo" in texts(await hai.say("gửi"))

    report, rows = await police_read(police)
    assert "Có (nhà bà Sáu số 14 câu điện ra chợ)" in report, report
    header, tam = rows[0], next(r for r in rows if r[:2] == ["Khóm 2", "Tổ 3"])
    fire = next(i for i, h in enumerate(header) if "cháy nổ" in h)
    assert tam[fire] == "Có", (header, tam)  # the answer stays a yes, for the officer to count and filter
    assert "nhà bà Sáu số 14 câu điện ra chợ" in tam[fire + 1] and "cháy nổ" in header[fire + 1], (
        header,
        tam,
    )


async def test_a_yes_or_a_no_said_in_words_is_that_answer(town: Any, manual_clock: Any) -> None:
    """Each way a leader says yes or no to "Có phát hiện nguy cơ cháy nổ không?" is that answer, the words after it
    kept only when they say more than the yes or the no."""
    hai, _police = await started(town, manual_clock)
    await hai.say("Không có vụ việc")
    await hai.say("0")
    assert "Câu 4/6" in texts(await hai.say("không"))
    said = {
        "không có": ("no", None),
        "ko": ("no", None),
        "có ạ": ("yes", None),
        "dạ có": ("yes", None),
        "chưa thấy gì": ("no", None),
        "k có": ("no", None),
        "không phát hiện nguy cơ nào ạ": ("no", None),
        "Dạ không, nhưng nhà số 7 hay đốt vàng mã ngoài hẻm": (
            "no",
            "nhưng nhà số 7 hay đốt vàng mã ngoài hẻm",
        ),
        "co, quan nhau so 20 de binh gas canh bep": ("yes", "quan nhau so 20 de binh gas canh bep"),
        "Có - kho sơn của nhà số 9": ("yes", "kho sơn của nhà số 9"),
        FIRE: ("yes", "nhà bà Sáu số 14 câu điện ra chợ"),
    }
    for n, (words, (answer, detail)) in enumerate(said.items()):
        if n:
            await hai.press("rv:change")
            assert "Câu 4/6" in texts(await hai.press("rq:3"))
        replies = texts(await hai.say(words))
        assert ("Câu 5/6" if n == 0 else "Báo cáo của Tổ 3") in replies, (words, replies)
        if n == 0:
            await hai.say("không")  # questions 5 and 6, once
            await hai.say("không có")
        row = await report_row(town)
        assert row.answers["fire"] == answer, (words, row.answers)
        assert row.answers.get("_details", {}).get("fire") == detail, (words, row.answers)


async def test_words_that_are_neither_yes_nor_no_are_asked_again_with_what_is_expected(
    town: Any, manual_clock: Any
) -> None:
    """Words that say neither yes nor no are not an answer: the question comes back with what it expects, and
    nothing is stored for it; the yes given then is this question's, and the next answer the next question's."""
    hai, _police = await started(town, manual_clock)
    await hai.say("Không có vụ việc")
    await hai.say("0")
    await hai.say("không")
    said = await hai.say("nhà bà Sáu số 14 câu điện ra chợ")
    reason = said[0]["text"]
    assert "“có”" in reason and "“không”" in reason and "Câu 4/6" in said[-1]["text"], texts(said)
    assert "fire" not in (await report_row(town)).answers
    assert "Câu 5/6" in texts(await hai.say("có, nhà bà Sáu"))
    await hai.say("ko")
    row = await report_row(town)
    assert row.answers["fire"] == "yes" and row.answers["social_evils"] == "", row.answers


# Defect 2: a count with words around it keeps the words -------------------------------------------------------------
async def test_the_houses_of_the_newcomers_reach_the_police_with_their_count(
    town: Any, manual_clock: Any
) -> None:
    """Defect (silent loss): to "Người mới đến, tạm trú (bao nhiêu hộ)" anh Hai wrote "có 2 hộ mới thuê trọ ở số 133
    và 135"; only 2 was stored, and the houses the officer needs to check the temporary residence were dropped."""
    hai, police = await started(town, manual_clock)
    await hai.say("tuần này êm, không có vụ việc gì")
    await hai.say(NEWCOMERS)
    for answer in ("không có", "không", "không có"):
        await hai.say(answer)
    review = texts(await hai.say("không có"))
    assert "2 (có 2 hộ mới thuê trọ ở số 133 và 135)" in review, review
    assert "Đã gửi báo cáo" in texts(await hai.say("gửi"))
    row = await report_row(town)
    assert row.answers["newcomers"] == 2 and row.answers["_details"] == {"newcomers": NEWCOMERS}, row.answers

    report, rows = await police_read(police)
    assert "133 và 135" in report, report
    header, tam = rows[0], next(r for r in rows if r[:2] == ["Khóm 2", "Tổ 3"])
    count = next(i for i, h in enumerate(header) if "tạm trú" in h)
    assert tam[count] == "2" and tam[count + 1] == NEWCOMERS, (header, tam)


async def test_a_bare_count_keeps_no_words_and_a_changed_answer_drops_the_old_ones(
    town: Any, manual_clock: Any
) -> None:
    """ "2 hộ", "không có ai" or "3" say nothing more than the count: no words are kept beside it. A sent report
    changed with a bare count loses the words of the answer it replaces, once sent again."""
    hai, _police = await started(town, manual_clock)
    await hai.say("Không có vụ việc")
    await hai.say("2 hộ")
    assert (await report_row(town)).answers.get("_details") is None
    for answer in ("không", "không", "không", "không"):
        await hai.say(answer)
    await hai.press("rv:change")
    await hai.press("rq:1")
    await hai.say("3 hộ: số 133, 135 và 140")
    assert (await report_row(town)).answers["_details"] == {"newcomers": "3 hộ: số 133, 135 và 140"}
    assert "Đã gửi báo cáo" in texts(await hai.say("gửi"))

    await hai.say("/baocao")
    await hai.press("rp:edit")
    await hai.press("rv:change")
    await hai.press("rq:1")
    review = texts(await hai.say("không có ai"))
    assert "140" not in review, review
    assert (await report_row(town)).answers["_details"] == {
        "newcomers": "3 hộ: số 133, 135 và 140"
    }  # not sent yet
    await hai.press("rv:send")
    row = await report_row(town)
    assert row.answers["newcomers"] == 0 and "_details" not in row.answers, row.answers
