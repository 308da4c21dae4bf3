"""What tips give the scam check (/kiemtra): fraud tips naming the same phone or site, or told in the same words.

Nothing here can point at a tipster: summaries say only how often and since when something was reported.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.scam_sources import Match, Query
from bot.i18n import _, fmt_date
from handlers.alerts.identifiers import words_in
from models import Tip, Ward

MIN_WORDS = 4  # distinctive words a pasted message must share with a fraud tip to be called similar


async def scam_reports(session: AsyncSession, query: Query) -> list[Match]:
    """Fraud tips of the province naming the same phone or site, or told in much the same words.

    Only how often and since when is said: never who sent a tip, nor its text.
    """
    rows = (
        await session.exec(
            select(Tip.indicators, Tip.text, Tip.received_at)
            .join(Ward, col(Ward.code) == col(Tip.ward_code))
            .where(
                Tip.category == "fraud",
                Ward.province_code == query.province_code,
                col(Tip.purged_at).is_(None),
            )
        )
    ).all()
    wanted = set(query.phones) | set(query.domains)
    asked = {w for w in query.words if len(w) >= 4}
    seen: dict[str, list[datetime]] = {}
    similar: list[tuple[datetime, set[str]]] = []
    for found, text, at in rows:
        for item in set(found or []) & wanted:
            seen.setdefault(item, []).append(at)
        shared = asked & {w for w in words_in(text or "") if len(w) >= 4}
        if len(asked) >= MIN_WORDS and len(shared) >= max(MIN_WORDS, len(asked) // 2):
            similar.append((at, shared))
    matches = [
        Match(
            source="tip",
            matched=item,
            score=min(1.0, 0.6 + 0.1 * len(dates)),
            summary=_("Reported to the police as a scam {n} times since {date}.").format(
                n=len(dates), date=fmt_date(min(dates))
            ),
        )
        for item, dates in seen.items()
    ]
    if similar:
        words = sorted(set.intersection(*(shared for _at, shared in similar)) or similar[0][1])[:6]
        matches.append(
            Match(
                source="tip",
                matched=", ".join(words),
                score=0.3,
                summary=_(
                    "Scam tips to the police used much the same words ({n} times since {date})."
                ).format(n=len(similar), date=fmt_date(min(at for at, _shared in similar))),
            )
        )
    return matches
