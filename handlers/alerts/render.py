"""How an alert looks to residents: one function used for the author's preview and for every delivery."""

from __future__ import annotations

from typing import Any

from bot.core.replies import Choice, Media, Reply
from bot.i18n import N_, _
from models.alerts import Alert

CATEGORIES: dict[str, str] = {
    "scam": N_("Online or phone scam"),
    "theft": N_("Theft and burglary"),
    "drugs": N_("Drugs"),
    "fire": N_("Fire safety"),
    "traffic": N_("Traffic"),
    "other": N_("Other"),
}
SEVERITIES: dict[str, str] = {
    "urgent": N_("Urgent alert"),
    "important": N_("Important alert"),
    "info": N_("Information alert"),
}
ICONS = {"urgent": "🔴", "important": "🟠", "info": "🔵"}
ACK_PREFIX = "ack"


def fields_of(alert: Alert) -> dict[str, Any]:
    """The values `render` needs, from a stored alert (a compose draft holds the same keys)."""
    return {
        "category": alert.category,
        "severity": alert.severity,
        "title": alert.title,
        "body": alert.body,
        "link": alert.link,
        "watch_for": alert.watch_for,
        "author_role": alert.author_role,
        "issuer": alert.issuer,
        "code": alert.verification_code,
        "photo": alert.photo_ref,
    }


def text(fields: dict[str, Any]) -> str:
    """The alert's text in the current locale."""
    severity = fields["severity"]
    head = (
        f"{ICONS.get(severity, '')} {_(SEVERITIES[severity]).upper()} · {_(CATEGORIES[fields['category']])}"
    )
    lines = [head.strip(), fields["title"], "", fields["body"]]
    watch = fields.get("watch_for") or []  # a list in a draft, lines of text in a stored alert
    watch = [w for w in (watch.splitlines() if isinstance(watch, str) else watch) if w.strip()]
    if watch:
        lines += ["", _("Numbers, accounts and names they use:")] + [f"• {w}" for w in watch]
    if fields.get("link"):
        lines += ["", _("More: {link}").format(link=fields["link"])]
    lines.append("")
    if fields["author_role"] == "police":
        lines.append(_("✅ Verified: police of {place}").format(place=fields["issuer"]))
        lines.append(
            _("Verification code: {code} (check it with /kiemtra {code})").format(code=fields["code"])
        )
    else:
        lines.append(_("From the leader of {place}").format(place=fields["issuer"]))
    return "\n".join(lines)


def media(fields: dict[str, Any]) -> tuple[Media, ...]:
    return (Media(kind="image", url=fields["photo"], filename="alert.jpg"),) if fields.get("photo") else ()


def render(fields: dict[str, Any], alert_id: int | None = None) -> Reply:
    """The message residents receive; with an alert id it carries the "I have read this" choice."""
    choices = (Choice(_("I have read this"), f"{ACK_PREFIX}:{alert_id}"),) if alert_id is not None else ()
    return Reply(text=text(fields), choices=choices, media=media(fields))
