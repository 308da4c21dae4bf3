"""The police-matter screen (art. 3, Luật Hòa giải ở cơ sở 2013): acts that must be prosecuted or fined are not
mediated. Keywords in Vietnamese (typed with or without accents) and English, grouped by what they show.

Folding removes accents, so a few Vietnamese words become ambiguous once folded ("súng" gun / "sung" fig,
"đâm" stab / "đám" crowd): those are matched only as written with accents, or inside an unambiguous phrase.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.i18n import N_
from bot.textnorm import fold

# category → (label, phrases matched on folded text, words matched only with their accents)
CATEGORIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "violence": (
        N_("violence or assault"),
        (
            "danh nhau",
            "danh dap",
            "hanh hung",
            "bao luc",
            "bi danh",
            "danh toi",
            "danh vo",
            "danh chong",
            "danh con",
            "danh me",
            "danh bo",
            "danh em",
            "danh anh",
            "danh chi",
            "danh ba",
            "danh ong",
            "danh trong thuong",
            "gay thuong tich",
            "thuong tich",
            "giet",
            "doa giet",
            "chem",
            "dam nhau",
            "bi dam",
            "dam chet",
            "assault",
            "violence",
            "violent",
            "beat me",
            "beaten",
            "beats",
            "punched",
            "stabbed",
            "stab",
            "murder",
            "kill",
            "threatened to kill",
            "death threat",
            "domestic abuse",
        ),
        ("đâm", "bóp cổ", "tát"),
    ),
    "weapons": (
        N_("weapons"),
        (
            "vu khi",
            "con dao",
            "dao gam",
            "cam dao",
            "vung dao",
            "rut dao",
            "mang dao",
            "dao phay",
            "dao kiem",
            "ma tau",
            "sung ban",
            "sung dan",
            "ban sung",
            "no sung",
            "thuoc no",
            "bom xang",
            "weapon",
            "knife",
            "gun",
            "firearm",
            "explosive",
        ),
        ("súng",),
    ),
    "drugs": (
        N_("drugs"),
        (
            "ma tuy",
            "thuoc lac",
            "heroin",
            "can sa",
            "ke ton",
            "hang da",
            "bong cuoi",
            "chich hut",
            "su dung ma",
            "drug",
            "drugs",
            "meth",
            "cocaine",
            "cannabis",
            "marijuana",
        ),
        (),
    ),
    "theft": (
        N_("theft or robbery"),
        (
            "trom",
            "an cap",
            "cuop",
            "giat do",
            "giat dien thoai",
            "dot nhap",
            "pha khoa",
            "steal",
            "stole",
            "stolen",
            "theft",
            "thief",
            "rob",
            "robbed",
            "robbery",
            "burglary",
            "burgled",
            "break in",
            "broke in",
        ),
        ("cắp",),
    ),
    "fraud": (
        N_("fraud or extortion"),
        (
            "lua dao",
            "chiem doat",
            "tong tien",
            "cuong doat",
            "gia danh cong an",
            "lua tien",
            "fraud",
            "scam",
            "scammed",
            "extort",
            "extortion",
            "blackmail",
        ),
        (),
    ),
    "other_crime": (
        N_("gambling, usury, sexual abuse, kidnapping or arson"),
        (
            "co bac",
            "danh bac",
            "ca do",
            "lo de",
            "cho vay nang lai",
            "tin dung den",
            "hiep dam",
            "xam hai",
            "dam o",
            "bat coc",
            "giam giu",
            "phong hoa",
            "dot nha",
            "gambling",
            "loan shark",
            "rape",
            "raped",
            "sexual abuse",
            "molest",
            "kidnap",
            "kidnapped",
            "arson",
            "set fire",
        ),
        (),
    ),
}


# What a category of this screen is among the tip form's categories (handlers/tips/texts.py), for the tip form a
# police matter is handed to to offer as its guess; weapons, gambling and the rest name no one category there.
TIP_CATEGORY = {"violence": "violence", "drugs": "drugs", "theft": "theft", "fraud": "fraud"}


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def _accented(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def police_matters(*texts: str) -> list[str]:
    """The categories of police matters the texts mention, in a stable order; empty when none."""
    folded = " ".join(fold(t) for t in texts)
    accented = " ".join(_accented(t) for t in texts)
    found: list[str] = []
    for category, (_label, phrases, accent_only) in CATEGORIES.items():
        if any(_pattern(p).search(folded) for p in phrases) or any(
            _pattern(_accented(w)).search(accented) for w in accent_only
        ):
            found.append(category)
    return found


def tip_category(categories: list[str]) -> str | None:
    """The tip form's category the first of these that has one stands for, or None."""
    return next((TIP_CATEGORY[c] for c in categories if c in TIP_CATEGORY), None)


def labels(categories: list[str]) -> list[str]:
    """The N_() labels of the categories (translate where shown)."""
    return [CATEGORIES[c][0] for c in categories]
