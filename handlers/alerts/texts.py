"""Names of an alert's categories and severities, and the severity icons, shown in the form, the alert itself,
the resident's list and the weekly digest."""

from __future__ import annotations

from typing import Literal

from bot.i18n import N_

CategoryKey = Literal["scam", "theft", "drugs", "fire", "traffic", "other"]
SeverityKey = Literal["urgent", "important", "info"]

CATEGORIES: dict[CategoryKey, str] = {
    "scam": N_("Online or phone scam"),
    "theft": N_("Theft and burglary"),
    "drugs": N_("Drugs"),
    "fire": N_("Fire safety"),
    "traffic": N_("Traffic"),
    "other": N_("Other"),
}
SEVERITIES: dict[SeverityKey, str] = {
    "urgent": N_("Urgent alert"),
    "important": N_("Important alert"),
    "info": N_("Information alert"),
}
ICONS = {"urgent": "🔴", "important": "🟠", "info": "🔵"}
