"""Walk W: what the ward police write to a tipster at night (a question, a reply, a closing notice) waits for the
end of quiet hours (21:00–07:00: only urgent messages are pushed then), on the anonymous and the named route."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models import Tip
from tests.databases import DEMO_WARD
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, rows
from tests.test_pushed_mid_form import officer_asks
from tests.test_tips import poll, texts
from tests.tipster import drug_tip
from tests.tipster import zalo as zalo  # noqa: F401 - fixture

NIGHT = datetime.fromisoformat("2026-11-24T23:30:00+07:00")
MORNING = datetime.fromisoformat("2026-11-25T07:01:00+07:00")


async def test_a_police_question_written_at_night_waits_for_the_morning(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    """Defect: an officer on the night shift asks Bà Sáu about her (anonymous) tip at 23:30 and it is pushed to her
    phone at once; quiet hours should hold a non-urgent question until 07:00."""
    town, person = zalo
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await drug_tip(person)
    manual_clock.set(NIGHT)
    before = len(person.sent())
    await officer_asks(town, officer, "Bác thấy người bán lúc mấy giờ?")
    assert len(person.sent()) == before, f"pushed at 23:30: {person.sent()[before:]}"
    manual_clock.set(MORNING)
    await town.drain()
    assert "mấy giờ" in person.sent()[-1]["text"]


async def test_a_named_tipster_gets_what_the_police_wrote_at_night_in_the_morning(
    town: Any, manual_clock: Any
) -> None:
    """Hoa sent a tip with her name (her own chat, not the sealed route); at 23:30 an officer acknowledges it,
    replies and closes it: nothing is pushed to her before 07:00, and the notice of receipt, the reply and the
    closing notice all arrive then."""
    hoa = await town.join("Hoa")
    officer = await town.join("Công an Minh", role="police")
    await hoa.say("/togiac")
    await hoa.press("cat:theft")
    await hoa.say("Có người lạ rình xe máy trước nhà số 5 mỗi tối.")
    for pressed in ("what:done", "where:unknown", "when:today", f"tward:{DEMO_WARD}", "ident:named"):
        await hoa.press(pressed)
    await hoa.say("Trần Thị Hoa")
    await hoa.say("0987654321")
    await hoa.press("tsend:yes")
    [tip] = await rows(town, Tip)
    assert not tip.anonymous and tip.person_id is not None
    await town.drain()
    await poll(hoa)
    await poll(officer)
    manual_clock.set(NIGHT)
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:ack:{tip.id}")
    await officer.press(f"tipp:reply:{tip.id}")
    await officer.say("Cảm ơn chị, tổ tuần tra sẽ để ý khu này.")
    await officer.press(f"tipp:status:{tip.id}")
    await officer.press(f"tipp:st:{tip.id}:resolved")
    await officer.say("Đã nhắc nhở, lập biên bản.")
    await town.drain()
    assert await poll(hoa) == [], "pushed at 23:30"
    manual_clock.set(MORNING)
    await town.drain()
    said = texts(await poll(hoa))
    assert "tiếp nhận" in said and "tổ tuần tra" in said and "đã giải quyết" in said, said
