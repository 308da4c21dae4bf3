"""Texts shown in several places: the checklist's items with the ward's short advice (shipped defaults, translated;
a ward admin may replace each), the answers as read back, and the coverage bar."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, _, fmt_date
from handlers.pledges.texts import bar
from models.fire_safety import FireSafetyAdvice, FireSafetyChecklist

# The checklist's items in the order they are asked; each is a step of the checklist flow and a key of advice.
ITEMS = ("extinguisher", "smoke_alarm", "escape", "electrical", "gas", "second_exit")

NAMES = {
    "extinguisher": N_("Fire extinguisher"),
    "smoke_alarm": N_("Smoke alarm"),
    "escape": N_("Escape route"),
    "electrical": N_("Electrical check"),
    "gas": N_("Gas check"),
    "second_exit": N_("Second exit"),
}

QUESTIONS = {
    "extinguisher": N_("Does your household have a fire extinguisher?"),
    "smoke_alarm": N_("Is there a working smoke alarm (or fire alarm) in the house?"),
    "escape": N_("Are the escape routes (doors, stairs, the way out) kept clear, with the keys to hand?"),
    "electrical": N_(
        "Has the house's wiring been checked this year (no bare wires, overloaded sockets or hot plugs)?"
    ),
    "gas": N_("Have the gas cylinder, hose and valve been checked this year?"),
    "second_exit": N_(
        "Does the house have a second way out (a back door, a roof or balcony exit without fixed bars) besides the "
        "shop's front?"
    ),
}

DEFAULT_ADVICE = {
    "extinguisher": N_(
        "Keep at least one 4 kg powder or CO₂ extinguisher near the door or the kitchen, where everyone can reach "
        "it. Check the pressure needle is in the green and refill it before the date on its label."
    ),
    "smoke_alarm": N_(
        "A smoke alarm on the ceiling of the ground floor and of each sleeping floor wakes the family in time. "
        "Press its test button once a month and change the battery every year."
    ),
    "escape": N_(
        "Most deaths in house fires come from smoke, when people cannot get out. Do not block the stairs or the "
        "door with goods or motorbikes; keep the key of every lock and every iron grille where all can find it."
    ),
    "electrical": N_(
        "Most house fires start from electricity. Replace worn wires, do not plug many devices into one socket, "
        "and switch everything off at night and when you leave; do not charge motorbikes overnight indoors."
    ),
    "gas": N_(
        "Stand the gas cylinder upright, away from the stove; check the hose for cracks and turn the valve off "
        "after cooking. If you smell gas: do not switch anything on or off, open the doors, close the valve."
    ),
    "second_exit": N_(
        "A house with a shop needs a second way out that goods and grilles never block: a back door, or an "
        "opening in the grille of a balcony or the roof that opens from inside."
    ),
}

GAS_ANSWERS = ("checked", "unchecked", "none")


async def advice(session: AsyncSession, ward_code: int, item: str) -> str:
    """The ward's advice for `item`, or the shipped one in the reader's language."""
    row = (
        await session.exec(
            select(FireSafetyAdvice).where(
                FireSafetyAdvice.ward_code == ward_code, FireSafetyAdvice.item == item
            )
        )
    ).first()
    return row.text if row is not None else _(DEFAULT_ADVICE[item])


def yes_or_no(value: bool | None) -> str:
    return _("yes") if value else _("no")


def line(item: str, value: str) -> str:
    name = _(NAMES[item])
    return f"• {name}: {value}"


def summary(checklist: FireSafetyChecklist) -> list[str]:
    """The answers of a checklist, one line per item, as read back before signing and on /pccc."""
    if checklist.has_extinguisher and checklist.extinguisher_expires_on is not None:
        extinguisher = _("yes, valid until {date}").format(date=fmt_date(checklist.extinguisher_expires_on))
    elif checklist.has_extinguisher:
        extinguisher = _("yes, refill date not known")
    else:
        extinguisher = _("no")
    gas = {"checked": _("checked"), "unchecked": _("not checked"), "none": _("no gas in the house")}[
        checklist.gas
    ]
    lines = [
        line("extinguisher", extinguisher),
        line("smoke_alarm", yes_or_no(checklist.smoke_alarm)),
        line("escape", yes_or_no(checklist.escape_route_clear)),
        line("electrical", yes_or_no(checklist.electrical_checked)),
        line("gas", gas),
    ]
    if checklist.has_shop:
        lines.append(line("second_exit", yes_or_no(checklist.second_exit)))
    return lines


__all__ = ["ITEMS", "NAMES", "QUESTIONS", "DEFAULT_ADVICE", "GAS_ANSWERS", "advice", "summary", "bar"]
