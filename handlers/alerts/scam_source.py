"""The "alert" source of the scam check: identifiers and words of sent alerts in the resident's ward and province."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.extensions.scam_sources import Match, Query
from bot.i18n import _, fmt_date
from handlers.alerts.identifiers import words_in
from models.alerts import Alert, AlertIdentifier, AlertStatus

WORD_WINDOW = timedelta(days=365)  # older warnings describe methods criminals have moved on from
WORD_CANDIDATES = 500


def summary(alert: Alert) -> str:
    who = _("police of {place}") if alert.author_role == "police" else _("leader of {place}")
    return _("Alert of {date} from the {who}: {title}").format(
        date=fmt_date(alert.released_at or alert.send_at),
        who=who.format(place=alert.issuer),
        title=alert.title,
    )


def word_score(query_words: tuple[str, ...], alert: Alert) -> float:
    """Shared word pairs weigh most (Vietnamese meaning lives in two-syllable words), then shared words."""
    if not query_words:
        return 0.0
    words = words_in(alert.search_folded)
    pairs = set(zip(words, words[1:], strict=False))
    query_pairs = set(zip(query_words, query_words[1:], strict=False))
    shared_pairs = len(pairs & query_pairs)
    distinct = set(query_words)
    shared_words = len(distinct & set(words))
    if shared_pairs >= 2 or (shared_words == len(distinct) and shared_words >= 1 and len(distinct) <= 3):
        return 2.0 * shared_pairs + shared_words
    return 0.0


async def alert_source(session: AsyncSession, query: Query) -> list[Match]:
    sent_here = (col(Alert.status) == AlertStatus.SENT) & (col(Alert.province_code) == query.province_code)
    matches: dict[int, Match] = {}
    wanted = [("phone", v) for v in query.phones] + [("domain", v) for v in query.domains]
    wanted += [("account", v) for v in query.accounts]
    if wanted:
        conditions = [(col(AlertIdentifier.kind) == k) & (col(AlertIdentifier.value) == v) for k, v in wanted]
        rows = (
            await session.exec(
                select(Alert, AlertIdentifier)
                .join(AlertIdentifier, col(AlertIdentifier.alert_id) == col(Alert.id))
                .where(sent_here, col(AlertIdentifier.province_code) == query.province_code, or_(*conditions))
            )
        ).all()
        for alert, ident in rows:
            local = 1.0 if alert.ward_code == query.ward_code else 0.0
            assert alert.id is not None
            if alert.id not in matches:
                matches[alert.id] = Match("alert", summary(alert), ident.value, 10.0 + local)
    if query.words:
        since = clock.now() - WORD_WINDOW
        recent = (
            await session.exec(
                select(Alert)
                .where(sent_here, col(Alert.released_at) >= since)
                .order_by(col(Alert.released_at).desc())
                .limit(WORD_CANDIDATES)
            )
        ).all()
        meaningful = tuple(words_in(" ".join(query.words)))
        for alert in recent:
            assert alert.id is not None
            score = word_score(meaningful, alert)
            if score and alert.id not in matches:
                shared = [w for w in dict.fromkeys(meaningful) if w in set(words_in(alert.search_folded))]
                matches[alert.id] = Match("alert", summary(alert), " ".join(shared[:6]), score)
        # Zalo/Facebook names the police listed: matched as whole folded phrases inside the pasted text.
        listed = (
            await session.exec(
                select(Alert, AlertIdentifier)
                .join(AlertIdentifier, col(AlertIdentifier.alert_id) == col(Alert.id))
                .where(
                    sent_here,
                    col(AlertIdentifier.kind) == "name",
                    col(AlertIdentifier.province_code) == query.province_code,
                )
            )
        ).all()
        text = " " + " ".join(query.words) + " "
        for alert, ident in listed:
            assert alert.id is not None
            if alert.id not in matches and f" {ident.value} " in text:
                matches[alert.id] = Match("alert", summary(alert), ident.value, 8.0)
    return sorted(matches.values(), key=lambda m: -m.score)
