"""The tips buttons: the wire strings already sent and saved keep their meaning, an outdated button or a typed
answer that matches no option is re-asked politely without losing the form, and a forged police button does
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.payloads import Payload
from handlers.tips.buttons import (
    AssignTo,
    Category,
    DayUnknown,
    DropRiskyFiles,
    ExtendDeadline,
    ListTips,
    MayReply,
    OpenTip,
    OriginalFiles,
    OtherWard,
    ReleaseOriginals,
    SendTip,
    SetStatus,
    SkipNote,
    TipWard,
    What,
    When,
)
from tests.databases import DEMO_WARD
from tests.test_tips import quick_tip, texts, tip_rows

PICK = "Vui lòng chọn một trong các mục dưới đây"  # the re-ask of a step that takes only its buttons
EARLIER = "Nút này thuộc một câu hỏi trước"


@pytest.mark.parametrize(
    ("button", "wire"),
    [
        (Category("drugs"), "cat:drugs"),
        (What("done"), "what:done"),
        (When("earlier"), "when:earlier"),
        (DayUnknown(), "when:unknown"),
        (TipWard(DEMO_WARD), f"tward:{DEMO_WARD}"),
        (OtherWard(), "tward:other"),
        (MayReply(False), "mayreply:no"),
        (SendTip(True), "tsend:yes"),
        (DropRiskyFiles(), "tsend:dropfiles"),
        (OpenTip(12), "tipp:open:12"),
        (AssignTo(12, 7), "tipp:to:12:7"),
        (SetStatus(12, "resolved"), "tipp:st:12:resolved"),
        (ListTips.of_category("theft"), "tipp:list:cat:theft"),
        (ReleaseOriginals(12), "tipp:origok:12"),
        (SkipNote(), "treason:skip"),
        (ExtendDeadline(12), "tipp:extend:12"),
    ],
)
def test_buttons_keep_the_wire_strings_already_sent_and_saved(button: Payload, wire: str) -> None:
    assert button.pack() == wire and type(button).unpack(wire) == button


def test_buttons_sharing_a_prefix_do_not_read_each_other() -> None:
    assert When.unpack("when:unknown") is None and DayUnknown.unpack("when:today") is None
    assert TipWard.unpack("tward:other") is None and OtherWard.unpack(f"tward:{DEMO_WARD}") is None
    assert SendTip.unpack("tsend:dropfiles") is None and DropRiskyFiles.unpack("tsend:yes") is None
    assert OriginalFiles.unpack("tipp:origok:12") is None and OpenTip.unpack("tipp:open:x") is None
    assert ListTips.category_in("cat:drugs") == "drugs" and ListTips.category_in("overdue") is None


async def test_an_outdated_button_or_an_answer_matching_no_option_is_asked_again(town: Any) -> None:
    lan = await town.join("Lan")
    await lan.say("/togiac")
    await lan.press("cat:drugs")
    await lan.say("Có người bán ma túy ở đầu hẻm 5 mỗi tối.")
    await lan.press("what:done")
    await lan.press("where:unknown")
    assert "Khi nào xảy ra?" in lan.last_text()
    when_options = lan.choices()

    replies = await lan.press("where:unknown")  # the button of the question before, pressed again
    assert EARLIER in texts(replies) and "Khi nào xảy ra?" in texts(replies)
    replies = await lan.say("để em nghĩ đã")  # typed, and none of the options
    assert PICK in texts(replies) and "Khi nào xảy ra?" in texts(replies) and lan.choices() == when_options
    await lan.press("Hôm nay")

    await lan.press(f"tward:{DEMO_WARD}")
    replies = await lan.say("có lẽ")  # anonymous or named: words answer only with a no, a name needs a press
    assert PICK in texts(replies) and lan.choices() == ["Ẩn danh", "Kèm họ tên và số điện thoại"]
    replies = await lan.say("không muốn nói")  # to "Do you want to give your name?": anonymous
    assert PICK not in texts(replies) and "Ẩn danh" not in lan.choices()
    replies = await lan.say("có lẽ")
    assert PICK in texts(replies)
    await lan.press("mayreply:no")
    replies = await lan.say("gửi đi")  # not the Send button: nothing may be sent by a guess
    assert PICK in texts(replies) and await tip_rows(town) == []
    replies = await lan.press("ident:anon")  # an outdated button on the summary sends nothing either
    assert EARLIER in texts(replies) and await tip_rows(town) == []
    await lan.press("tsend:yes")
    [tip] = await tip_rows(town)
    assert tip.anonymous and tip.occurred == "today" and not tip.may_reply and tip.category == "drugs"


async def test_a_forged_or_outdated_police_button_does_nothing(town: Any) -> None:
    lan = await town.join("Lan")
    officer = await town.join("Officer", role="police", locale="en")
    await quick_tip(lan)
    [tip] = await tip_rows(town)
    for forged in ("tipp:nope:1", f"tipp:open:{tip.id}x", "tipp:ack", f"tipp:st:{tip.id}"):
        replies = await officer._post(json={"choice": forged})
        assert "That button is no longer valid" in texts(replies), forged
        assert "ma túy" not in texts(replies)
    replies = await officer._post(json={"choice": f"tipp:to:{tip.id}:999999"})  # not an officer of the ward
    assert "not police of this ward" in texts(replies) and (await tip_rows(town))[0].assigned_to is None
    replies = await officer._post(json={"choice": f"tipp:st:{tip.id}:nonsense"})
    assert "not possible" in texts(replies) and (await tip_rows(town))[0].status == "new"
    replies = await officer.say("/tips cat:drugs")  # the category filter typed, as the button carries it
    assert any(label.startswith(f"{tip.id} · Drugs") for label in officer.choices()), texts(replies)
    replies = await officer._post(json={"choice": f"tipp:open:{tip.id}"})
    assert "ma túy" in texts(replies)
