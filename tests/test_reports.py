"""Periodic group reports over a simulated week: setup, reminders, answering, late groups, police reading."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlmodel import select

from bot.app.scheduler import run_due
from models import OutboxMessage, ReportConfig, ReportSubmission

VN = "+07:00"


async def at(town, manual_clock, moment: str) -> None:  # type: ignore[no-untyped-def]
    """Move the clock to a local time, run what is due, deliver it."""
    manual_clock.set(datetime.fromisoformat(moment + VN))
    await run_due(town.app)
    await town.drain()


async def quiet_week_reported(leader):  # type: ignore[no-untyped-def]
    """The leader sends the ward's default weekly report: nothing happened, no one new."""
    await leader.say("/baocao")
    await leader.press("rp:start")
    for answer in ("Không có", "0", "Không có", "Không", "Không", "Không"):
        await leader.say(answer)
    await leader.press("rv:send")


async def pushed(person):  # type: ignore[no-untyped-def]
    """What was pushed to this person since the last look (not the answers to what they typed)."""
    answered = {m["id"] for m in person.seen}
    return [m for m in await person.poll() if m["id"] not in answered]


def texts(messages) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m["text"] for m in messages)


async def download(person, message) -> bytes:  # type: ignore[no-untyped-def]
    async with person.http.get(person.url + message["media"][0]["url"]) as response:
        assert response.status == 200
        return await response.read()


async def test_a_week_of_reports_reminders_late_groups_and_police_reading(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    bao = await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    police = await town.join("Thiếu úy Hùng", role="police")
    for person in (admin, tam, bao, police):
        await person.poll()  # from here on, poll() shows only what is pushed

    # Monday: the ward admin switches reports on with the defaults (weekly, Friday 17:00, six questions).
    replies = await admin.say("/caidatbaocao")
    assert "Thứ Sáu" in texts(replies) and "17:00" in texts(replies)
    replies = await admin.press("rs:done")
    assert "Đã lưu" in texts(replies)

    # A group admin before the deadline gets nothing yet.
    await at(town, manual_clock, "2026-11-25T12:00:00")
    assert await pushed(tam) == []

    # Thursday 17:05: the day-before reminder, to both group admins.
    await at(town, manual_clock, "2026-11-26T17:05:00")
    for person in (tam, bao):
        got = texts(await pushed(person))
        assert "Nhắc" in got and "/baocao" in got
    await at(town, manual_clock, "2026-11-26T17:20:00")  # the next tick queues nothing twice
    assert await pushed(tam) == []

    # Friday 07:30: the morning reminder.
    await at(town, manual_clock, "2026-11-27T07:35:00")
    assert "/baocao" in texts(await pushed(tam))
    assert "/baocao" in texts(await pushed(bao))

    # Tâm answers question by question; a wrong number is answered politely; a restart loses nothing.
    replies = await tam.say("/baocao")
    assert "Tổ 3" in texts(replies) and "6" in texts(replies)
    await tam.press("rp:start")
    replies = await tam.say("Mất trộm xe đạp ở hẻm 12")
    assert "2/6" in texts(replies) or "2 / 6" in texts(replies) or "2 trên 6" in texts(replies)
    replies = await tam.say("vài hộ")
    # Asked again for a number ("ba hộ" is read: tests/test_number_words.py).
    assert "số" in texts(replies).lower()
    await tam.say("3")
    await town.restart()
    await tam.press("Không có gì cần ghi")  # disputes: nothing
    await tam.press("Có")  # fire hazards: yes
    await tam.say("Không")  # social evils: a typed "no" is a text answer here
    replies = await tam.say("Đề nghị tăng tuần tra buổi tối")
    review = texts(replies)
    assert "Mất trộm xe đạp" in review and "3" in review and "tuần tra" in review
    replies = await tam.press("rv:send")
    assert "Đã gửi" in texts(replies) or "đã được gửi" in texts(replies)

    # Tâm starts changing an answer and leaves: the sent report stays as it was sent.
    async def sent_incidents() -> object:
        async with town.app.db.session() as session:
            row = (
                await session.exec(select(ReportSubmission).where(ReportSubmission.status == "submitted"))
            ).one()
            return row.answers.get("incidents")

    await tam.say("/baocao")
    await tam.press("rp:edit")
    await tam.press("rv:change")
    await tam.press("rq:0")
    review = texts(await tam.say("Không có vụ việc"))
    assert "Không có vụ việc" in review  # the review shows the change before it is sent
    assert await sent_incidents() == "Mất trộm xe đạp ở hẻm 12"
    assert "như đã gửi" in texts(await tam.say("/huy"))
    assert await sent_incidents() == "Mất trộm xe đạp ở hẻm 12"

    # Tâm changes an answer before the deadline.
    await tam.say("/baocao")
    await tam.press("rp:edit")
    await tam.press("rv:change")
    await tam.press("rq:1")
    await tam.say("4")
    await tam.press("rv:send")

    # Friday 17:05, after the deadline: police get the list (Tổ 4 missing, Tổ 3 not), Bảo a last reminder.
    await at(town, manual_clock, "2026-11-27T17:05:00")
    listing = texts(await pushed(police))
    assert "Tổ 4, Khóm 2" in listing and "Tổ 3, Khóm 2" not in listing
    assert "39" in listing and "40" in listing
    assert "trễ" in texts(await pushed(bao))
    assert await pushed(tam) == []
    await at(town, manual_clock, "2026-11-27T18:00:00")
    assert await pushed(police) == [] and await pushed(bao) == []  # once only

    # Tâm can no longer change the report; police read it and export the period.
    replies = await tam.say("/baocao")
    assert "04/12/2026" in texts(replies)  # the next period's report, not the frozen one
    await police.say("/xembaocao")
    await police.press(police.choices()[1])  # the period that just closed
    overview = police.last_text()
    assert "1" in overview and "40" in overview and "Tổ 4, Khóm 2" in overview
    replies = await police.press("Tổ 3, Khóm 2")
    report = texts(replies)
    assert "Mất trộm xe đạp" in report and "4" in report
    replies = await police.press("vx:csv")
    rows = list(csv.reader(io.StringIO((await download(police, replies[-1])).decode("utf-8-sig"))))
    assert len(rows) == 41
    row3 = next(r for r in rows if r[1] == "Tổ 3" and r[0] == "Khóm 2")
    assert "Mất trộm xe đạp ở hẻm 12" in row3 and "4" in row3
    replies = await police.press("vx:xlsx")
    book = load_workbook(io.BytesIO(await download(police, replies[-1])))
    values = [[c.value for c in r] for r in book.active.iter_rows()]
    assert len(values) == 41 and any(r[1] == "Tổ 4" and r[2] == "Không" for r in values)

    # Bảo sends his late report (nothing to report); the police overview counts it.
    replies = await bao.say("/baocao")
    assert "27/11/2026" in texts(replies) and "gửi ngay" in texts(replies)
    replies = await bao.press("rp:none")
    assert "Cảm ơn" in texts(replies)
    await police.say("/xembaocao")
    await police.press(police.choices()[1])
    assert "2/40" in police.last_text() and "Tổ 4, Khóm 2" not in police.last_text()

    async with town.app.db.session() as session:
        submitted = (
            await session.exec(
                select(ReportSubmission)
                .where(ReportSubmission.status == "submitted")
                .order_by(ReportSubmission.id)
            )
        ).all()  # type: ignore[arg-type]
        assert [s.answers.get("newcomers") for s in submitted] == [4, None]
        assert submitted[1].nothing_to_report and submitted[1].submitted_at > submitted[1].due_at  # late
        reminders = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))).all()
        assert len(reminders) == 5  # 2 admins × 2 reminders + Bảo's last one


async def test_nothing_to_report_is_one_press_and_a_draft_survives(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    bao = await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    lan = await town.join("Lan", role="group_admin", group="Tổ 5")

    replies = await bao.say("/baocao")
    replies = await bao.press("Kỳ này không có gì báo cáo")
    assert "Cảm ơn" in texts(replies)

    await lan.say("/baocao")
    await lan.press("rp:start")
    await lan.say("Không có vụ việc")
    await lan.say("/huy")  # interrupted
    manual_clock.advance(timedelta(hours=3))  # the conversation expires; the draft does not
    await town.restart()
    replies = await lan.say("/baocao")
    assert "1" in texts(replies) and "6" in texts(replies)  # a draft with 1 of 6 answers
    replies = await lan.press("rp:start")
    assert "2" in texts(replies)  # resumes at the second question

    async with town.app.db.session() as session:
        rows = {r.group_id: r for r in (await session.exec(select(ReportSubmission))).all()}
    assert sum(r.nothing_to_report and r.status == "submitted" for r in rows.values()) == 1
    assert (
        sum(r.status == "draft" and r.answers == {"incidents": "Không có vụ việc"} for r in rows.values())
        == 1
    )


async def test_ward_admin_edits_cadence_questions_and_bad_input_is_answered(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin", locale="en")
    replies = await admin.say("/reportsetup")
    assert "weekly, due Friday at 17:00" in texts(replies)
    await admin.press("rs:cadence")
    await admin.press("rc:monthly")
    replies = await admin.say("31")
    assert "1 to 28" in texts(replies)
    await admin.say("25")
    await admin.press("rs:time")
    replies = await admin.say("lúc nào cũng được")
    assert "17:00" in texts(replies)
    replies = await admin.say("16h30")
    assert "monthly, due on day 25 at 16:30" in texts(replies)
    await admin.press("rs:add")
    await admin.say("How many street lights are broken?")
    await admin.press("rk:number")
    await admin.press("rs:remove")
    replies = await admin.press("rr:social_evils")
    assert "street lights" in texts(replies) and "Social evils" not in texts(replies)
    await admin.press("rs:chat")
    await admin.press("rs:digest")
    await admin.press("dd:6")
    replies = await admin.say("8:00")
    assert "Sunday at 08:00" in texts(replies)
    await admin.press("rs:done")

    async with town.app.db.session() as session:
        cfg = (await session.exec(select(ReportConfig))).one()
    assert (cfg.cadence, cfg.due_day, cfg.due_time, cfg.remind_group_chat) == ("monthly", 25, "16:30", True)
    assert [q["kind"] for q in cfg.questions][-1] == "number" and len(cfg.questions) == 6

    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3", locale="en")
    replies = await tam.say("/report")
    assert "25" in texts(replies) and "6 questions" in texts(replies)


async def test_personal_data_covers_the_reports_a_leader_sent(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    from bot.i18n import use_locale
    from models import Person

    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await tam.say("/baocao")
    await tam.press("rp:none")
    provider = town.app.registry.personal_data["reports"]
    async with town.app.db.session() as session:
        person = (await session.exec(select(Person).where(Person.display_name == "Anh Tâm"))).first() or (
            await session.exec(select(Person).order_by(Person.id.desc()))
        ).first()  # type: ignore[union-attr]
        exported = await provider.export(session, person)
        assert [r["status"] for r in exported["group_reports_sent"]] == ["submitted"]
        with use_locale("vi"):
            said = await provider.summary(session, person)  # what /toi shows: a sentence
        assert said[0].startswith("Báo cáo của tổ anh/chị đã gửi: 1, lần gần nhất ngày ")
        notes = await provider.erase(session, person)
        await session.commit()
        assert notes and await provider.export(session, person) == {}  # nothing left: /toi says nothing
        report = (await session.exec(select(ReportSubmission))).one()
        assert report.author_id is None and report.status == "submitted"  # the group's report stays


async def test_an_outdated_button_or_a_stray_answer_is_asked_again(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin", locale="en")
    await admin.say("/reportsetup")
    replies = await admin.say("whenever suits")  # matches no entry of the menu
    assert "Please choose one of the options" in texts(replies) and "Due time" in str(replies[-1]["choices"])
    await admin.press("rs:cadence")
    replies = await admin.press("rs:done")  # the menu's button, pressed at the cadence question
    assert "earlier question" in texts(replies) and replies[-1]["text"] == "How often do groups report?"
    await admin.press("rc:monthly")
    await admin.say("20")
    replies = await admin.press("rs:done")  # the menu is asked again, so its buttons are current again
    assert "monthly, due on day 20" in texts(replies)

    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3", locale="en")
    await tam.say("/report")
    await tam.press("rp:start")
    await tam.say("No incidents")
    await tam.say("12")
    await tam.say("None")
    replies = await tam.say("maybe")  # question 4 takes yes or no
    assert "Please choose one of the options" in texts(replies) and "Question 4 of 6" in replies[-1]["text"]
    replies = await tam.press("ra:0")  # the "0" of question 2
    assert "earlier question" in texts(replies) and "Question 4 of 6" in replies[-1]["text"]
    replies = await tam.press("Yes")
    assert "Question 5 of 6" in replies[-1]["text"]
    refused = await tam._post(json={"choice": "dg:maybe"})  # a forged digest button, outside any form
    assert "no longer valid" in texts(refused)

    async with town.app.db.session() as session:
        row = (await session.exec(select(ReportSubmission))).one()
    assert row.answers == {"incidents": "No incidents", "newcomers": 12, "disputes": "None", "fire": "yes"}
