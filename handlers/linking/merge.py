"""Merging two people who turn out to be one: the second chat account's person folds into the first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData, Table, UniqueConstraint, or_, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from models import (
    Alert,
    AlertAck,
    AuditEntry,
    GroupJoin,
    Invite,
    LinkedChat,
    MediationCase,
    MediationEvent,
    MediationParty,
    MediationSession,
    OutboxMessage,
    Person,
    PledgeCampaign,
    ReportConfig,
    ReportSubmission,
    RoleGrant,
    TipMessage,
)
from models.fire_safety import FirePoint, FirePointCheck, FireSafetyAdvice, FireSafetyTeam, FireSafetyWard
from models.outbox import DeliveryAttempt
from models.pledges import HouseholdMember, PledgeAreaRegistration, PledgeVersion
from models.review import ReviewCriterionText, ReviewEntry, ReviewNomination, ReviewRating
from models.zalo import ZnsConsent

# Columns that name a person without a foreign key (so the generic pass below would miss them). Once the two
# accounts are one person, whatever either of them did or acknowledged is that person's.
SOFT_REFERENCES: tuple[tuple[type[SQLModel], str], ...] = (
    (OutboxMessage, "person_id"),
    (DeliveryAttempt, "person_id"),
    (RoleGrant, "granted_by"),
    (Invite, "created_by"),
    (Invite, "used_by"),
    (LinkedChat, "linked_by"),
    (AuditEntry, "actor_person_id"),
    (Alert, "author_person_id"),
    (AlertAck, "person_id"),
    (TipMessage, "author_person_id"),
    (HouseholdMember, "confirmed_by"),
    (PledgeCampaign, "created_by"),
    (PledgeVersion, "created_by"),
    (PledgeAreaRegistration, "registered_by"),
    (MediationEvent, "actor_id"),
    (MediationSession, "proposed_by"),
    (ReportConfig, "updated_by"),
    (ReportSubmission, "author_id"),
    (FireSafetyWard, "updated_by"),
    (FireSafetyAdvice, "updated_by"),
    (FireSafetyTeam, "created_by"),
    (FirePoint, "created_by"),
    (FirePointCheck, "checked_by"),
    (ReviewCriterionText, "created_by"),
    (ReviewEntry, "proposed_by"),
    (ReviewEntry, "confirmed_by"),
    (ReviewRating, "seen_by"),
    (ReviewRating, "commented_by"),
    (ReviewRating, "proposed_by"),
    (ReviewRating, "decided_by"),
    (ReviewNomination, "proposed_by"),
)


def _membership_rank(row: HouseholdMember) -> tuple[Any, ...]:
    # The leader's confirmation outranks a request still waiting; between two alike, the older one stands.
    return (row.confirmed_at is None, row.confirmed_at or row.requested_at, row.requested_at)


def _membership_absorb(kept: HouseholdMember, dropped: HouseholdMember) -> None:
    kept.requested_at = min(kept.requested_at, dropped.requested_at)  # he has belonged since he first asked


async def _give_back_the_use(session: AsyncSession, dropped: GroupJoin) -> None:
    # A join link counts the people who joined by it (Invite.uses): one person who joined from two chat apps before
    # linking them took two of its places, and now holds one.
    await execute(
        session,
        update(Invite)
        .where(col(Invite.id) == dropped.invite_id, col(Invite.uses) > 0)
        .values(uses=col(Invite.uses) - 1),
    )


async def _nothing_held(session: AsyncSession, dropped: Any) -> None:
    return None


def _newest_first(row: ZnsConsent) -> tuple[float]:
    # The phone given last is the one the person most recently agreed to be reached at.
    return (-row.consented_at.timestamp(),)


@dataclass(frozen=True)
class Fold:
    """A table with a unique key that holds a person column: if both people have a row with the same key, the
    move would collide, so one row is kept (the smallest `rank`; on a tie the kept person's), `absorb` copies
    into it what the other row can add, and `release` gives back what the other row took elsewhere."""

    model: type[SQLModel]
    key: tuple[str, ...]  # the unique columns, the person column first
    rank: Callable[[Any], tuple[Any, ...]]
    absorb: Callable[[Any, Any], None] = lambda kept, dropped: None
    release: Callable[[AsyncSession, Any], Awaitable[None]] = (
        _nothing_held  # what the dropped row held elsewhere
    )


FOLDS: tuple[Fold, ...] = (
    Fold(HouseholdMember, ("person_id", "household_id"), _membership_rank, _membership_absorb),
    Fold(  # the first use of the link counts
        GroupJoin, ("person_id", "invite_id"), lambda r: (r.joined_at,), release=_give_back_the_use
    ),
    Fold(AlertAck, ("person_id", "alert_id"), lambda r: (r.at,)),  # read when first read
    Fold(ZnsConsent, ("person_id",), _newest_first),
)


async def merge_people(session: AsyncSession, keep: Person, gone: Person) -> None:
    """Move everything of `gone` to `keep` and delete `gone`: identities, roles, consent records, and every row
    of any feature that points at the person. The older consent is kept; `keep`'s settings win otherwise. Rows
    both people hold under a unique key are folded first (FOLDS), so the move cannot break the key."""
    assert keep.id is not None and gone.id is not None and keep.id != gone.id
    await _revoke_double_grants(session, keep.id, gone.id)
    if gone.consented_at < keep.consented_at:
        keep.consented_at, keep.consent_version = gone.consented_at, gone.consent_version
    keep.display_name = keep.display_name or gone.display_name
    if keep.preferred_identity_id is None:
        keep.preferred_identity_id = gone.preferred_identity_id
    session.add(keep)
    for fold in FOLDS:
        await _fold(session, fold, keep.id, gone.id)
    await _move_session_answers(session, keep.id, gone.id)
    await session.flush()
    for table, column in person_columns(SQLModel.metadata):
        await execute(session, update(table).where(column == gone.id).values({column.name: keep.id}))
    await session.delete(gone)
    await session.flush()


def person_columns(metadata: MetaData) -> Iterator[tuple[Table, Column[Any]]]:
    """Every column that holds a person's id: a foreign key to person, or one of SOFT_REFERENCES."""
    soft = {(model.__table__.name, name) for model, name in SOFT_REFERENCES}  # type: ignore[attr-defined]
    for table in metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in soft or any(
                fk.column.table.name == "person" for fk in column.foreign_keys
            ):
                yield table, column


def unique_person_keys(metadata: MetaData) -> set[tuple[str, frozenset[str]]]:
    """(table, columns) of every primary key, unique constraint, unique index or unique column that includes a
    person column: the keys a merge can break."""
    people: dict[str, set[str]] = {}
    for table, column in person_columns(metadata):
        people.setdefault(table.name, set()).add(column.name)
    found: set[tuple[str, frozenset[str]]] = set()
    for table in metadata.sorted_tables:
        keys = [frozenset(c.name for c in table.primary_key.columns)]
        keys += [
            frozenset(c.name for c in k.columns) for k in table.constraints if isinstance(k, UniqueConstraint)
        ]
        keys += [frozenset(c.name for c in i.columns) for i in table.indexes if i.unique]
        keys += [frozenset({c.name}) for c in table.columns if c.unique]
        found |= {(table.name, key) for key in keys if key & people.get(table.name, set())}
    return found


def folded_keys() -> set[tuple[str, frozenset[str]]]:
    return {(fold.model.__table__.name, frozenset(fold.key)) for fold in FOLDS}  # type: ignore[attr-defined]


async def _fold(session: AsyncSession, fold: Fold, keep_id: int, gone_id: int) -> None:
    person, *rest = fold.key
    column = col(getattr(fold.model, person))

    def other(row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in rest)

    kept = {
        other(row): row for row in (await session.exec(select(fold.model).where(column == keep_id))).all()
    }
    for dropped in (await session.exec(select(fold.model).where(column == gone_id))).all():
        mine = kept.get(other(dropped))
        if mine is None:
            continue
        winner, loser = sorted((mine, dropped), key=fold.rank)  # stable: a tie keeps `keep`'s row
        fold.absorb(winner, loser)
        await fold.release(session, loser)
        await session.delete(loser)
        session.add(winner)
    await session.flush()


async def _revoke_double_grants(session: AsyncSession, keep_id: int, gone_id: int) -> None:
    kept_roles = {(g.role, g.ward_code, g.area_id, g.group_id) for g in await _grants(session, keep_id)}
    for g in await _grants(session, gone_id):
        if (g.role, g.ward_code, g.area_id, g.group_id) in kept_roles:
            g.revoked_at = clock.now()  # held twice after the merge: keep one active grant
            session.add(g)


async def _move_session_answers(session: AsyncSession, keep_id: int, gone_id: int) -> None:
    """A mediation session's answers are keyed by person id inside a JSON column: rename `gone`'s key, and if
    both answered, the later answer is the person's word."""
    parties = select(MediationParty.case_id).where(MediationParty.person_id == gone_id)
    cases = select(MediationCase.id).where(
        or_(
            col(MediationCase.requester_id) == gone_id,
            col(MediationCase.mediator_id) == gone_id,
            col(MediationCase.id).in_(parties),
        )
    )
    meetings = await session.exec(select(MediationSession).where(col(MediationSession.case_id).in_(cases)))
    old, new = str(gone_id), str(keep_id)
    for meeting in meetings.all():
        answers = dict(meeting.responses or {})
        if old not in answers:
            continue
        theirs = answers.pop(old)
        if new not in answers or str(theirs.get("at", "")) > str(answers[new].get("at", "")):
            answers[new] = theirs
        meeting.responses = answers
        session.add(meeting)


async def _grants(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    rows = await session.exec(
        select(RoleGrant).where(RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None))
    )
    return list(rows.all())
