"""Walk Y: the screens of the year-end review (/tongket, /xeploai) as Chị Hạnh (ward admin), Minh (police, in
English) and a group leader use them in December 2027, asking in words as often as with commands."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from handlers.review.buttons import OpenGroup, ReviewFile
from models.review import ReviewEntry
from tests.test_review import AREAS, WARD, local, make_places, retire


def choices_of(replies: list[dict[str, Any]]) -> list[str]:
    return [c["payload"] for m in replies for c in m.get("choices", [])]


async def test_the_police_can_enter_the_criteria_an_area_is_told_they_propose(
    manual_clock: Any, town: Any
) -> None:
    """Defect: an area's criteria 2, 3 and 4 of Thông tư 124 (and the ward's 2 and 3) are "entered by people"; the
    area's screen said "not entered yet: the group leader or the police propose it", but nobody could: leaders
    propose only their group's criteria, and the police's area screen offered only "Propose: meets / does not meet
    the standard". So no area and no ward could ever read "meets the standard". The police now enter them from the
    place's screen (their entry stands as theirs); the ward admin's entry is a proposal the police confirm."""
    manual_clock.set(local("2027-12-05T09:00:00"))
    seeded = await make_places(town)
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD, locale="en")
    await police.say("/tongket")
    await police.press("rvplaces:go")
    replies = await police.press(AREAS[0])
    screen = police.all_text(replies)
    assert "not entered yet: the police enter it in /yearreview" in screen, screen
    assert "group leader" not in screen, screen
    entering = [p for p in choices_of(replies) if not p.startswith("rvstd")]
    assert len(entering) == 3 and choices_of(replies)[:3] == entering, choices_of(replies)  # numbered first

    asked = police.all_text(await police.say("1"))  # the number typed is criterion no. 1 of the screen
    assert "No. 1:" in asked and "Did Tổ dân phố 1 meet it in 2027?" in asked, asked
    await police.press("Met")
    replies = await police.say("Khu dân cư thực hiện tốt các quy định, đã kiểm tra thực tế")
    assert "Recorded: met." in police.all_text(replies), police.all_text(replies)
    screen = police.all_text(await police.press(f"rvplace:area:{seeded.areas[0]}"))
    assert "✓ 1." in screen and "entered by the police" in screen, screen

    # The ward admin's entry for the ward waits for the police, who confirm it from their list.
    await admin.say("/tongket")
    await admin.press("rvplaces:go")
    replies = await admin.press(f"rvplace:ward:{WARD}")
    assert f"rvfill:ward:{WARD}:" in choices_of(replies)[0], choices_of(replies)
    await admin.press(choices_of(replies)[0])
    await admin.press("Not met")
    replies = await admin.say("Còn một vụ khiếu kiện đông người trong năm")
    assert "Sent to the police to confirm" in admin.all_text(replies), admin.all_text(replies)
    waiting = police.all_text(await police.press("rvwait:go"))
    assert "Còn một vụ khiếu kiện" in waiting, waiting
    async with town.app.db.session() as session:
        rows = (await session.exec(select(ReviewEntry).order_by(ReviewEntry.id))).all()  # type: ignore[arg-type]
    assert [(r.place_kind, r.met, r.confirmed) for r in rows] == [("area", True, True), ("ward", False, None)]


async def test_asking_to_compare_with_last_year_in_words(manual_clock: Any, town: Any) -> None:
    """Defect: Chị Hạnh typed "so sánh với năm ngoái" (compare with last year) while preparing the year-end meeting
    and was told "Xin lỗi, tôi chưa hiểu ý anh/chị"; Minh's "compare with last year" likewise. And /tongket itself
    showed no figure of either year. The words lead to the review, with this year's figures beside last year's."""
    manual_clock.set(local("2027-12-05T09:00:00"))
    await make_places(town)
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD)
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    for person, words in ((admin, "so sánh với năm ngoái"), (police, "compare with last year")):
        replies = await person.say(words)
        if "rvfile:ward:4:xlsx" not in choices_of(replies) and any(
            "tongket" in p or "review" in p for p in choices_of(replies)
        ):
            replies = await person.press(
                next(p for p in choices_of(replies) if "tongket" in p or "review" in p)
            )
        seen = person.all_text(replies)
        assert "chưa hiểu" not in seen and "did not understand" not in seen, seen
        assert "2027" in seen and "2026" in seen, seen
    assert "Số liệu của Phường Ba Đình, năm 2027 so với năm 2026:" in admin.all_text(
        await admin.say("/tongket")
    )
    assert "• Group reports missed: no data (2026: no data)" in police.all_text(await police.say("/tongket"))


async def test_an_area_file_in_a_ward_without_areas_is_no_dead_end(manual_clock: Any, town: Any) -> None:
    """Defect: in a ward that has not set up its areas yet, Chị Hạnh pressed "Hồ sơ khu dân cư" (an area's file) and
    was asked "Khu dân cư nào?" with nothing to choose. She is told there is none yet, and where to add them."""
    manual_clock.set(local("2027-12-05T09:00:00"))
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD)
    await admin.say("/tongket")
    replies = await admin.press("Hồ sơ khu dân cư")
    seen = admin.all_text(replies)
    assert "chưa có khu dân cư" in seen.lower() and "/diaban" in seen, seen
    assert choices_of(replies) == ["cmd:diaban"], choices_of(replies)


async def test_the_leader_of_a_retired_group_is_not_shown_a_strong_rating_of_nothing(
    manual_clock, town
) -> None:
    """Defect: the ward retired Tổ 3 in September 2027 (its people keep their roles until they choose a new group).
    In December its leader typed /xeploai and read "Xếp loại dự kiến năm 2027 của Tổ 3: vững mạnh." with no
    criterion at all: a top grade from no data. He now sees its real record for the months it existed."""
    manual_clock.set(local("2027-01-05T09:00:00"))
    seeded = await make_places(town)
    leader = await town.join("Anh Tâm", role="group_admin", area=AREAS[0], group="Tổ 3", ward_code=WARD)
    manual_clock.set(local("2027-09-15T09:00:00"))
    await retire(town, seeded.groups[2])
    manual_clock.set(local("2027-12-05T09:00:00"))
    replies = await leader.say("/xeploai")
    draft = leader.all_text(replies)
    assert "vững mạnh" not in draft.split("\n")[0], draft
    assert "đã giải thể ngày 15/09/2027" in draft and "tổ trưởng đề xuất" in draft, draft


async def test_the_leader_of_a_group_retired_before_the_year_gets_no_rating(
    manual_clock: Any, town: Any
) -> None:
    """A group retired in 2026 is in no review of 2027: its leader is told so, never "vững mạnh" rated on nothing
    (evaluate.grade has no grade for a place judged on no criterion), and nothing is recorded as seen."""
    manual_clock.set(local("2026-06-01T09:00:00"))
    seeded = await make_places(town)
    leader = await town.join("Anh Tâm", role="group_admin", area=AREAS[0], group="Tổ 3", ward_code=WARD)
    manual_clock.set(local("2026-11-20T09:00:00"))
    await retire(town, seeded.groups[2])
    manual_clock.set(local("2027-12-05T09:00:00"))
    said = leader.all_text(await leader.say("/xeploai"))
    assert "vững mạnh" not in said and "đã giải thể ngày 20/11/2026" in said and "năm 2027" in said, said


async def test_checked_a_group_leader_sees_only_his_own_group(manual_clock: Any, town: Any) -> None:
    """Checked: the leader of Tổ 3 asking "tổng kết năm nay" is not given the ward's review; /xeploai shows his
    group only; an old or forged button for another group's rating or for the ward's file is refused, with no
    file sent."""
    manual_clock.set(local("2027-12-05T09:00:00"))
    seeded = await make_places(town)
    leader = await town.join("Anh Tâm", role="group_admin", area=AREAS[0], group="Tổ 3", ward_code=WARD)
    replies = await leader.say("tổng kết năm nay")
    assert "rvfile:ward:4:xlsx" not in choices_of(replies), leader.all_text(replies)
    replies = await leader.say("/xeploai")
    draft = leader.all_text(replies)
    assert "Tổ 3, Tổ dân phố 1" in draft and "Tổ 4" not in draft, draft
    for forged in (OpenGroup(seeded.groups[3]).pack(), ReviewFile("ward", WARD, "xlsx").pack()):
        replies = await leader._post(json={"choice": forged})
        assert not any(m["media"] for m in replies), leader.all_text(replies)
        assert "Tổ 4, Tổ dân phố 1" not in leader.all_text(replies)
