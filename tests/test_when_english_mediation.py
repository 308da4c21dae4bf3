"""A mediation session's moment typed in English, as an English-speaking mediator (or a resident suggesting another
time) writes it quickly on a phone. Found by walk E (an English teacher living in the ward); each test was written
failing, against the defect it names, before the fix (handlers/mediation/when.py):

1. "friday 7:30pm" and "friday at 7.30pm" were Friday 07:30: "pm" was seen only as a word of its own, and "30pm"
   is not one, so the session was announced twelve hours early.
2. "the day after tomorrow at 8pm" was tomorrow: "tomorrow" inside the phrase was the only day known.
3. "tomorrow evening at 8", "tonight at 9", "next monday at 3 in the afternoon", "on the 15th at 8am", "at noon
   tomorrow" were refused where "tối mai 8 giờ", "tối nay 9h", "ngày 15 lúc 8h" are read: the periods of the day,
   "at 8", "noon" and "the 15th" were Vietnamese only.

Monday 23/11/2026 09:00 in Vietnam, as everywhere in the mediation tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import local
from handlers.mediation.typed import session_answer
from handlers.mediation.when import WhenError, parse_when
from models.mediation import MediationCase, MediationSession
from tests.test_mediation import profile, request
from tests.test_mediation_walk_c import MONDAY, NOISE
from tests.test_people_do import rows, texts


def read(typed: str) -> str:
    return local(parse_when(typed, MONDAY)).strftime("%a %d/%m %H:%M")


# 1. "pm" glued to the minutes ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "friday 7:30pm",
        "friday at 7.30pm",
        "friday 7:30 pm",
        "friday 7.30PM",
        "Friday 7h30 pm",
        "friday 7h30pm",
        "friday 19:30",
        "friday 7:30 p.m.",
        "Fri 7.30pm",
        "27/11 at 7.30pm",
    ],
)
def test_when_english_sqlite_half_past_seven_pm_is_the_evening(typed: str) -> None:
    """Defect 1: Friday 27/11 at 19:30, as "thứ 6 7.30 tối" gives, not at dawn."""
    assert read(typed) == "Fri 27/11 19:30"


def test_when_english_sqlite_am_glued_to_the_minutes_is_the_morning() -> None:
    assert read("saturday 8:30am") == "Sat 28/11 08:30"
    assert read("sat 12.15am") == "Sat 28/11 00:15"


# 2. The day after tomorrow ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["the day after tomorrow at 8pm", "day after tomorrow 8pm", "ngày mốt 8h tối"]
)
def test_when_english_sqlite_the_day_after_tomorrow_is_wednesday(typed: str) -> None:
    """Defect 2: Wednesday 25/11 at 20:00, not Tuesday."""
    assert read(typed) == "Wed 25/11 20:00"


# 3. Periods of the day, "at 8", noon, the 15th -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("tomorrow evening at 8", "tối mai 8 giờ"),
        ("tomorrow morning at 9", "sáng mai 9h"),
        ("tomorrow afternoon at 2", "chiều mai 2h"),
        ("tomorrow night at 9", "đêm mai 9h"),
        ("this evening at 7", "tối nay 7h"),
        ("tonight at 9", "tối nay 9h"),
        ("next monday at 3 in the afternoon", "3h chiều thứ 2 tuần sau"),
        ("monday 3pm", "thứ 2 3h chiều"),
        ("on the 15th at 8am", "ngày 15 lúc 8h"),
        ("in 3 days at 9am", "3 ngày nữa 9h sáng"),
        ("in two days at 9am", "hai ngày nữa 9h sáng"),
        ("at noon tomorrow", "12 giờ trưa mai"),
        ("tomorrow at 12 noon", "12 giờ trưa mai"),
        ("tomorrow at midnight", "12 giờ đêm mai"),
        ("saturday at 9 in the morning", "thứ 7 9h sáng"),
        ("sat 10am", "thứ 7 10h sáng"),
        ("tomorrow 9 o'clock", "mai 9 giờ"),
    ],
)
def test_when_english_sqlite_english_words_are_read_as_their_vietnamese(
    english: str, vietnamese: str
) -> None:
    """Defect 3: what the Vietnamese words give, the English words give too."""
    expected = parse_when(vietnamese, MONDAY)
    try:
        got = parse_when(english, MONDAY)
    except WhenError as refused:
        pytest.fail(f"{english!r} refused ({refused.code}) while {vietnamese!r} gives {local(expected)}")
    assert local(got) == local(expected)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tonight at 9", "Mon 23/11 21:00"),
        ("next monday at 3 in the afternoon", "Mon 30/11 15:00"),
        ("on the 15th at 8am", "Tue 15/12 08:00"),
        ("the 25th at 9am", "Wed 25/11 09:00"),
        ("at noon tomorrow", "Tue 24/11 12:00"),
        ("tomorrow at midnight", "Wed 25/11 00:00"),
        ("in a week at 9am", "Mon 30/11 09:00"),
        ("tue 5pm", "Tue 24/11 17:00"),
    ],
)
def test_when_english_sqlite_english_moments_land_where_meant(typed: str, meant: str) -> None:
    assert read(typed) == meant


@pytest.mark.parametrize(("typed", "code"), [("tomorrow evening", "no_time"), ("8pm", "no_date")])
def test_when_english_sqlite_what_is_missing_is_still_asked(typed: str, code: str) -> None:
    with pytest.raises(WhenError) as raised:
        parse_when(typed, MONDAY)
    assert raised.value.code == code


def test_when_english_sqlite_a_greeting_is_no_time_suggested() -> None:
    """ "morning" and "evening" are periods of the day now; under "Can you come?" a "good morning" is still a
    greeting, not another time asked for."""
    assert session_answer("Good morning, see you then") is None
    assert session_answer("how about tomorrow evening at 8") == "when"


# The journey: an English-speaking mediator proposes the session on the web chat ---------------------------------
async def english_mediator_takes(ward: Any, case: MediationCase) -> Any:
    mediator = await ward.join("Anna", role="mediator", locale="en")
    await profile(mediator, "Anna Nguyen")
    await mediator._post(json={"choice": f"hgt:{case.id}"})
    return mediator


async def proposes(mediator: Any, case: MediationCase, when: str) -> str:
    await mediator._post(json={"choice": f"hgs:{case.id}"})
    await mediator.say(when)
    return texts(await mediator.say("Cultural house of Khóm 2"))


async def test_when_english_a_session_typed_in_english_is_proposed_when_meant(
    ward: Any, manual_clock: Any
) -> None:
    lan = await ward.join("Lan")
    await request(lan, NOISE)
    [case] = await rows(ward, MediationCase)
    anna = await english_mediator_takes(ward, case)

    asked = await proposes(anna, case, "the day after tomorrow at 8pm")
    assert "25" in asked and "20:00" in asked, asked
    await anna._post(json={"choice": "hqss:again"})
    asked = await proposes(anna, case, "tomorrow evening at 8")
    assert "24" in asked and "20:00" in asked, asked
    await anna._post(json={"choice": "hqss:again"})
    asked = await proposes(anna, case, "friday 7:30pm")
    assert "27" in asked and "19:30" in asked and "07:30" not in asked, asked
    await anna._post(json={"choice": "hqss:yes"})

    [meeting] = await rows(ward, MediationSession)
    assert local(meeting.starts_at).strftime("%d/%m %H:%M") == "27/11 19:30"


def test_when_english_sqlite_at_8_and_luc_8_are_one_table() -> None:
    """ "at" and "lúc" stand in one table: an hour alone after either is the hour ("tối mai lúc 8" was refused too)."""
    assert (
        read("tomorrow evening at 8") == read("tối mai lúc 8") == read("tối mai 8 giờ") == "Tue 24/11 20:00"
    )
