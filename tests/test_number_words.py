"""Numbers said in words, read once (bot/numberwords.py) for every form that asks for a count or a day: a camera's
days kept, mediation's "mười lăm ngày nữa" (no date before: only one-word numbers were read), a report's "có ba hộ
mới" (refused before: only digits were counted, and a leader speaking to a phone types none)."""

from __future__ import annotations

import pytest

from bot.i18n import local
from bot.numberwords import number_before, number_in_words
from handlers.cameras.flows.register import read_days
from handlers.mediation.when import parse_when
from handlers.reports.words import counted
from tests.test_mediation_walk_c import MONDAY


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("muoi lam", 15), ("hai muoi mot", 21), ("ba lam", 35), ("mot tram linh nam", 105), ("chin tram chin muoi chin", 999),
        ("12", 12), ("four", 4), ("hai a", None), ("muoi a", None), ("tram hai", None), ("", None),
    ],
)  # fmt: skip
def test_a_number_in_words_is_read_whole_or_not_at_all(said: str, number: int | None) -> None:
    assert number_in_words(said.split()) == number


def test_the_longest_number_before_a_word_is_read_and_other_accents_are_other_words() -> None:
    folded = "khoang muoi lam ngay".split()
    assert number_before(folded, 3) == (15, 1)
    # "tầm mười" is about ten (typed with its accents), "tám mươi" eighty.
    assert number_before(["tam", "muoi"], 2, ["tầm", "mười"]) == (10, 1)
    assert number_before(["tam", "muoi"], 2, ["tám", "mươi"]) == (80, 0)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mười lăm ngày nữa 8h sáng", "08/12 08:00"),
        ("muoi lam ngay nua 8h sang", "08/12 08:00"),
        ("hai mươi ngày nữa lúc 9 giờ sáng", "13/12 09:00"),
        ("tầm mười ngày nữa 8h sáng", "03/12 08:00"),
        ("hai ngày nữa 8h", "25/11 08:00"),
    ],
)
def test_a_mediation_session_in_a_number_of_days_said_in_words(typed: str, meant: str) -> None:
    assert local(parse_when(typed, MONDAY)).strftime("%d/%m %H:%M") == meant


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("có ba hộ mới thuê trọ ở số 133", 3),
        ("co hai ho moi den o", 2),
        ("hai mươi mốt người tham gia", 21),
        ("tầm mười hộ", 10),
        ("có 2 hộ", 2),
        ("có 2 hộ và ba người", None),  # two counts that disagree: asked again
    ],
)
def test_a_leaders_count_said_in_words_is_read(typed: str, count: int | None) -> None:
    read = counted(typed)
    assert (read[0] if read else None) == count


def test_a_cameras_days_are_read_by_the_same_reader() -> None:
    assert [read_days(t) for t in ("mười lăm ngày", "hai mươi mốt ngày", "một tháng rưỡi")] == [15, 21, 45]
