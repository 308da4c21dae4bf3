"""Bác Tư on the Zalo OA goes quiet for 8 days, past the OA's 7-day window, and comes back; meanwhile a resident
of his group sends an anonymous tip and asks for mediation. Found by walk L."""

from __future__ import annotations

from typing import Any

from models import OutboxMessage, OutboxStatus
from tests.test_leader_words_common import bac_tu_joins, oa, reports_on, said, since
from tests.test_people_do import rows
from tests.test_reports import at

__all__ = ["oa"]


async def test_back_after_eight_quiet_days_he_is_told_his_groups_report_is_late(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: Bác Tư wrote nothing for 8 days. Thursday's reminder was refused by Zalo (outside the window), the
    "your report is late" note was never even queued, and when he wrote "chao" on Tuesday nobody told him his group
    owes the report of the period ending 27/11. The late note is held for him and goes out when he writes again."""
    town, tu = oa
    await bac_tu_joins(town, tu)
    await reports_on(town)
    await town.join("Công an Minh", role="police")
    tu.fake.interactions[tu.user_id] -= 8 * 86400  # his last message to the OA is past the window from now on
    mark = len(tu.sent())
    for moment in ("2026-11-26T17:05:00", "2026-11-27T17:05:00", "2026-11-28T09:05:00"):
        await at(town, manual_clock, moment)
    assert since(tu, mark) == ""  # Zalo refused everything meanwhile
    reminders = [
        r for r in await rows(town, OutboxMessage) if (r.dedupe_key or "").startswith("report:remind:")
    ]
    [refused] = [r for r in reminders if r.person_id == 1]
    assert refused.status == OutboxStatus.SKIPPED, refused
    await at(town, manual_clock, "2026-12-01T09:05:00")
    mark = len(tu.sent())
    await tu.say("chao")
    await town.drain()
    told = since(tu, mark)
    assert "Tổ 3" in told and "27/11/2026" in told, told


async def test_checked_the_leader_learns_nothing_of_an_anonymous_tip_from_his_group(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Checked: Lan of Tổ 3 sends an anonymous tip naming a house of Tổ 3; the police get it. Bác Tư receives
    nothing, is refused /tinbao, and neither his /hoagiai, his /toi nor what his report shows mention it."""
    from tests.test_tips import poll, quick_tip

    town, tu = oa
    await bac_tu_joins(town, tu)
    await reports_on(town)
    police = await town.join("Công an Minh", role="police")
    lan = await town.join("Lan")
    mark = len(tu.sent())
    await quick_tip(lan, "Nha ong Nam so 7 to 3 ban ma tuy moi toi")
    await town.drain()
    assert any("tin báo" in m["text"].lower() for m in await poll(police))
    await at(town, manual_clock, "2026-11-26T17:05:00")
    seen = since(tu, mark)
    for typed in ("/tinbao", "/hoagiai", "/toi", "/baocao"):
        seen += "\n" + said(await tu.say(typed))
    assert "Nam" not in seen and "so 7" not in seen and "ma tuy" not in seen.lower(), seen
    assert "Lan" not in seen and "tin báo" not in seen.lower().replace("tin báo cho công an", ""), seen


async def test_checked_the_leader_sees_his_groups_public_case_without_phones_nor_other_groups(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Checked: Lan (Tổ 3) asks for mediation with her neighbour's phone number, and again in private; Hoa of Tổ 5
    asks too. Bác Tư's "Các vụ hòa giải" lists Lan's public case only; its card shows the dispute and the parties'
    names, never a phone number."""
    from tests.test_mediation import NOISE, request

    town, tu = oa
    await bac_tu_joins(town, tu)
    lan = await town.join("Lan")
    hoa = await town.join("Hoa", group="Tổ 5")
    public = await request(lan, NOISE, parties="Nguyễn Văn Ba - 0912 345 678")
    private = await request(lan, NOISE.replace("karaoke", "loa kẹo kéo"), private=True)
    other = await request(hoa, NOISE, name="Phạm Thị Hoa", parties="Lê Văn Tí - 0987 654 321")
    listed = said(await tu.press("Các vụ hòa giải"))
    assert public in listed and private not in listed and other not in listed, listed
    card = said(await tu.press(public))
    assert "Nguyễn Văn Ba" in card and "0912" not in card and "345 678" not in card, card
