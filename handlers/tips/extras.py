"""What tips give to other features: the weekly digest, the scam check, and /me and /forget.

Nothing here can point at a tipster: digest counts are for the whole ward and small ones are not shown;
scam-check summaries say only how often and since when something was reported.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.extensions.digest_sections import Scope, Section
from bot.extensions.personal_data import unlink
from bot.extensions.scam_sources import Match, Query
from bot.i18n import _, fmt_date, fmt_datetime
from handlers.alerts.identifiers import words_in
from handlers.tips.common import category_name, status_name
from models import Person, Tip, TipMessage, TipStatus, Ward

MIN_WORDS = 4  # distinctive words a pasted message must share with a fraud tip to be called similar
SMALL = 5  # counts below this are shown as "fewer than 5": a small number can point at a neighbour


async def digest(session: AsyncSession, scope: Scope, start: datetime, end: datetime) -> Section | None:
    received = int(
        (
            await session.exec(
                select(func.count())
                .select_from(Tip)
                .where(
                    Tip.ward_code == scope.ward_code,
                    col(Tip.received_at) >= start,
                    col(Tip.received_at) < end,
                )
            )
        ).one()
    )
    result = Section(title=_("Tips to the ward police"))
    if received < SMALL:
        result.lines.append(
            _("Tips received by the ward police this period: fewer than {n}.").format(n=SMALL)
        )
    else:
        result.lines.append(_("Tips received by the ward police this period: {n}.").format(n=received))
        result.figures["received"] = received
    if scope.audience == "police":
        now = clock.now()
        open_ = (
            select(func.count())
            .select_from(Tip)
            .where(Tip.ward_code == scope.ward_code, col(Tip.status).in_(TipStatus.OPEN))
        )
        open_count = int((await session.exec(open_)).one())
        overdue = int(
            (
                await session.exec(
                    open_.where(
                        or_(
                            col(Tip.decision_due_at) < now,
                            col(Tip.acknowledged_at).is_(None) & (col(Tip.receipt_due_at) < now),
                        )
                    )
                )
            ).one()
        )
        result.lines.append(
            _("Open tips: {open}; past a legal deadline: {overdue}. See /tinbao.").format(
                open=open_count, overdue=overdue
            )
        )
        result.figures.update({"received": received, "open": open_count, "overdue": overdue})
    return result


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


async def export_tips(session: AsyncSession, person: Person) -> dict:
    """Named tips only: anonymous ones are not linked to anyone, so they cannot be found or shown here."""
    tips = (await session.exec(select(Tip).where(Tip.person_id == person.id).order_by(col(Tip.id)))).all()
    if not tips:
        return {}
    return {
        "named_tips": [
            {
                "number": t.id,
                "received": fmt_datetime(t.received_at),
                "category": category_name(t.category),
                "status": status_name(t.status),
                "name": t.reporter_name,
                "phone": t.reporter_phone,
                "text": t.text,
            }
            for t in tips
        ]
    }


async def erase_tips(session: AsyncSession, person: Person) -> list[str]:
    """Named tips stay with the police (name and phone as given); only the link to the account goes."""
    count = int(
        (await session.exec(select(func.count()).select_from(Tip).where(Tip.person_id == person.id))).one()
    )
    await execute(session, update(Tip).where(col(Tip.person_id) == person.id).values(person_id=None))
    await execute(session, update(Tip).where(col(Tip.assigned_to) == person.id).values(assigned_to=None))
    await unlink(
        session, person, TipMessage.author_person_id
    )  # an officer's replies stay on the tip, unsigned
    if not count:
        return []
    return [
        _(
            "{n} tips you sent with your name (tố giác) are records handed to the ward police; they keep them as "
            "the law requires, and we cannot erase them. Anonymous tips were never linked to you."
        ).format(n=count)
    ]
