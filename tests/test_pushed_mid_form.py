"""A message pushed while a form is open (a police question, an alert) is the last thing the person sees: on the
Zalo Bot its "1. Trả lời" is numbered like the form's question above it. A walk found a typed "1" pressing the
form's line 1 (a household "not on the list", which ended the pledge) and the answer typed next lost. Now the
latest message's numbers are the ones a typed number means (bot.core.dispatcher PUSHED), a police question is
answered beside the form, and the form then asks its question again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models import Tip, TipMessage
from models.alerts import AlertAck
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_alerts_steps import send
from tests.test_people_do import joined, rows, texts
from tests.test_pledges import JANUARY, open_campaign
from tests.test_tips import poll
from tests.tipster import WORDS, drug_tip
from tests.tipster import zalo as zalo


async def officer_asks(town: Any, officer: Any, text: str) -> None:
    [tip] = await rows(town, Tip)
    await town.drain()
    await poll(officer)
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:ask:{tip.id}")
    await officer.say(text)
    await town.drain()


async def test_a_police_question_pushed_mid_pledge_is_answered_and_the_pledge_goes_on(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    town, person = zalo
    manual_clock.set(JANUARY)
    admin = await town.join("Chủ tịch", role="ward_admin")
    await open_campaign(admin)
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await drug_tip(person)
    manual_clock.advance(timedelta(days=2))
    pledge = texts(await person.say("/camket"))
    assert "số nhà" in pledge, pledge
    await officer_asks(town, officer, "Bác thấy người bán thường đứng lúc mấy giờ?")
    assert "1. Trả lời" in person.sent()[-1]["text"]  # the last message on her screen
    said = texts(await person.say("1"))
    assert "chưa có tổ trưởng" not in said and "câu trả lời" in said.lower(), said
    said = texts(await person.say("Khoảng 9 giờ tối bác thấy hai đứa đứng đó"))
    answers = [m.text for m in await rows(town, TipMessage) if m.direction == "tipster"]
    assert answers == ["Khoảng 9 giờ tối bác thấy hai đứa đứng đó"]
    assert "số nhà" in said, f"the pledge's question is asked again: {said}"
    assert "chưa có tổ trưởng" in texts(await person.say("1")), "the pledge's own line 1 again"


async def test_an_alert_pushed_mid_form_is_acknowledged_by_its_number_and_the_form_asks_again(
    zalo: tuple[Any, ZaloBotDriver],
) -> None:
    town, person = zalo
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await person.say("/togiac")
    asked = texts(await person.say("ma túy"))
    await send(
        officer, title="Lừa đảo qua điện thoại", body="Cảnh giác cuộc gọi giả công an.", category="theft"
    )
    await town.drain()
    last = person.sent()[-1]["text"]
    assert "1." in last, last
    said = texts(await person.say("1"))
    assert "Cảm ơn" in said or "đã đọc" in said.lower(), said
    assert asked.splitlines()[0] in said, f"the tip form asks its question again: {said}"
    said = texts(await person.say(WORDS))
    assert "Xong" in said or "xong" in said.lower(), said  # the words went into the tip


# A week on the Zalo Bot (walk W, fourteenth session): several messages pushed during one form.
STRANGER_AT_THE_GATE = "Có người lạ rình xe máy trước nhà số 5"


async def test_an_urgent_alert_then_a_police_question_mid_tip_the_alert_read_typed_is_not_written_into_the_tip(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    """Defect: Bà Sáu is telling a second tip on the Zalo Bot when an urgent police alert ("1. Tôi đã đọc") and then
    a police question about her earlier tip ("1. Trả lời") arrive; she answers the urgent one first by typing its
    line, "Tôi đã đọc" — the alert is not acknowledged and the words "Tôi đã đọc" are silently appended to her new
    tip's story, which goes to the police so. She should get the alert acknowledged (as a single push does) and
    her tip should hold only what she told."""
    town, person = zalo
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await drug_tip(person)
    manual_clock.advance(timedelta(hours=2))
    for typed in ("/togiac", "trộm cắp", STRANGER_AT_THE_GATE):
        await person.say(typed)
    await send(officer, title="Trộm xe máy ban đêm", body="Khóa xe cẩn thận.", category="theft")
    await town.drain()
    await officer_asks(town, officer, "Bác thấy người bán lúc mấy giờ?")
    await person.say("Tôi đã đọc")  # the urgent alert's line, typed as it reads
    for typed in ("1", "trước nhà số 5", "hôm nay", "1", "ẩn danh", "có"):
        await person.say(typed)
    await person.say("gửi")
    tips = await rows(town, Tip)
    assert tips[-1].text == STRANGER_AT_THE_GATE, f"her new tip reads {tips[-1].text!r}"
    assert len(await rows(town, AlertAck)) == 1, "the urgent alert she said she read is not acknowledged"


async def test_a_number_only_the_forms_question_offers_answers_it_after_an_alert_arrived(
    zalo: tuple[Any, ZaloBotDriver],
) -> None:
    """Defect: mid-tip, at "Khi nào xảy ra? 1. Đang xảy ra … 4. Nhiều lần, thường xuyên", an information alert
    arrives ending "1. Tôi đã đọc"; Bà Sáu types "4" (only the tip's question has a 4) and is told off ("Vui lòng
    chọn một trong các mục") and asked again, and the alert's "1" is silently gone (her next "1" is the tip's
    "Đang xảy ra"). A number that only the form's question offers should answer the form."""
    town, person = zalo
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    for typed in ("/togiac", "trộm cắp", STRANGER_AT_THE_GATE, "xong"):
        await person.say(typed)
    asked = texts(await person.say("trước nhà số 5"))
    assert "4. Nhiều lần" in asked, asked
    await send(
        officer, title="Trộm xe máy ban đêm", body="Khóa xe cẩn thận.", category="theft", severity="info"
    )
    await town.drain()
    assert "1. Tôi đã đọc" in person.sent()[-1]["text"]
    said = texts(await person.say("4"))
    assert "Vui lòng chọn" not in said and "xã, phường" in said, said


async def test_checked_the_monday_digest_mid_tip_across_a_restart_arrives_once_and_keeps_the_tip(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    """Checked: Bà Sáu starts a tip early on Monday, the app restarts, the Monday 07:05 digest (counting her
    Saturday tip, local days) arrives once in the middle of her form, and her next words still go into the tip."""
    from tests.test_reports import at

    town, person = zalo
    manual_clock.set(datetime.fromisoformat("2026-11-28T10:00:00+07:00"))  # Saturday
    await joined(town, person)
    await drug_tip(person)
    manual_clock.set(datetime.fromisoformat("2026-11-30T06:55:00+07:00"))  # Monday, before the digest
    for typed in ("/togiac", "trộm cắp"):
        await person.say(typed)
    await town.restart()
    await person.start(town)
    before = len(person.sent())
    await at(town, manual_clock, "2026-11-30T07:05:00")
    await at(town, manual_clock, "2026-11-30T07:20:00")
    digests = [m["text"] for m in person.sent()[before:] if "Bản tin tuần" in m["text"]]
    assert len(digests) == 1, person.sent()[before:]
    assert "23/11/2026 đến 29/11/2026" in digests[0], digests[0]
    said = texts(await person.say(STRANGER_AT_THE_GATE))
    assert "Đã ghi nhận" in said, said
    await person.say("1")
    for typed in ("trước nhà số 5", "hôm nay", "1", "ẩn danh", "có"):
        await person.say(typed)
    await person.say("gửi")
    assert (await rows(town, Tip))[-1].text == STRANGER_AT_THE_GATE
