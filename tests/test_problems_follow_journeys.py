"""Following an everyday problem after it was sent (walk Q): asking after it in one's own words, pasting its receipt
code alone or at the tips' code question, saying a report closed as fixed is still not fixed, and the weekly digest
of problems fixed within hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.security import new_code
from models import OutboxMessage
from models.problems import Problem, ProblemStatus
from tests.conftest import Town
from tests.test_problems import _press_raw, payloads, problems, pushed, report, texts
from tests.test_tips import quick_tip

NOT_FOUND_TIP = "Không có tin báo nào khớp"
PAUSED = "tạm dừng"


@pytest.fixture
async def strict(db_url: str, settings_for: Any) -> AsyncIterator[Town]:
    """The demo ward where two wrong codes an hour pause look-ups."""
    place = Town(settings_for(db_url, delivery_enabled=False, rate_code_failures_per_hour=2))
    await place.start()
    try:
        yield place
    finally:
        await place.close()


# Asking after it in her own words ---------------------------------------------------------------------------------
async def test_an_everyday_problem_asked_after_leads_to_her_reports_not_to_a_tips_code(ward: Any) -> None:
    town = ward
    lan = await town.join("Lan")
    light, _code = await report(lan, "Đèn đường đầu hẻm 5 tắt cả tuần nay")
    drain, _code = await report(lan, "Cống hẻm 8 nghẹt, nước đen bốc mùi", category="flooding")
    for words in (
        "cái đèn đường tui báo hôm trước sao rồi",
        "cai den duong tui bao hom truoc sao roi",
        "cái cống nghẹt tui báo tuần trước có ai xử lý chưa",
    ):
        await lan.say("/huy")
        replies = await lan.say(words)
        said = texts(replies)
        assert "mã tiếp nhận" not in said and "tin báo" not in said, (words, said)
        assert "cmd:phananh" in payloads(replies), (words, said)
        # The offer leads to her reports (the words are not carried into a new report form).
        listed = await lan.press("cmd:phananh")
        assert {f"prm:open:{light}", f"prm:open:{drain}"} <= set(payloads(listed)), (words, texts(listed))
    # A tip asked after stays the tips' look-up.
    await lan.say("/huy")
    assert "mã tiếp nhận" in texts(await lan.say("tin tôi báo tuần trước công an xử lý tới đâu rồi"))


# A receipt code is a code ---------------------------------------------------------------------------------------
async def test_a_problem_receipt_code_pasted_alone_or_at_the_tips_question_shows_the_report(
    strict: Any,
) -> None:
    town = strict
    lan = await town.join("Lan")
    number, code = await report(
        lan, "Cống hẻm 8 nghẹt, nước đen bốc mùi", category="flooding", anonymous=True
    )
    assert code is not None

    # Pasted alone, three times: more than the two wrong guesses allowed, and none of them counts as one.
    for _ in range(3):
        said = texts(await lan.say(code))
        assert NOT_FOUND_TIP not in said and PAUSED not in said, said
        assert f"Phản ánh số {number}" in said, said
    # Typed at the tips' code question: shown too, and the question is over (what follows is not read as a code).
    await lan.say("/tracuu")
    said = texts(await lan.say(code.lower().replace("-", " ")))
    assert f"Phản ánh số {number}" in said and NOT_FOUND_TIP not in said, said
    assert "Nhập mã" not in texts(await lan.say("cảm ơn"))

    # A tip's code still opens its tip; a code of neither kind is still a wrong guess, limited as before.
    tip_code = await quick_tip(lan)
    assert "Tin báo số" in texts(await lan.say(tip_code))
    await lan.say("/huy")
    for _ in range(2):
        assert NOT_FOUND_TIP in texts(await lan.say(new_code()))
    said = texts(await lan.say(code))
    assert PAUSED in said and f"Phản ánh số {number}" not in said, said


# Still not fixed --------------------------------------------------------------------------------------------------
async def closed_light(town: Any) -> tuple[Any, Any, int]:
    """Lan's street light, closed as fixed by the ward admin; (admin, Lan, its number)."""
    admin = await town.join("Chủ tịch phường", role="ward_admin")
    lan = await town.join("Lan")
    number, _code = await report(lan, "Đèn đường đầu hẻm 5 tắt")
    await pushed(town, admin)
    await admin.press(f"pri:open:{number}")
    await admin.press(f"pri:act:{number}:close")
    await admin.say("Đã thay bóng đèn ngày 24/11.")
    await pushed(town, lan)
    return admin, lan, number


async def test_a_reporter_whose_light_is_still_out_reopens_it_and_the_ward_is_told(ward: Any) -> None:
    town = ward
    admin, lan, number = await closed_light(town)
    view = await lan.say(f"/phananh {number}")
    assert "đã khắc phục" in texts(view)
    assert f"prm:reopen:{number}" in payloads(view), texts(view)

    # Her words are understood: her report again, with the button that reopens it (nothing changes without it).
    typed = await lan.say("đèn vẫn chưa sáng, chưa sửa xong đâu")
    assert "chưa hiểu" not in texts(typed) and f"prm:reopen:{number}" in payloads(typed), texts(typed)
    assert (await problems(town))[number].status == ProblemStatus.FIXED
    done = texts(await lan.press(f"prm:reopen:{number}"))
    assert f"Phản ánh số {number} đã được mở lại" in done, done
    row = (await problems(town))[number]
    assert row.status == ProblemStatus.OPEN and row.closed_at is None and row.closing_note is None
    told = await pushed(town, admin)
    assert f"Phản ánh số {number}" in told and "vẫn chưa được khắc phục" in told, told
    assert f"pri:open:{number}" in payloads(admin.seen[-1:])
    assert f"pri:open:{number}" in payloads(await admin.say("/xulyphananh"))  # in the open list again
    assert "chưa hiểu" not in texts(await lan.say(f"/phananh {number}"))
    assert f"prm:reopen:{number}" not in payloads(await lan.say(f"/phananh {number}"))

    # Closed again: the figures count one report, fixed once, reopened once (not a second problem).
    from handlers.problems.figures import WARD, tallies
    from tests.databases import DEMO_WARD

    await admin.press(f"pri:act:{number}:close")
    await admin.say("Điện lực đã thay cả bộ đèn ngày 26/11.")
    async with town.app.db.session() as session:
        start = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
        ward_tally = (await tallies(session, DEMO_WARD, start, start + timedelta(days=365 * 100)))[WARD]
    assert ward_tally.opened == [number] and ward_tally.fixed == [number] and ward_tally.reopened == [number]
    assert len(await problems(town)) == 1


async def test_still_not_fixed_said_anywhere_finds_her_latest_fixed_report(ward: Any) -> None:
    town = ward
    _admin, lan, number = await closed_light(town)
    await lan.say("/huy")
    replies = await lan.say("báo là đã khắc phục rồi mà đèn hẻm tui vẫn chưa sáng")
    assert f"Phản ánh số {number}" in texts(replies) and f"prm:reopen:{number}" in payloads(replies), texts(
        replies
    )
    assert "mở lại" in texts(await lan.press(f"prm:reopen:{number}"))
    # Pressed twice (or an old button): nothing more happens.
    assert "chưa đóng" in texts(await lan.press(f"prm:reopen:{number}"))
    # Someone else's report cannot be reopened with a forged button.
    minh = await town.join("Minh")
    assert "không có phản ánh số" in texts(await _press_raw(minh, f"prm:reopen:{number}"))


async def test_still_not_fixed_without_a_fixed_report_offers_a_report_with_her_words(ward: Any) -> None:
    town = ward
    lan = await town.join("Lan")
    replies = await lan.say("/chuasua đèn hẻm 7 hư cả tuần vẫn chưa sửa")
    assert "cmd:phananh" in payloads(replies) and "14 ngày" in texts(replies), texts(replies)
    form = await lan.press("cmd:phananh")
    assert "hẻm 7" in texts(form) or any(
        c["payload"].startswith("prc:") for m in form for c in m.get("choices", [])
    )


async def test_a_report_closed_long_ago_cannot_be_reopened(ward: Any, manual_clock: Any) -> None:
    town = ward
    _admin, lan, number = await closed_light(town)
    assert f"prm:reopen:{number}" in payloads(await lan.say(f"/phananh {number}"))
    manual_clock.advance(timedelta(days=15))
    said = texts(await lan.press(f"prm:reopen:{number}"))  # the button of two weeks ago
    assert "hơn 14 ngày" in said, said
    assert (await problems(town))[number].status == ProblemStatus.FIXED
    async with town.app.db.session() as session:
        kinds = [m.kind for m in (await session.exec(select(OutboxMessage))).all()]
    assert "problem_reopened" not in kinds
    assert f"prm:reopen:{number}" not in payloads(await lan.say(f"/phananh {number}"))


# The digest -------------------------------------------------------------------------------------------------------
async def test_the_digest_says_hours_for_lights_fixed_within_the_day(ward: Any) -> None:
    from bot.extensions.digest_sections import Scope
    from bot.i18n import use_locale
    from handlers.problems.digest import digest
    from models import Area
    from tests.databases import DEMO_WARD

    town = ward
    start = datetime.fromisoformat("2026-11-16T00:00:00+00:00")
    end = start + timedelta(days=7)
    async with town.app.db.session() as session:
        khom2 = (
            await session.exec(select(Area).where(Area.ward_code == DEMO_WARD, Area.name == "Khóm 2"))
        ).one()
        for day in range(6):
            opened = start + timedelta(days=day, hours=2)
            session.add(
                Problem(
                    ward_code=DEMO_WARD,
                    area_id=khom2.id,
                    category="street_light",
                    text="đèn hỏng",
                    created_at=opened,
                    closed_at=opened + timedelta(hours=1),
                    status=ProblemStatus.FIXED,
                )
            )
        await session.commit()
        with use_locale("vi"):
            police = await digest(session, Scope(DEMO_WARD, None, "police"), start, end)
        with use_locale("en"):
            english = await digest(session, Scope(DEMO_WARD, None, "police"), start, end)
    assert police is not None and english is not None
    shown = "\n".join(police.lines)
    assert "0 ngày" not in shown and "một nửa được khắc phục trong vòng 1 giờ" in shown, shown
    assert "half were fixed within 1 hour" in "\n".join(english.lines)


async def test_a_fix_noted_at_night_reaches_the_reporter_in_the_morning(manual_clock: Any, ward: Any) -> None:
    """Defect (beside the tips' of walk W): the ward office closing a report at 23:30 pushed "your report is fixed"
    to the reporter at once, in quiet hours (21:00–07:00, only urgent messages). It waits until 07:00 now, as the
    tips' notices to tipsters do."""
    admin = await ward.join("Chủ tịch phường", role="ward_admin")
    lan = await ward.join("Lan")
    number, _code = await report(lan, "Đèn đường đầu hẻm 5 tắt")
    await pushed(ward, admin)
    manual_clock.set(datetime.fromisoformat("2026-11-24T23:30:00+07:00"))
    await admin.press(f"pri:open:{number}")
    await admin.press(f"pri:act:{number}:close")
    await admin.say("Đã thay bóng đèn ngày 24/11.")
    assert f"số {number}" not in await pushed(ward, lan)
    manual_clock.set(datetime.fromisoformat("2026-11-25T07:01:00+07:00"))
    told = await pushed(ward, lan)
    assert f"số {number}" in told and "Đã thay bóng đèn" in told, told
