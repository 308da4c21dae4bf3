"""A message pushed while a form is open (a police question, an alert) is the last thing the person sees: on the
Zalo Bot its "1. Trả lời" is numbered like the form's question above it. A walk found a typed "1" pressing the
form's line 1 (a household "not on the list", which ended the pledge) and the answer typed next lost. Now the
latest message's numbers are the ones a typed number means (bot.core.dispatcher PUSHED), a police question is
answered beside the form, and the form then asks its question again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models import Tip, TipMessage
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
