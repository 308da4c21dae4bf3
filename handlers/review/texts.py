"""Names shown in several places: the grades of a group, the states of a criterion, and how a figure reads."""

from __future__ import annotations

from typing import Literal

from bot.digest.small import SMALL, hidden
from bot.extensions.year_figures import Figure, YearFigure
from bot.i18n import N_, _, fmt_number, fmt_percent

# Best first. No national text sets these for a Tổ Nhân dân tự quản: the thresholds are settings.
GradeName = Literal["strong", "good", "fair", "weak"]
GRADES: tuple[GradeName, ...] = ("strong", "good", "fair", "weak")
GRADE_NAMES = {
    "strong": N_("strong (vững mạnh)"),
    "good": N_("good (khá)"),
    "fair": N_("fair (trung bình)"),
    "weak": N_("weak (yếu)"),
}
# Whether an area or the ward meets the standard "An toàn về an ninh, trật tự", as proposed and decided.
MEETS, NOT_MEETS = "meets", "not_meets"
STANDING_NAMES = {MEETS: N_("meets the standard"), NOT_MEETS: N_("does not meet the standard")}
STATUS_NAMES = {
    "met": N_("met"),
    "unmet": N_("not met"),
    "missing": N_("no data yet"),
    "waiting": N_("waiting for the police"),
}
MARKS = {"met": "✓", "unmet": "✗", "missing": "…", "waiting": "⏳"}  # a criterion's status at a glance
# A group's missed reports are its leader's duty, not a resident's action: they are shown however small.
SHOWN_SMALL = frozenset({"reports.missed"})


def entered_by(kind: str) -> str:
    """How a criterion no figure measures is entered, for a kind of place: a group's leader proposes and the
    police confirm; an area and the ward have no leader here, so the police enter theirs (from /tongket)."""
    if kind == "group":
        return _("entered by the group leader, confirmed by the police")
    return _("entered by the police")


def grade_name(grade: str | None) -> str:
    return _(GRADE_NAMES[grade]) if grade in GRADE_NAMES else "—"


def standing_name(value: str | None) -> str:
    return _(STANDING_NAMES[value]) if value in STANDING_NAMES else "—"


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status])


def small(figure: Figure, spec: YearFigure) -> bool:
    """Whether the figure rests on a count of people's actions too small to show ("fewer than 5"): the count
    itself, or for a figure of days the records it was measured on. Its evidence is then hidden with it: a list of
    record ids tells the count. A share shows its count beside it ("3 of 4"), so its records hide nothing more."""
    if spec.name in SHOWN_SMALL or spec.unit == "share":
        return False
    return hidden(int(figure.value) if spec.unit == "count" else len(figure.record_ids))


def value(figure: Figure | None, spec: YearFigure | None, *, hide_small: bool = True) -> str:
    """A figure as people read it: "95% (19/20)", "2", "3.5 days"; "no data" when there is none; a small count
    of people's actions as "fewer than 5"."""
    if figure is None or spec is None:
        return _("no data")
    if spec.unit == "share":
        if figure.numerator is not None and figure.denominator is not None:
            return _("{percent} ({n} of {total})").format(
                percent=fmt_percent(figure.value),
                n=fmt_number(figure.numerator),
                total=fmt_number(figure.denominator),
            )
        return fmt_percent(figure.value)
    if spec.unit == "days":
        return _("{n} days").format(n=fmt_number(round(figure.value, 1)))
    if hide_small and small(figure, spec):
        return _("fewer than {n}").format(n=SMALL)
    return fmt_number(int(figure.value))


def threshold(spec: YearFigure | None, comparison: str, limit: float | None) -> str:
    if limit is None:
        return ""
    shown = fmt_percent(limit) if spec is not None and spec.unit == "share" else fmt_number(limit)
    return ("≥ " if comparison == ">=" else "≤ ") + shown
