"""A group report sent after its deadline, as the police see it: the /xembaocao overview, the report's own screen
and the period's export say it came late and when, by the same rule as the year's figures (/tongket).

Found by a walk (P2): Tổ 4 missed the Friday 17:00 deadline (the police got the missing list) and sent "không có gì
báo cáo" on Saturday 09:00; /xembaocao said "2/40 tổ đã gửi báo cáo" and listed Tổ 3 and Tổ 4 alike, while the year
review counted Tổ 4 as not on time. Written failing before the fix (handlers/reports/flows/police.py, export.py,
texts.py).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlmodel import select

from handlers.reports.texts import sent_late
from handlers.reports.year import missed
from models import Group, ReportSubmission
from tests.test_reports import at, download, pushed, quiet_week_reported, texts

VN = "+07:00"


async def tam_on_time_and_bao_late(town: Any, manual_clock: Any) -> Any:
    """Weekly reports due Friday 27/11 17:00: Tổ 3 reports Friday morning, Tổ 4 on Saturday 09:00. The officer."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    bao = await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    minh = await town.join("Minh", role="police")
    for p in (admin, tam, bao, minh):
        await p.poll()
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await at(town, manual_clock, "2026-11-27T10:00:00")
    await quiet_week_reported(tam)
    await at(town, manual_clock, "2026-11-27T17:05:00")
    assert "Tổ 4, Khóm 2" in texts(await pushed(minh))  # the missing list at the deadline
    await at(town, manual_clock, "2026-11-28T09:00:00")
    await bao.say("/baocao")
    assert "không có gì báo cáo" in texts(await bao.press("Kỳ này không có gì báo cáo"))
    return minh


async def test_a_report_sent_after_the_deadline_is_marked_late_in_the_police_overview(
    manual_clock: Any, town: Any
) -> None:
    """Defect: the overview counted and listed Tổ 4's late report exactly like Tổ 3's on-time one."""
    minh = await tam_on_time_and_bao_late(town, manual_clock)
    await minh.say("/xembaocao")
    overview = texts(await minh.press("Kỳ kết thúc 27/11/2026"))
    assert "2/40" in overview, overview
    assert "1 tổ gửi sau hạn" in overview, overview
    labels = minh.choices()
    [late] = [c for c in labels if c.startswith("Tổ 4, Khóm 2")]
    assert "trễ hạn" in late and "09:00 ngày 28/11/2026" in late, labels
    assert "Tổ 3, Khóm 2" in labels, labels  # on time: the plain name, nothing added


async def test_the_late_report_s_own_screen_and_the_export_say_it_came_late(
    manual_clock: Any, town: Any
) -> None:
    """Defect: Tổ 4's report read "gửi lúc 09:00 ngày 28/11/2026" with no word of the deadline it missed, and the
    export's rows of Tổ 3 and Tổ 4 differed only by the time."""
    minh = await tam_on_time_and_bao_late(town, manual_clock)
    await minh.say("/xembaocao")
    await minh.press("Kỳ kết thúc 27/11/2026")
    on_time = texts(await minh.press("Tổ 3, Khóm 2"))
    assert "Báo cáo của Tổ 3" in on_time and "trễ hạn" not in on_time, on_time
    await minh.press("vx:list")
    late = next(c for c in minh.choices() if c.startswith("Tổ 4, Khóm 2"))
    screen = texts(await minh.press(late))
    assert "09:00 ngày 28/11/2026" in screen and "trễ hạn" in screen and "17:00 ngày 27/11/2026" in screen, (
        screen
    )

    rows = list(
        csv.reader(io.StringIO((await download(minh, (await minh.press("vx:csv"))[-1])).decode("utf-8-sig")))
    )
    header = rows[0]
    column = header.index("Gửi trễ hạn")
    by_group = {(r[0], r[1]): r for r in rows[1:]}
    assert by_group[("Khóm 2", "Tổ 4")][column] == "Có", (header, by_group[("Khóm 2", "Tổ 4")])
    assert by_group[("Khóm 2", "Tổ 3")][column] == "Không", (header, by_group[("Khóm 2", "Tổ 3")])
    unsent = [r for r in rows[1:] if r[header.index("Đã gửi")] == "Không"]
    assert len(unsent) == 38 and {r[column] for r in unsent} == {""}  # not sent at all: "Đã gửi" says so

    # The same rule as the year's figures: the one report marked late is the one /tongket counts as missed.
    async with town.app.db.session() as session:
        sent = (await session.exec(select(ReportSubmission, Group.name).join(Group))).all()
        marked = {row.id for row, _name in sent if sent_late(row.submitted_at, row.due_at)}
        assert {name for row, name in sent if row.id in marked} == {"Tổ 4"}
        ward = sent[0][0].ward_code
        figures = await missed(
            session, ward, datetime.fromisoformat("2026-01-01T00:00:00" + VN), manual_clock.now()
        )
    counted = {i for place, figure in figures.items() if place.kind == "ward" for i in figure.record_ids}
    assert counted == marked
