"""Names shown in several places of the tips feature: categories, statuses, when and where, officers, the clocks."""

from __future__ import annotations

from bot.i18n import N_, _, fmt_date, fmt_datetime
from handlers.tips.clocks import (
    DEFAULT,
    Rules,
    decision_deadline,
    is_overdue_receipt,
    is_overdue_transfer,
    transfer_deadline,
)
from models import Person, Tip, TipStatus

CATEGORIES: dict[str, str] = {
    "drugs": N_("Drugs"),
    "theft": N_("Theft"),
    "fraud": N_("Fraud or online scam"),
    "gambling": N_("Gambling"),
    "violence": N_("Violence or domestic violence"),
    "gathering": N_("Troublesome gathering spot"),
    "fire": N_("Fire hazard"),
    "other": N_("Something else"),
}

STATUSES: dict[str, str] = {
    TipStatus.NEW: N_("new"),
    TipStatus.ACKNOWLEDGED: N_("received"),
    TipStatus.VERIFYING: N_("being verified"),
    TipStatus.TRANSFERRED: N_("transferred to the competent authority"),
    TipStatus.RESOLVED: N_("resolved"),
    TipStatus.DISMISSED: N_("closed without action"),
}


# The statuses an officer sets, and what they type for one besides its name, read as its name is (bot.core.typed):
# "xong" is resolved. Not "xử lý xong", which may be either closing ("đã đóng, không xử lý"): those words ask which.
STATUS_TYPED: dict[str, tuple[str, ...]] = {
    TipStatus.VERIFYING: (),
    TipStatus.TRANSFERRED: ("chuyển",),
    TipStatus.RESOLVED: ("xong", "xong rồi", "hoàn thành", "hoàn tất", "done"),
    TipStatus.DISMISSED: (),
}


def category_name(key: str) -> str:
    return _(CATEGORIES.get(key, CATEGORIES["other"]))


def status_name(key: str) -> str:
    return _(STATUSES.get(key, key))


# What a tipster reads: a closed tip is explained kindly, never as "dismissed" (they did the right thing).
TIPSTER_STATUSES: dict[str, str] = {
    **STATUSES,
    TipStatus.DISMISSED: N_(
        "closed: the police checked it and found nothing they need to act on for now. That is not a judgement of "
        "you: thank you for telling them. If you learn more, send it as a new tip"
    ),
}


def status_for_tipster(key: str) -> str:
    return _(TIPSTER_STATUSES.get(key, key))


def occurred_label(value: str | None) -> str:
    if value == "now":
        return _("happening now")
    if value == "today":
        return _("today")
    if value == "often":
        return _("again and again")
    if value and value[:4].isdigit():
        from datetime import date

        return fmt_date(date.fromisoformat(value))
    return _("not known")


def place_of(tip: Tip) -> str:
    parts: list[str] = []
    if tip.place_text:
        parts.append(tip.place_text)
    if tip.latitude is not None and tip.longitude is not None:
        parts.append(
            f"{tip.latitude:.5f}, {tip.longitude:.5f} (https://maps.google.com/?q={tip.latitude},{tip.longitude})"
        )
    return "; ".join(parts) or _("not known")


def officer_label(person: Person | None) -> str:
    if person is None:
        return _("nobody yet")
    return person.display_name or _("officer no. {id}").format(id=person.id)


def clocks_lines(tip: Tip, rules: Rules = DEFAULT) -> list[str]:
    """The legal clocks of a tip, as the police see them: the ward police's own (notice of receipt, transfer),
    then, after a transfer, the investigating body's decision clock, as information, each with its legal basis."""
    lines = []
    if tip.acknowledged_at is not None:
        lines.append(_("Notice of receipt: sent {when}.").format(when=fmt_datetime(tip.acknowledged_at)))
    else:
        late = _(" — OVERDUE") if is_overdue_receipt(tip) else ""
        lines.append(
            _("Notice of receipt due by {when}{late}.").format(when=fmt_date(tip.receipt_due_at), late=late)
        )
    if tip.status in TipStatus.OPEN:
        late = _(" — OVERDUE") if is_overdue_transfer(tip, rules=rules) else ""
        lines.append(
            _(
                "Check and transfer to the investigating body by {when}{late} (Criminal Procedure Code, art. 145: "
                "the ward police receive, check and transfer at once)."
            ).format(when=fmt_datetime(transfer_deadline(tip, rules)), late=late)
        )
    elif tip.status == TipStatus.TRANSFERRED and tip.closed_at is not None:
        lines.append(
            _("Transferred to the investigating body {when}.").format(when=fmt_datetime(tip.closed_at))
        )
        lines.append(
            _(
                "For information: the investigating body must decide within {days} days of receiving it whether to "
                "open a case, by {when} (Criminal Procedure Code, art. 147; it may extend this for complex cases)."
            ).format(days=rules.decision_days, when=fmt_date(decision_deadline(tip, rules)))
        )
        if tip.extended_at is not None:
            lines.append(
                _("Extension recorded {when}, as you were told: {source}").format(
                    when=fmt_datetime(tip.extended_at), source=tip.extension_reason or "—"
                )
            )
    elif tip.closed_at is not None:
        lines.append(_("Decided {when}.").format(when=fmt_datetime(tip.closed_at)))
    return lines
