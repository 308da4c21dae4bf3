"""Names shown in several places of mediation: the kinds of dispute (and the words people name them by) and the
statuses of a case."""

from __future__ import annotations

from bot.core.wording import holds_any
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
# Words people use for each kind, typed at "What is the dispute about?" ("xay lan") or written before asking for
# mediation, where they guess the kind to confirm; accents count where both sides wrote them.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    kind: tuple(phrases.split("|"))
    for kind, phrases in {
        "land": "đất|đất đai|ranh giới|ranh đất|mốc giới|cột mốc|xây lấn|lấn đất|lấn chiếm|lấn sang|tường chung|"
        "lối đi chung|land",
        "noise": "ồn|ồn ào|tiếng ồn|karaoke|hát|loa|mở nhạc|nhạc to|noise|loud",
        "family": "gia đình|vợ chồng|anh em|chị em|con cái|bố mẹ|cha mẹ|mẹ chồng|nàng dâu|thừa kế|chia tài sản|"
        "ly hôn|family",
        "debt": "nợ|tiền nợ|vay|vay tiền|mượn tiền|không trả tiền|quỵt|debt|loan",
        "neighbours": "hàng xóm|nhà bên|láng giềng|neighbour|neighbor",
    }.items()
}
# "Hàng xóm hát karaoke" is about the noise: neighbours are guessed only when nothing more precise is named.
_VAGUE = "neighbours"


def guess_kind(text: str) -> str | None:
    """The one kind of dispute `text` names, or None when it names none or several."""
    named = [kind for kind, also in KIND_WORDS.items() if kind != _VAGUE and holds_any(text, also)]
    if len(named) == 1:
        return named[0]
    return _VAGUE if not named and holds_any(text, KIND_WORDS[_VAGUE]) else None


STATUSES: dict[str, str] = {
    CaseStatus.RECEIVED: N_("waiting for a mediator"),
    CaseStatus.ASSIGNED: N_("with a mediator"),
    CaseStatus.SCHEDULED: N_("session planned"),
    CaseStatus.REOPENED: N_("reopened: the agreement is reported not kept"),
    CaseStatus.AGREED: N_("agreement reached (hòa giải thành)"),
    CaseStatus.NOT_AGREED: N_("no agreement (hòa giải không thành)"),
    CaseStatus.WITHDRAWN: N_("withdrawn"),
}


def kind_label(kind: str) -> str:
    return _(KINDS.get(kind, KINDS["other"]))


def status_label(status: str) -> str:
    return _(STATUSES.get(status, status))
