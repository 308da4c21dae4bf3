"""Names shown in several places of mediation: the kinds of dispute and the statuses of a case."""

from __future__ import annotations

from bot.i18n import N_, _
from models.mediation import CaseStatus

KINDS = {
    "neighbours": N_("Neighbours"),
    "land": N_("Land boundary"),
    "noise": N_("Noise"),
    "family": N_("Family"),
    "debt": N_("Small debt"),
    "other": N_("Another kind of dispute"),
}
STATUSES: dict[str, str] = {
    CaseStatus.RECEIVED: N_("waiting for a mediator"),
    CaseStatus.ASSIGNED: N_("with a mediator"),
    CaseStatus.SCHEDULED: N_("session planned"),
    CaseStatus.REOPENED: N_("reopened"),
    CaseStatus.AGREED: N_("agreement reached (hòa giải thành)"),
    CaseStatus.NOT_AGREED: N_("no agreement (hòa giải không thành)"),
    CaseStatus.WITHDRAWN: N_("withdrawn"),
}


def kind_label(kind: str) -> str:
    return _(KINDS.get(kind, KINDS["other"]))


def status_label(status: str) -> str:
    return _(STATUSES.get(status, status))
