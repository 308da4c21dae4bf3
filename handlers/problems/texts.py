"""Names shown in several places: the categories of problems and what each status means to a reporter."""

from __future__ import annotations

from bot.i18n import N_, _
from models.problems import ProblemStatus

# key → label (N_; translate where shown). The keys are stored in reports: never rename one.
CATEGORIES: dict[str, str] = {
    "street_light": N_("Street light out"),
    "rubbish": N_("Rubbish dumped"),
    "blocked": N_("Alley blocked, parking across it"),
    "noise": N_("Noise after 22:00"),
    "fire_risk": N_("Fire risk"),
    "flooding": N_("Flooding, blocked drain"),
    "roads": N_("Road or pavement damaged"),
    "other": N_("Something else"),
}

STATUSES: dict[str, str] = {
    ProblemStatus.OPEN: N_("received, waiting to be handled"),
    ProblemStatus.ASSIGNED: N_("a group leader is seeing to it"),
    ProblemStatus.PASSED: N_("passed to {office}"),
    ProblemStatus.FIXED: N_("fixed"),
    ProblemStatus.MERGED: N_("handled together with report no. {number}"),
}


# The offices a report is most often passed to, offered as buttons (key → label, N_). What is stored and shown to
# the reporters is the label in the admin's language; any other office is typed.
OFFICES: dict[str, str] = {
    "power": N_("the electricity company"),
    "water": N_("the water supply company"),
    "sanitation": N_("the urban environment company"),
    "works": N_("the ward's economy, infrastructure and urban office"),
    "police": N_("the ward police"),
}


def category_name(key: str) -> str:
    return _(CATEGORIES.get(key, CATEGORIES["other"]))


def status_text(status: str, *, office: str | None = None, merged_into: int | None = None) -> str:
    return _(STATUSES.get(status, STATUSES[ProblemStatus.OPEN])).format(
        office=office or "", number=merged_into or ""
    )
