"""Seeing a pasted phone number, link or bank account, or a forwarded scam text, in free text, so /kiemtra runs on
it at once.

Declared as the detector of the `scamcheck` intent (handlers/alerts/intents.toml); see bot/core/intents.py. A tip
that merely mentions a phone ("bán ma túy ở hẻm 5, sđt 09…") gets only a little support here, so its own words
decide; a message that is mostly the identifier, or that speaks in a scammer's voice, gets enough to be read as a
check on its own.
"""

from __future__ import annotations

import re

from bot.textnorm import fold
from handlers.alerts.identifiers import accounts_in, domains_in, phones_in

ALONE = 4.0  # the identifier is (nearly) the whole message: check it, whatever the few words around it say
FORWARDED = 3.0  # an identifier in a text that reads like the scam itself
MENTIONED = 1.0  # a number among other words: supports "số này có phải lừa đảo không", decides nothing
LINKED = 2.0  # a link among other words: residents paste links to ask about them, tips rarely carry one
SCAM_VOICE = 2.0  # a scammer's wording and some number, but no identifier found

PHONE_DIGITS = 6  # fewer digits than this are neither a phone number ("1900 6868" has 8) nor an account
ALONE_WORDS = 4  # at most this many other words and the message is "mostly" the identifier
_ONE_DIGIT = re.compile(r"\d")
_LINKISH = re.compile(r"\d|://|^www\.|\w\.\w", re.IGNORECASE)

# How scam messages themselves talk (folded), as opposed to how a resident tells what happened to them.
_SCAM_WORDS = (
    "trung thuong", "nhan giai", "nhan thuong", "qua tang", "nhan qua", "tri an", "otp", "cung cap ma",
    "xac minh", "xac thuc", "bi khoa", "tam khoa", "truy cap", "nhan vao", "bam vao", "vui long", "quy khach",
    "giai ngan", "ho so vay", "ket ban zalo", "lien he", "chuyen khoan", "ck vao", "stk", "so tai khoan",
    "phi ship", "dong phi", "buu pham", "hoa hong", "cap nhat", "sinh trac hoc", "cat dien", "lai cao",
    "dau tu", "tien ao", "tro cap", "khoan tien", "ung dung", "verify", "suspended", "your account", "prize", "winner", "customs", "pay the fee",
    "click",
)  # fmt: skip
_SCAM = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _SCAM_WORDS) + r")\b")


def pasted_identifiers(text: str) -> float:
    """How strongly the text asks to be checked as a scam by what it contains (see the constants)."""
    # The look-ups are the costly part of reading a message: skip those that cannot find anything.
    digits = len(_ONE_DIGIT.findall(text))
    links = domains_in(text) if "." in text else []
    found = bool(links or (digits >= PHONE_DIGITS and (phones_in(text) or accounts_in(text))))
    voice = len(set(_SCAM.findall(fold(text))))
    if found:
        others = [w for w in text.split() if not _LINKISH.search(w) and any(ch.isalpha() for ch in w)]
        if len(others) <= ALONE_WORDS:
            return ALONE
        if voice:
            return FORWARDED
        return LINKED if links else MENTIONED
    if voice >= 2 and digits:
        return SCAM_VOICE
    return 0.0
