"""The alerts feature's buttons: their wire strings (stored in sent messages and open forms), and an outdated
button or an answer that is none of the offered ones re-asking the question instead of being taken."""

from __future__ import annotations

from typing import get_args

from handlers.alerts.buttons import (
    Ack,
    BrowseArea,
    Category,
    ConfirmStop,
    LeadGroup,
    OtherArea,
    PickArea,
    PickGroup,
    Scope,
    Severity,
    StopAlert,
)
from handlers.alerts.texts import CATEGORIES, SEVERITIES, CategoryKey, SeverityKey
from tests.test_alerts_steps import latest_alert


def test_the_wire_strings_of_the_buttons() -> None:
    # Changing one breaks the buttons already sent and the forms left open: it is a data migration.
    assert set(get_args(CategoryKey)) == set(CATEGORIES) and set(get_args(SeverityKey)) == set(SEVERITIES)
    assert Category("drugs").pack() == "cat:drugs" and Severity("info").pack() == "sev:info"
    assert Scope("areas").pack() == "scope:areas" and LeadGroup(7).pack() == "scope:g:7"
    assert Scope.unpack("scope:g:7") is None and LeadGroup.unpack("scope:ward") is None
    # An area to browse is "grp:a12", a group "grp:12": neither reads as the other, nor as "grp:areas".
    assert BrowseArea(12).pack() == "grp:a12" and BrowseArea.unpack("grp:a12") == BrowseArea(12)
    assert PickGroup.unpack("grp:a12") is None and BrowseArea.unpack("grp:12") is None
    assert BrowseArea.unpack("grp:areas") is None and OtherArea.unpack("grp:areas") == OtherArea()
    assert BrowseArea.unpack("grp:a+1") is None and BrowseArea.unpack("grp:a") is None
    assert BrowseArea.unpack("grp:a:12") is None  # only the glued form was ever sent
    assert PickArea(3).pack() == "area:3" and PickArea.unpack("area:done") is None
    assert Ack(9).pack() == "ack:9" and StopAlert(5).pack() == "acancel:5"
    assert ConfirmStop(5, True).pack() == "acancel:5:yes" and ConfirmStop(5, False).pack() == "acancel:5:no"
    assert StopAlert.unpack("acancel:5:yes") is None and ConfirmStop.unpack("acancel:5") is None


async def test_an_outdated_button_or_a_stray_answer_asks_the_same_question_again(town) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police", locale="en")
    asked = await police.say("/soancanhbao")
    categories = [c["payload"] for c in asked[-1]["choices"]]
    assert categories[0] == "cat:scam"

    # Typed words that are none of the offered answers: the step's own buttons re-ask it.
    replies = await police.say("phone scams again")
    text = police.all_text(replies)
    assert "Please choose one of the options below" in text and "What is the alert about?" in text
    assert [c["payload"] for c in replies[-1]["choices"]] == categories
    # A button of another step (a later one here) answers nothing.
    replies = await police._post(json={"choice": "sev:urgent"})
    assert "earlier question" in police.all_text(replies) and "What is the alert about?" in police.all_text(
        replies
    )

    await police.press("cat:theft")
    # The category button pressed again at the severity step is not taken as a severity.
    replies = await police._post(json={"choice": "cat:drugs"})
    assert "earlier question" in police.all_text(replies) and "How serious is it?" in police.all_text(replies)
    await police.press("sev:important")
    await police.say("Theft of motorbikes at night")
    await police.say("Lock your motorbike and keep it inside after 10 pm.")
    await police.press("photo:none")
    await police.press("link:none")
    await police.press("scope:areas")
    replies = await police.press("area:done")
    assert "at least one area" in police.all_text(replies)  # a specific reason, not the generic one
    await police.press("Khóm 2")
    await police.press("area:done")
    replies = await police.say("soon")
    assert "Please choose one of the options below" in police.all_text(replies)
    assert [c["payload"] for c in replies[-1]["choices"]] == ["when:now", "when:later"]
    await police.press("when:now")
    replies = await police.say("ok")
    assert "Please choose one of the options below" in police.all_text(
        replies
    ) and "Send it?" in police.all_text(replies)
    replies = await police.press("confirm:drop")
    assert "Nothing was sent." in police.all_text(replies)
    assert await latest_alert(town) is None

    # Outside the form, a button of this feature that no longer parses is refused, never half-read.
    replies = await police._post(json={"choice": "acancel:5:maybe"})
    assert "no longer valid" in police.all_text(replies)
