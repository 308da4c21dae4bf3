"""Words a group leader wrote before pressing the offered report (bot.core.understand carries them): the report
itself, as he would tell it to the officer ("tổ 3 tuần này bình thường, có 1 vụ mất xe đạp, 2 hộ mới đến"), or
only the wish to send it ("tôi là tổ trưởng tổ 9, xin gửi báo cáo định kỳ"). The first goes into the report as the
answer to its first question that takes words; the second says nothing to keep.
"""

from __future__ import annotations

from typing import Any

from bot.core.wording import beyond_asking

# Words that only ask to send the report, name who sends it and for when (folded, as `words` gives them): what is
# left once they are taken away is what the leader has to tell.
ASKING = frozenset(
    (
        "toi em anh chi minh tui con chau bac chu co ong ba day la cua cho xin kinh gui nop lam can muon phai "
        "duoc khong ko a nhe nha voi giup di ah oi bot ad admin nay ky dot tuan thang quy nam nay trong qua "
        "dinh bao cao bc report reports send submit sending weekly monthly i my me to the want need our this "
        "group groups s week month period leader to truong tdp dan pho khu khom ap thon xom doi so len phuong "
        "xa cong an ca ubnd tinh hinh an ninh trat tu antt"
    ).split()
)
ENOUGH = 2  # words of its own, at least, that make a message a report rather than a wish to send one


def report_told(text: str | None) -> str | None:
    """The words, when they tell the report rather than only ask to send it; None otherwise."""
    if not text or not text.strip():
        return None
    return text.strip() if beyond_asking(text, ASKING, ENOUGH) else None


def first_words_question(questions: list[dict[str, Any]]) -> int | None:
    """The index of the first question answered in words (the incidents, in the ward's default questions)."""
    return next((i for i, q in enumerate(questions) if q["kind"] == "text"), None)
