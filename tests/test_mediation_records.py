"""Mediation records: the book exported as XLSX and CSV with the right rows for each reader, the follow-up a week
after an agreement (a broken one reopens the case), digest figures, personal data, and bad input."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlmodel import col, select

from bot.extensions.digest_sections import Scope
from bot.i18n import use_locale
from handlers.mediation import ticks
from models import Group
from models.mediation import CaseStatus, MediationCase
from tests.databases import DEMO_WARD
from tests.test_mediation import (
    NOISE,
    case_row,
    no_background_sender,  # noqa: F401  (autouse fixture)
    profile,
    pushed,
    request,
    settle,
    text_of,
)

AGREEMENT = "Ông Ba tắt karaoke trước 22 giờ mỗi tối."


async def agree(town, head, binh, number: str) -> None:  # type: ignore[no-untyped-def]
    """The head assigns Bình, who holds a session and records an agreement."""
    case = await case_row(town, number)
    await head.say("/hoagiai")
    await head.press(number)
    await head.press(f"hga:{case.id}")
    await head.press("Lê Văn Bình")
    await binh.say("/hoagiai")
    await binh.press(number)
    await binh.press(f"hgx:{case.id}")
    await binh.press("hqo:agreed")
    await binh.say(AGREEMENT)


async def fetch(person, message: dict, suffix: str) -> bytes:  # type: ignore[no-untyped-def,type-arg]
    media = next(m for m in message["media"] if m["filename"].endswith(suffix))
    async with person.http.get(person.url + media["url"]) as response:
        assert response.status == 200
        return await response.read()


async def test_the_book_has_the_right_rows_for_each_reader(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    minh = await town.join("Minh", area="Khóm 1", group="Tổ 1")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    noise = await request(lan, NOISE)
    family = await request(
        lan,
        "Em trai tôi không chịu chia phần nhà của bố mẹ để lại.",
        "Trần Văn Nam",
        kind="family",
        private=True,
    )
    elsewhere = await request(
        minh,
        "Nhà bên cạnh đổ nước thải sang sân nhà tôi.",
        "Võ Văn Tư",
        name="Đỗ Văn Minh",
        kind="neighbours",
    )
    await agree(town, head, binh, noise)

    replies = await head.say("/sohoagiai")
    assert "2 vụ việc" in head.all_text(replies) and "không được liệt kê" not in head.all_text(replies)
    sheet = load_workbook(io.BytesIO(await fetch(head, replies[-1], ".xlsx"))).active
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Số vụ việc", "Ngày tiếp nhận", "Loại việc"]
    assert [r[0] for r in rows[1:]] == [noise, family]  # Khóm 1's case belongs to another book
    assert elsewhere not in str(rows)
    assert rows[1][2:6] == ["Tiếng ồn", "Trần Thị Lan", "Nguyễn Văn Ba", "Lê Văn Bình"]
    assert rows[1][7] == "hòa giải thành" and rows[1][9] == AGREEMENT and rows[1][10] == "công khai"
    assert rows[2][4] == "Trần Văn Nam" and rows[2][10] == "kín" and rows[2][5] == ""

    # A mediator who does not handle the private case gets the open one and is told one was left out.
    replies = await binh.say("/sohoagiai 2026")
    assert "1 vụ việc." in binh.all_text(replies) and "1 vụ việc không được liệt kê" in binh.all_text(replies)
    table = list(csv.reader(io.StringIO((await fetch(binh, replies[-1], ".csv")).decode("utf-8-sig"))))
    assert [r[0] for r in table[1:]] == [noise]
    assert "Trần Văn Nam" not in str(table)

    # Residents have no book to export; an empty year is an empty book, not an error.
    replies = await lan.say("/sohoagiai")
    assert "/sohoagiai" in lan.all_text(replies) and "media" not in str(replies[-1].get("media") or "")
    replies = await head.say("/sohoagiai 2025")
    assert "0 vụ việc" in head.all_text(replies)


async def test_follow_up_a_week_later_and_a_broken_agreement_reopens(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    number = await request(lan, NOISE)
    await agree(town, head, binh, number)
    for person in (lan, binh, head):
        await settle(person)

    manual_clock.advance(timedelta(days=6))
    await ticks.follow_up(town.app)
    assert "thực hiện" not in text_of(await pushed(town, lan))

    manual_clock.advance(timedelta(days=1, hours=1))
    await town.restart()
    await ticks.follow_up(town.app)
    await ticks.follow_up(town.app)  # the hourly tick runs again: still one question
    question = await pushed(town, lan)
    assert text_of(question).count("Thỏa thuận có được thực hiện không?") == 1
    assert AGREEMENT in text_of(question)

    replies = await lan.press("Không, đã bị vi phạm")
    assert "mở lại" in lan.all_text(replies)
    case = await case_row(town, number)
    assert case.status == CaseStatus.REOPENED and case.reopened_count == 1 and case.closed_at is None
    assert number in text_of(await pushed(town, binh))
    assert "mở lại" in text_of(await pushed(town, head))

    replies = await lan.press("Không, đã bị vi phạm")  # a second press changes nothing
    assert "đã trả lời" in lan.all_text(replies)
    await binh.say("/hoagiai")
    replies = await binh.press(number)
    assert "Đề xuất buổi hòa giải" in [c["label"] for c in replies[-1]["choices"]]
    assert "mở lại vụ việc" in binh.all_text(replies)


async def test_digest_figures_and_group_column(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    agreed = await request(lan, NOISE)
    await request(lan, "Anh Tư nợ tôi 3 triệu đồng từ tháng 5 mà chưa trả.", "Phan Văn Tư", kind="debt")
    manual_clock.advance(timedelta(days=2))
    await agree(town, head, binh, agreed)

    start, end = manual_clock.now() - timedelta(days=7), manual_clock.now() + timedelta(hours=1)
    async with town.app.db.session() as session:
        with use_locale("vi"):
            section = await town.app.registry.digest_sections["mediation"].fn(
                session, Scope(DEMO_WARD, None, "police"), start, end
            )
        column = await town.app.registry.digest_columns["mediation"].fn(session, DEMO_WARD, start, end)
        group = (
            await session.exec(
                select(Group).join(MediationCase, col(MediationCase.group_id) == col(Group.id))
            )
        ).first()
    assert section is not None
    assert section.figures == {
        "received": 2,
        "in_progress": 1,
        "agreed": 1,
        "not_agreed": 0,
        "success_share": 1.0,
        "median_days": 2.0,
    }
    assert "Tỷ lệ hòa giải thành: 100" in "\n".join(section.lines)
    assert group is not None and column == {group.id: "1/1"}
    async with town.app.db.session() as session:
        with use_locale("vi"):
            own = await town.app.registry.digest_sections["mediation"].fn(
                session, Scope(DEMO_WARD, group.id, "resident"), start, end
            )
            other = await town.app.registry.digest_sections["mediation"].fn(
                session, Scope(DEMO_WARD, -1, "resident"), start, end
            )
    assert own is not None and own.figures["received"] == 2 and other is None
    async with town.app.db.session() as session:
        quiet = await town.app.registry.digest_sections["mediation"].fn(
            session,
            Scope(DEMO_WARD, None, "police"),
            datetime(2020, 1, 1, tzinfo=start.tzinfo),
            datetime(2020, 2, 1, tzinfo=start.tzinfo),
        )
    assert quiet is None


async def test_personal_data_and_bad_input(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    await lan.say("/hoagiai")
    await lan.press("hqk:debt")
    replies = await lan.say("nợ")
    assert "viết thêm" in lan.all_text(replies)
    await lan.say("Chị Hoa mượn tôi 2 triệu đồng từ tháng 3, hẹn nhiều lần vẫn chưa trả.")
    await town.restart()  # the form survives a restart
    await lan.say("Trần Thị Lan")
    replies = await lan.say("- ,")
    assert "ít nhất một họ tên" in lan.all_text(replies)
    await lan.say("Lê Thị Hoa (nhà số 5)")
    await lan.press("hqd:done")
    replies = await lan.say("có lẽ")  # neither button: asked again, nothing lost
    assert "Có, gấp" in [c["label"] for c in replies[-1]["choices"]]
    await lan.press("hqu:yes")
    await lan.press("hqt:any")
    await lan.press("hqv:no")
    replies = await lan.press("hqs:send")
    number = lan.all_text(replies).split("số vụ việc ")[1].split(".")[0]
    case = await case_row(town, number)
    assert case.urgent and case.preferred_times is None
    async with town.app.db.session() as session:
        from handlers.mediation.store import parties

        assert [(p.name, p.contact) for p in await parties(session, case.id or 0)][1] == (
            "Lê Thị Hoa",
            "nhà số 5",
        )

    replies = await lan.say("/toi")
    assert number in lan.all_text(replies)
    await lan.say("/xoadulieu")
    replies = await lan.press("forget:yes")
    text = lan.all_text(replies)
    assert number in text and "sổ theo dõi hòa giải" in text
    case = await case_row(town, number)
    assert (
        case.requester_id is None
        and case.status == CaseStatus.WITHDRAWN
        and case.requester_name == "Trần Thị Lan"
    )
