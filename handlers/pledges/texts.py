"""Texts shown in several places: the default pledge, a household's label and the coverage bar.

The default pledge a household signs is drawn from the five criteria of Thông tư 124/2021/TT-BCA. Its msgid is
the English version; the Vietnamese catalog holds the text households actually sign. A ward admin may replace it
when opening the campaign; whatever is opened is frozen as version 1.
"""

from __future__ import annotations

from bot.i18n import N_, _, use_locale
from models import Household

BAR_CELLS = 10

DEFAULT_TITLE = N_("Pledge: a residential area safe in security and order, {year}")

DEFAULT_TEXT = N_(
    "HOUSEHOLD PLEDGE TO KEEP OUR RESIDENTIAL AREA SAFE IN SECURITY AND ORDER\n\n"
    'Answering the movement "All people protect the security of the Fatherland" and the standards of a '
    "residential area safe in security and order (Circular 124/2021/TT-BCA), our household pledges:\n\n"
    "1. To abide by the policies of the Party, the laws of the State and the rules of the locality; to take no "
    "part in, and give no help to, any activity that harms national security; to take no part in unlawful mass "
    "complaints or gatherings that disturb public order.\n\n"
    "2. That no member of our household will commit a crime or break the law; not to produce, keep, trade or "
    "use drugs; not to take part in gambling, prostitution or other social evils; to teach our children and "
    "family members to respect the law.\n\n"
    "3. To declare permanent and temporary residence and absence as the law requires; to follow the rules on "
    "fire prevention and fighting, road safety, weapons, explosives and firecrackers; to keep our home and "
    "neighbourhood safe from fire and accidents.\n\n"
    "4. To report crimes and violations of the law we discover to the police; to take part in community "
    "mediation and settle disputes with our neighbours peacefully, so that no conflict turns into a violation "
    "of the law.\n\n"
    "5. To take part actively in the self-managed groups and security models of our area, to keep the "
    "residential area's rules and customs, and to help one another build a safe, united neighbourhood.\n\n"
    "We take responsibility before the community and the authorities for keeping this pledge."
)


def default_title(year: int, locale: str) -> str:
    with use_locale(locale):
        return _(DEFAULT_TITLE).format(year=year)


def default_text(locale: str) -> str:
    with use_locale(locale):
        return _(DEFAULT_TEXT)


def household_label(household: Household) -> str:
    return f"{household.address} — {household.head_name}"


def initials(name: str) -> str:
    """ "Nguyễn Văn An" → "N. V. A.": enough for someone of the household to recognise it, not a neighbour's name."""
    return " ".join(f"{word[0]}." for word in name.split() if word)


def household_hint(household: Household) -> str:
    """How a household is shown to a resident looking for their own: the address and the head's initials only."""
    return _("{address} — head of household {initials}").format(
        address=household.address, initials=initials(household.head_name)
    )


def bar(signed: int, total: int) -> str:
    """ "▓▓▓▓▓░░░░░ 52%": cells are floored so an unfinished group never shows a full bar."""
    share = signed / total if total else 0.0
    filled = min(BAR_CELLS, int(share * BAR_CELLS))
    return "▓" * filled + "░" * (BAR_CELLS - filled) + f" {int(share * 100)}%"
