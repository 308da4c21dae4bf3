"""How an alert looks to residents: one function used for the author's preview and for every delivery."""

from __future__ import annotations

from typing import Any

from bot.core.replies import Choice, Media, Reply
from bot.i18n import _
from handlers.alerts.buttons import Ack
from handlers.alerts.texts import CATEGORIES, ICONS, SEVERITIES
from models.alerts import Alert


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
    key = fields["category"]
    level, category = _(SEVERITIES[severity]).upper(), _(CATEGORIES[key])
    head = f"{ICONS.get(severity, '')} {level} · {category}"
    # Sent to many at once, an alert speaks to "bà con" (everyone in the neighbourhood), as a ward notice does;
    # replies to one person keep "anh/chị".
    lines = [head.strip(), fields["title"], "", _("Dear residents,"), fields["body"]]
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
    choices = (Choice(_("I have read this"), Ack(alert_id)),) if alert_id is not None else ()
    return Reply(
        text=text(fields), choices=choices, media=media(fields), urgent=fields["severity"] == "urgent"
    )
