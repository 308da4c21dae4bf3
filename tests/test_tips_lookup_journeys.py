"""/tracuu from the tipster's side: what the receipt code shows (never an officer's note for the record), and a
code typed as people copy it from paper (dashes forgotten, spaces and dots mixed, a 0 or an O for the round Q)."""

from __future__ import annotations

from typing import Any

import pytest

import handlers.tips.store as tip_store
from handlers.tips.detect import FOUND, receipt_code
from models import TipMessage
from tests.drivers import ChatDriver
from tests.test_abuse_limits import town_with
from tests.test_people_do import joined, rows, texts
from tests.test_tips import CODE, quick_tip
from tests.tipster import WORDS
from tests.tipster import chat as chat

FIXED_CODE = (
    "QK7M-3XAC-9PWE-4HDR"  # every character from bot.security.CODE_ALPHABET; a Q a person may read as O/0
)
NOT_UNDERSTOOD = "chưa hiểu ý"
NO_TIP = "Không có tin báo nào khớp"
SHOWN = "Tin báo số 1"


@pytest.fixture
def fixed_code(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(tip_store, "new_code", lambda groups, size: FIXED_CODE)
    return FIXED_CODE


async def typed_tip(person: ChatDriver) -> str:
    """An anonymous drugs tip, every answer typed as on a chat app (the Zalo Bot has no buttons); its code."""
    for typed in ("/togiac", "ma túy", WORDS, "xong", "hẻm 14 Lê Lợi", "thường xuyên", "1", "ẩn danh", "có"):
        await person.say(typed)
    sent = texts(await person.say("gửi"))
    found = CODE.search(sent)
    assert found, sent
    return found.group(0)


async def open_tip_1(officer: Any) -> str:
    """The officer opens tip no. 1 from /tinbao, as officers do; the tip's card."""
    await officer.say("/tinbao")
    return texts(await officer.press(next(c for c in officer.choices() if c.startswith("1 "))))


# What the receipt code shows -------------------------------------------------------------------------------------
async def test_the_officers_note_for_the_record_is_not_shown_to_the_tipster(town: Any) -> None:
    """Walk P2: an officer's note "for the record" when setting "đang xác minh" (a surveillance plan) and the
    transfer's reason (a suspect's name) were shown word for word by /tracuu as "Công an: …" to whoever held the
    receipt code. Now the tipster reads the status, the police's words to them and their own additions only."""
    lan = await town.join("Lan", group="Tổ 3")
    code = await quick_tip(lan)
    officer = await town.join("Hùng", role="police")
    await open_tip_1(officer)
    await officer.press("Trả lời người báo tin")
    await officer.say("Cảm ơn bác, công an phường đã nhận và sẽ kiểm tra.")
    await lan.say(f"/tracuu {code}")
    await lan.press("tstat:add")
    await lan.say("Tối qua có thêm hai xe máy lạ đậu trước nhà số 14.")
    await lan.press("tadd:send")

    await open_tip_1(officer)
    await officer.press("Đổi tình trạng")
    asked = texts(await officer.press("đang xác minh"))
    assert "Ghi chú ngắn cho hồ sơ" in asked, asked
    await officer.say("Theo dõi nhà số 14, kiểm tra camera đầu hẻm")
    await open_tip_1(officer)
    await officer.press("Đổi tình trạng")
    reason_q = texts(await officer.press("đã chuyển cơ quan có thẩm quyền"))
    assert "lưu trong hồ sơ" in reason_q, reason_q
    await officer.say("Chuyển CQĐT, đối tượng Nguyễn Văn Tám")

    seen = texts(await lan.say(f"/tracuu {code}"))
    assert "đã chuyển cơ quan có thẩm quyền" in seen, seen
    assert "nhà số 14, kiểm tra" not in seen and "camera đầu hẻm" not in seen, seen
    assert "Nguyễn Văn Tám" not in seen and "CQĐT" not in seen, seen
    # What is meant for her is still there: the police's reply and her own addition.
    assert "Cảm ơn bác, công an phường đã nhận" in seen, seen
    assert "hai xe máy lạ" in seen, seen
    # The notes stay on the record for the police.
    notes = [m.text for m in await rows(town, TipMessage) if m.kind == "status"]
    assert notes == [
        "Theo dõi nhà số 14, kiểm tra camera đầu hẻm",
        "Chuyển CQĐT, đối tượng Nguyễn Văn Tám",
    ], notes


async def test_a_note_alone_leaves_the_tipster_told_no_answer_yet(town: Any) -> None:
    """Only a note for the record on the tip: the tipster reads the status and "no answer from the police yet",
    not an empty list and not the note."""
    lan = await town.join("Lan", group="Tổ 3")
    code = await quick_tip(lan)
    officer = await town.join("Hùng", role="police")
    await open_tip_1(officer)
    await officer.press("Đổi tình trạng")
    await officer.press("đang xác minh")
    await officer.say("Hỏi tổ trưởng Tổ 3 về nhà ông Tư")
    seen = texts(await lan.say(f"/tracuu {code}"))
    assert "ông Tư" not in seen, seen
    assert "đang xác minh" in seen and "Công an chưa trả lời" in seen, seen


# Codes as people type them ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c.lower().replace("-", "", 1),  # "qk7m3xac-9pwe-4hdr": one dash forgotten
        lambda c: c.lower().replace("-", " ", 1),  # "qk7m 3xac-9pwe-4hdr": a space where a dash was
        lambda c: c.lower().replace("-", " ", 1).replace("-", "", 1),  # "qk7m 3xac9pwe-4hdr"
        lambda c: c.lower().replace("-", ".", 1).replace("-", "", 1),  # "qk7m.3xac9pwe-4hdr": a dot, a dash
        lambda c: c.lower().replace("-", " - "),  # "qk7m - 3xac - 9pwe - 4hdr"
        lambda c: "mã của em là " + c.lower().replace("-", " ", 2),  # words with it
    ],
    ids=["missing-dash", "space-and-dashes", "space-missing-dash", "dots", "spaced-dashes", "in-words"],
)
async def test_a_receipt_code_typed_with_mixed_separators_at_the_code_question_finds_the_tip(
    chat: tuple[Any, ChatDriver], fixed_code: str, mangle: Any
) -> None:
    """Walk T: at the code question, a code copied with a dash forgotten or a space for a dash was taken for a
    sentence ("chưa hiểu ý" and the main menu), though the error text promises "dashes optional"."""
    town, person = chat
    await joined(town, person)
    assert await typed_tip(person) == fixed_code
    await person.say("/tracuu")
    typed = mangle(fixed_code)
    shown = texts(await person.say(typed))
    assert NOT_UNDERSTOOD not in shown, f"{typed!r} at the code question: {shown}"
    assert SHOWN in shown, f"{typed!r}: {shown}"


async def test_a_wrong_code_with_mixed_separators_is_a_wrong_code_not_words(
    chat: tuple[Any, ChatDriver],
) -> None:
    """A code that matches nothing, typed with its dashes mixed, is told as a wrong code (with the way out), not
    read as a sentence."""
    town, person = chat
    await joined(town, person)
    await person.say("/tracuu")
    shown = texts(await person.say("ak7m3xac-9pwe 4hdr"))
    assert NO_TIP in shown and NOT_UNDERSTOOD not in shown, shown


@pytest.mark.parametrize(
    "typed",
    [
        "/tracuu mã của em qk7m3xac-9pwe 4hdr",  # words with the code after the command
        "tin của tôi mã qk7m 3xac-9pwe.4hdr tới đâu rồi",  # in her own words, no command
    ],
)
async def test_a_receipt_code_with_mixed_separators_is_read_anywhere(
    chat: tuple[Any, ChatDriver], fixed_code: str, typed: str
) -> None:
    town, person = chat
    await joined(town, person)
    await typed_tip(person)
    shown = texts(await person.say(typed))
    assert SHOWN in shown, f"{typed!r}: {shown}"


async def test_a_receipt_code_with_a_zero_typed_for_the_round_letter_finds_the_tip(
    chat: tuple[Any, ChatDriver], fixed_code: str
) -> None:
    """Walk T: her code begins with Q; in her hand it reads like an O, and "0K7M 3XAC 9PWE 4HDR" found nothing.
    Codes have no O and no 0 (bot.security.CODE_ALPHABET), so either is the Q."""
    town, person = chat
    await joined(town, person)
    await typed_tip(person)
    for typed in (
        "/tracuu 0K7M 3XAC 9PWE 4HDR",
        "/tracuu ok7m-3xac-9pwe-4hdr",
        "mã em là OK7M-3XAC-9PWE-4HDR",
    ):
        shown = texts(await person.say(typed))
        assert SHOWN in shown, f"{typed!r}: {shown}"
        await person.say("/huy")
    await person.say("/tracuu")
    shown = texts(await person.say("0k7m3xac9pwe4hdr"))
    assert SHOWN in shown, shown


async def test_a_look_alike_typed_code_is_no_wrong_guess(
    db_url: str, settings_for: Any, manual_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With three wrong codes an hour allowed, the code typed with a 0 for its Q four times is found each time and
    counts as no wrong guess; a code that truly matches nothing still counts."""
    monkeypatch.setattr(tip_store, "new_code", lambda groups, size: FIXED_CODE)
    async with town_with(db_url, settings_for, rate_code_failures_per_hour=3) as town:
        lan = await town.join("Lan")
        await quick_tip(lan)
        for _ in range(4):
            assert SHOWN in texts(await lan.say("/tracuu 0K7M-3XAC-9PWE-4HDR"))
            await lan.press("tstat:done")
        for _ in range(3):
            assert NO_TIP in texts(await lan.say("/tracuu AK7M-3XAC-9PWE-4HDR"))
        shown = texts(await lan.say("/tracuu 0K7M-3XAC-9PWE-4HDR"))
        assert SHOWN not in shown and "tạm dừng" in shown, shown


def test_the_detector_reads_any_mix_of_separators_and_a_zero_for_q() -> None:
    for text in (
        "qk7m3xac-9pwe-4hdr",
        "QK7M 3XAC-9PWE 4HDR",
        "qk7m.3xac.9pwe.4hdr",
        "mã: qk7m - 3xac - 9pwe - 4hdr ạ",
        "0K7M 3XAC 9PWE 4HDR",
        "ok7m-3xac-9pwe-4hdr",
    ):
        assert receipt_code(text) == (FOUND, FIXED_CODE), text
    # A word of four letters beside the code is not part of it.
    assert receipt_code("nhan QK7M 3XAC 9PWE 4HDR") == (FOUND, FIXED_CODE)
    assert receipt_code("code QK7M 3XAC-9PWE-4HDR. Any update?") == (FOUND, FIXED_CODE)
    # Still not codes: words, digits only, four groups over lines.
    assert receipt_code("nhan tham-chua thua") == 0.0
    assert receipt_code("0912 3456-7890 3344") == 0.0
    assert receipt_code("qk7m\n3xac\n9pwe\n4hdr") == 0.0
