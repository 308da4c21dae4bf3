"""The checklist's questions answered in people's own words, read before the buttons' labels are (bot.core.typed):
"nhà không xài gas", "hổng có bình", "có gắn rồi mà hư", "chỉ có cửa trước".

The demo ward is in Đồng Tháp: the south says "xài" for "dùng" (use) and "hổng", "hông", "hok" for "không". The
labels alone read some answers wrongly, and a wrong answer is a wrong fact about a house: "không dùng gas" starts
with a no, so it was "Chưa kiểm tra" (gas in use, not checked). What this module is not sure of it leaves to the
buttons, which refuse it and ask again rather than keep a guess.

Phrases are compared as the intent reader compares words (bot.core.wording): without accents where the person
typed none, with them where both wrote them ("hỏng", broken, is not "hổng"), chat shorthand expanded ("ko").
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.wording import Token, holds, tokens_of

# "hổng" is the south's "không"; the shared shorthand table cannot say so, "hổng" being also a hole.
SOUTHERN_NO = re.compile(r"(?<!\w)hổng(?!\w)")
LONGEST = 14  # words: a longer message is a story, not an answer; the buttons are asked for it
# Words that make a message no answer: not knowing, maybe, a question back.
UNSURE = (
    "không biết", "chưa biết", "không nhớ", "chưa nhớ", "không rõ", "chưa rõ", "không chắc", "chưa chắc",
    "có lẽ", "có thể", "hình như", "chắc là", "để xem", "để coi", "không hiểu", "là sao", "là gì", "thế nào",
    "như nào", "ra sao", "bao nhiêu", "don't know", "not sure", "maybe",
)  # fmt: skip
YES_WORDS = ("có", "rồi")
NO_WORDS = ("không", "chưa")
# Said around a bare yes or no ("dạ không", "hổng có đâu", "chưa có nha"), they add nothing to it.
AROUND = frozenset(
    "da thua nha toi minh em con chau tui bac anh chi o co a nhe dau luon roi ne ha hen vay ah day do nao "
    "oi nay nam".split()
)

# Gas: no gas in the house at all; gas not checked this year; checked. The first that is said decides, in this order.
NO_GAS = (
    "không dùng", "không xài", "không sử dụng", "không có dùng", "không có xài", "không có sử dụng", "chưa dùng gas",
    "chưa xài gas", "không có gas", "không có ga", "không gas", "không ga", "không có bình gas", "không có bình ga",
    "không có bếp gas", "không có bếp ga", "không nấu", "bếp điện", "bếp từ", "nấu điện", "nấu bằng điện",
    "xài điện", "dùng điện", "bếp củi", "nấu củi", "no gas", "not use gas", "don't use gas", "do not use gas",
)  # fmt: skip
GAS_UNCHECKED = (
    "chưa kiểm tra", "chưa kiểm", "chưa có kiểm tra", "không kiểm tra", "không có kiểm tra", "chưa ai kiểm tra",
    "không ai kiểm tra", "chưa check", "chưa coi", "chưa xem", "not checked",
)  # fmt: skip
GAS_CHECKED = (
    "đã kiểm tra", "kiểm tra rồi", "có kiểm tra", "mới kiểm tra", "vừa kiểm tra", "kiểm rồi", "check rồi",
    "coi rồi", "xem rồi", "mới thay dây", "mới thay van", "checked",
)  # fmt: skip
GAS_IN_USE = ("có dùng", "có xài", "có sử dụng", "dùng gas", "xài gas", "có gas", "có bình gas", "có bếp gas")

# The yes/no questions: (answer, phrases) tried in order before the first yes or no word of the message decides.
# A trouble denied comes before the trouble ("không hư" before "hư").
NO_EXTINGUISHER = (
    "không có bình",
    "chưa có bình",
    "chưa mua",
    "không mua",
    "chưa trang bị",
    "không trang bị",
)
EXTINGUISHERS = ("một bình", "hai bình", "ba bình", "1 bình", "2 bình", "3 bình", "4 bình", "có bình")
ALARM_WORKS = (
    "không hư", "chưa hư", "không hỏng", "chưa hỏng", "còn hoạt động", "vẫn hoạt động", "hoạt động tốt", "còn kêu",
    "vẫn kêu", "còn xài được", "còn dùng được", "còn tốt", "vẫn tốt",
)  # fmt: skip
NO_ALARM = (
    "hư", "hỏng", "hết pin", "không kêu", "không hoạt động", "tháo ra", "tháo rồi", "chưa lắp", "chưa gắn",
    "không lắp", "không gắn", "broken",
)  # fmt: skip
NOT_CLEAR = (
    "không thông thoáng",
    "chưa thông thoáng",
    "không thoáng",
    "chưa thoáng",
    "không gọn",
    "chưa gọn",
)
CLEAR = (
    "không bị", "không vướng", "không có gì", "không chắn", "không chặn", "không để xe", "không để đồ",
    "không để hàng", "thông thoáng", "thoáng", "gọn gàng", "dễ lấy", "để gần cửa", "treo gần cửa",
)  # fmt: skip
BLOCKED = (
    "bị chắn", "bị chặn", "chắn", "chặn", "vướng", "để xe", "dựng xe", "để đồ", "chất đồ", "để hàng", "chất hàng",
    "khóa trái", "khó lấy", "blocked",
)  # fmt: skip
WIRING_SAFE = ("không hở", "không chập", "không nóng", "không quá tải")
WIRING_UNCHECKED = (
    "chưa kiểm tra", "không kiểm tra", "chưa có kiểm tra", "chưa ai kiểm tra", "chưa kiểm", "chưa check", "chưa coi",
    "chưa xem", "không an toàn", "không ổn", "hở điện", "dây hở", "chập", "nóng", "quá tải",
)  # fmt: skip
WIRING_CHECKED = (
    "kiểm tra rồi", "đã kiểm tra", "có kiểm tra", "mới kiểm tra", "vừa kiểm tra", "thợ kiểm tra", "thay rồi",
    "mới thay", "vừa thay", "sửa rồi", "mới sửa", "check rồi", "an toàn", "ổn",
)  # fmt: skip
NO_SHOP = (
    "không bán", "không kinh doanh", "không buôn bán", "không có tiệm", "không có quán", "không mở", "không làm ăn",
    "không còn bán", "nghỉ bán", "nghỉ kinh doanh", "dẹp", "chỉ ở", "để ở", "ở thôi", "ở không",
)  # fmt: skip
SHOP = (
    "bán", "buôn", "kinh doanh", "tiệm", "quán", "tạp hóa", "xưởng", "cửa hàng", "cho thuê", "trọ", "sửa xe",
    "làm ăn", "sạp",
)  # fmt: skip
ONE_WAY_OUT = (
    "không có cửa", "không có lối", "chỉ có cửa trước", "chỉ có một cửa", "chỉ có 1 cửa", "chỉ một cửa", "chỉ 1 cửa",
    "chỉ có một lối", "chỉ có 1 lối", "một cửa thôi", "1 cửa thôi", "cửa trước thôi", "bít", "bịt", "hàn chết",
    "hàn kín", "rào kín", "khung sắt kín",
)  # fmt: skip
SECOND_WAY_OUT = (
    "cửa sau", "cửa hông", "cửa phụ", "lối sau", "lối phụ", "ban công", "sân thượng", "mái", "hai cửa", "2 cửa",
    "hai lối", "2 lối", "back door",
)  # fmt: skip
RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "extinguisher": (("no", NO_EXTINGUISHER), ("yes", EXTINGUISHERS)),
    "smoke_alarm": (("yes", ALARM_WORKS), ("no", NO_ALARM)),
    "escape": (("no", NOT_CLEAR), ("yes", CLEAR), ("no", BLOCKED)),
    "electrical": (("yes", WIRING_SAFE), ("no", WIRING_UNCHECKED), ("yes", WIRING_CHECKED)),
    "shop": (("no", NO_SHOP), ("yes", SHOP)),
    "second_exit": (("no", ONE_WAY_OUT), ("yes", SECOND_WAY_OUT)),
}


def reading(item: str, text: str) -> str | None:
    """What the typed `text` answers to the question `item`, or None when it is not sure.

    The yes/no questions: "yes" or "no". "gas" (checked this year?): "checked", "unchecked", "none" (no gas in the
    house), or "which" for a bare no ("không", "hổng có"), which may mean either of the last two. "gas_use" (asked
    after such a no: does the house use gas?): "unchecked", "none", or "checked" when the words say so."""
    said = SOUTHERN_NO.sub("không", unicodedata.normalize("NFC", text.lower()))
    tokens = tokens_of(said)
    if not tokens or len(tokens) > LONGEST or "?" in said or holds(tokens, UNSURE):
        return None
    if item in ("gas", "gas_use"):
        return _gas(item, tokens)
    for answer, phrases in RULES.get(item, ()):
        if holds(tokens, phrases):
            return answer
    polarity = _polarity(tokens)
    return None if polarity is None else ("yes" if polarity[0] else "no")


def speaks_of_a_check(text: str) -> bool:
    """Whether the words say something of a check ("chưa", "kiểm tra"), not only a no that may be "no gas"."""
    tokens = tokens_of(SOUTHERN_NO.sub("không", unicodedata.normalize("NFC", text.lower())))
    return holds(tokens, ("chưa", "kiểm", "check", "coi", "xem"))


def _gas(item: str, tokens: list[Token]) -> str | None:
    for answer, phrases in (("none", NO_GAS), ("unchecked", GAS_UNCHECKED), ("checked", GAS_CHECKED)):
        if holds(tokens, phrases):
            return answer
    polarity = _polarity(tokens)
    if item == "gas_use":
        if holds(tokens, GAS_IN_USE):
            return "unchecked"
        return None if polarity is None else ("unchecked" if polarity[0] else "none")
    if polarity is None or not polarity[1]:
        return None  # "có xài gas": in use, but checked or not is not said
    yes, _bare, word = polarity
    if yes:
        return "checked"
    # "chưa" (not yet) is said of a check; "không" may be "not checked" or "no gas" alike.
    return "unchecked" if word == "chua" else "which"


def _polarity(tokens: list[Token]) -> tuple[bool, bool, str] | None:
    """The first yes or no word of the message (a no before "bị" denies a trouble: "không bị chắn" is a yes), whether
    the message is that word alone (with the words said around any answer), and the word."""
    for at, token in enumerate(tokens):
        for yes, wanted in ((True, YES_WORDS), (False, NO_WORDS)):
            if any(_is(token, word) for word in wanted):
                denied_trouble = not yes and at + 1 < len(tokens) and tokens[at + 1][0] == "bi"
                bare = all(folded in AROUND for i, (folded, _marks) in enumerate(tokens) if i != at)
                return (yes or denied_trouble), bare, token[0]
    return None


def _is(token: Token, word: str) -> bool:
    return holds([token], (word,))
