"""Words an author wrote before pressing the offered alert form (bot.core.understand carries them): the warning
itself ("nhắc bà con khóa cửa xe, dạo này hay mất trộm"), offered as the alert's description in one press, or only
the wish to write one ("soạn cảnh báo cho cả tổ"), which says nothing to keep. The twin of the reports' told.py.
"""

from __future__ import annotations

from bot.core.wording import beyond_asking

BODY_MIN = 10  # characters, as the description asks for
BODY_MAX = 2500
# Words that only ask to write a warning, and to whom (folded, as `words` gives them): what is left is the warning.
ASKING = frozenset(
    (
        "soan gui viet ra phat lam canh bao thong bao bao nhan nhac cho toi em anh chi minh tui muon can xin "
        "giup nhe nha a voi di ca to khu phuong xa ba con nguoi dan moi nguoi write send a an warning alert warn "
        "the group everyone residents to i want need please"
    ).split()
)
ENOUGH = 2  # words of its own, at least, that make a message a warning rather than a wish to write one


def written_warning(text: str | None) -> str | None:
    """Words carried in that say a warning (long enough for a description), not only a wish to write one; None
    otherwise."""
    text = (text or "").strip()[:BODY_MAX]
    return text if len(text) >= BODY_MIN and beyond_asking(text, ASKING, ENOUGH) else None
