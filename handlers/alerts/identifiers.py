"""Finding what criminals leave in a message (phone numbers, links, account numbers, words), normalised for matching.

Phone numbers go through `phonenumbers` (Vietnamese numbers in any spelling become "+84…"); links are reduced
to their host without "www."; words are folded so accents and case do not matter.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers

from bot.security import CODE_ALPHABET
from bot.textnorm import fold

_URL = re.compile(
    r"(?<![\w.@-])(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?::\d+)?"
    r"(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+")  # "50.000.000" is a sum of money, not an account
_DIGITS = re.compile(r"\d[\d .-]{4,30}\d")
_CODE = re.compile(r"\b[A-Z0-9]{6}\b")
CODE_LENGTH = 6
# Words too common to say anything about a message (Vietnamese and English).
_STOP = frozenset(
    "va la cua cho co khong nay mot cac nhung den voi duoc da se dang thi ma o tai tu nguoi ban toi anh chi em "
    "and the you your for with this that are was have from".split()
)


def phones_in(text: str) -> list[str]:
    """Every phone number in the text, as E.164 ("0912 345 678", "84912345678" → "+84912345678")."""
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(text, "VN"):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if value not in found:
            found.append(value)
    return found


def _without_phones(text: str) -> str:
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "VN")]
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


def domain_of(link: str) -> str | None:
    """ "https://www.Vay-Nhanh.vn/abc" → "vay-nhanh.vn"; None when it is not a link."""
    candidate = link.strip()
    if "://" not in candidate:
        candidate = "http://" + candidate
    try:
        host = (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host if "." in host and not host.replace(".", "").isdigit() else None


def domains_in(text: str) -> list[str]:
    found: list[str] = []
    for match in _URL.finditer(text):
        raw = match.group(0)
        domain = domain_of(raw)
        if domain is None or domain in found:
            continue
        # Without "http" or "www", "P.Cao Lãnh" or "TP.HCM" would pass for links: a bare host needs a real name.
        bare = not re.match(r"(?:https?://|www\.)", raw, re.IGNORECASE)
        if bare and len(domain.split(".")[0]) < 3:
            continue
        found.append(domain)
    return found


def accounts_in(text: str) -> list[str]:
    """Bank account numbers: runs of 8–19 digits (spaces, dots or dashes allowed) that are not phone numbers."""
    found: list[str] = []
    for match in _DIGITS.finditer(_without_phones(text)):
        if _AMOUNT.fullmatch(match.group(0).strip(" .-")):
            continue
        digits = re.sub(r"\D", "", match.group(0))
        if 8 <= len(digits) <= 19 and digits not in found:
            found.append(digits)
    return found


def words_in(text: str) -> list[str]:
    """Folded words that carry meaning (no stop words, no numbers), in order."""
    return [w for w in fold(text).split() if w not in _STOP and not w.isdigit() and len(w) > 1]


def codes_in(text: str) -> list[str]:
    """Strings shaped like an alert's verification code (6 characters of the code alphabet)."""
    found: list[str] = []
    for token in _CODE.findall(text.upper() if len(text.strip()) == CODE_LENGTH else text):
        if all(ch in CODE_ALPHABET for ch in token) and token not in found:
            found.append(token)
    return found


def classify(line: str) -> tuple[str, str] | None:
    """One identifier typed by an alert's author → (kind, normalised value)."""
    line = line.strip()
    if not line:
        return None
    phones = phones_in(line)
    if phones:
        return "phone", phones[0]
    accounts = accounts_in(line)
    if accounts:
        return "account", accounts[0]
    if " " not in line:
        domain = domain_of(line) if _URL.fullmatch(line) else None
        if domain:
            return "domain", domain
    folded = fold(line)
    return ("name", folded) if folded else None


def identifiers_of(*texts: str) -> set[tuple[str, str]]:
    """Every identifier found inside free texts (an alert's title, body and link)."""
    found: set[tuple[str, str]] = set()
    for text in texts:
        found |= {("phone", p) for p in phones_in(text)}
        found |= {("domain", d) for d in domains_in(text)}
        found |= {("account", a) for a in accounts_in(text)}
    return found
