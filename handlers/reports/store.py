"""Queries of the reports feature: drafts and submissions, and which groups of a ward have not reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from handlers.reports.periods import Period
from models import Area, Group, Person, ReportConfig, ReportSubmission, Role, RoleGrant


async def submission(session: AsyncSession, group_id: int, period: Period) -> ReportSubmission | None:
    return (
        await session.exec(
            select(ReportSubmission).where(
                ReportSubmission.group_id == group_id, ReportSubmission.period_key == period.key
            )
        )
    ).first()


async def draft_for(
    session: AsyncSession, cfg: ReportConfig, group_id: int, period: Period
) -> ReportSubmission:
    """The group's row for the period, created as an empty draft with the ward's current questions."""
    row = await submission(session, group_id, period)
    if row is None:
        row = ReportSubmission(
            ward_code=cfg.ward_code,
            group_id=group_id,
            period_key=period.key,
            due_at=period.due,
            questions=[dict(q) for q in cfg.questions],
            answers={},
        )
        session.add(row)
        await session.flush()
    return row


# Beside the answers, by question id: the leader's words that say more than a yes, a no or a count ("có, nhà bà Sáu
# số 14 câu điện ra chợ" is "yes" and "nhà bà Sáu số 14 câu điện ra chợ"). Not a question id (those are the
# built-in names and "q<n>"), and absent when no answer has words of its own, so an answer stays a plain value.
DETAILS = "_details"


def detail_of(answers: dict[str, Any], question_id: str) -> str | None:
    found = answers.get(DETAILS, {}).get(question_id)
    return str(found) if found else None


def answered(answers: dict[str, Any]) -> int:
    """How many questions the answers answer."""
    return sum(1 for key in answers if key != DETAILS)


def with_answer(answers: dict[str, Any], question_id: str, value: Any, detail: str | None) -> dict[str, Any]:
    """The answers with this one given (a new dict); an answer given again without words drops the old ones."""
    details = {k: v for k, v in answers.get(DETAILS, {}).items() if k != question_id}
    if detail:
        details[question_id] = detail
    found = {k: v for k, v in answers.items() if k != DETAILS}
    found[question_id] = value
    return {**found, DETAILS: details} if details else found


def save_answer(
    session: AsyncSession, row: ReportSubmission, question_id: str, value: Any, detail: str | None = None
) -> None:
    # A new dict, so the JSON column is seen as changed.
    row.answers = with_answer(row.answers, question_id, value, detail)
    row.nothing_to_report = False
    row.updated_at = clock.now()
    session.add(row)


async def ward_groups(session: AsyncSession, ward_code: int) -> list[tuple[int, str, str]]:
    """(group id, group name, area name) of every group of the ward, in a stable order."""
    rows = await session.exec(
        select(Group.id, Group.name, Area.name)
        .join(Area, col(Area.id) == Group.area_id)
        .where(Group.ward_code == ward_code, col(Group.retired_at).is_(None))
        .order_by(col(Area.name), col(Group.id))
    )
    return [(int(gid), gname, aname) for gid, gname, aname in rows.all() if gid is not None]


async def submitted_in(session: AsyncSession, ward_code: int, period_key: str) -> dict[int, ReportSubmission]:
    """Submitted reports of one period for the whole ward, by group (one query)."""
    rows = await session.exec(
        select(ReportSubmission).where(
            ReportSubmission.ward_code == ward_code,
            ReportSubmission.period_key == period_key,
            ReportSubmission.status == "submitted",
        )
    )
    return {r.group_id: r for r in rows.all()}


async def missing_groups(
    session: AsyncSession, ward_code: int, period_key: str
) -> list[tuple[int, str, str]]:
    """Groups of the ward without a submitted report for the period (one query for the ward)."""
    done = select(ReportSubmission.group_id).where(
        ReportSubmission.ward_code == ward_code,
        ReportSubmission.period_key == period_key,
        ReportSubmission.status == "submitted",
    )
    rows = await session.exec(
        select(Group.id, Group.name, Area.name)
        .join(Area, col(Area.id) == Group.area_id)
        .where(Group.ward_code == ward_code, col(Group.id).not_in(done), col(Group.retired_at).is_(None))
        .order_by(col(Area.name), col(Group.id))
    )
    return [(int(gid), gname, aname) for gid, gname, aname in rows.all() if gid is not None]


async def admins_of(session: AsyncSession, group_ids: list[int]) -> list[tuple[int, int]]:
    """(person id, group id) for the active group admins of these groups (one query)."""
    if not group_ids:
        return []
    rows = await session.exec(
        select(RoleGrant.person_id, RoleGrant.group_id).where(
            RoleGrant.role == Role.GROUP_ADMIN,
            col(RoleGrant.group_id).in_(group_ids),
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return [(int(p), int(g)) for p, g in rows.all() if g is not None]


async def leaders_of(session: AsyncSession, group_ids: list[int]) -> dict[int, list[str]]:
    """{group: its active leaders' names} for the groups of `group_ids` that have a leader (a name the chat app
    never gave is left out: such a leader counts, unnamed)."""
    admins = await admins_of(session, group_ids)
    if not admins:
        return {}
    rows = await session.exec(select(Person).where(col(Person.id).in_(sorted({p for p, _g in admins}))))
    names = {p.id: p.display_name or "" for p in rows.all()}
    found: dict[int, list[str]] = {}
    for person_id, group_id in admins:
        if person_id in names:
            found.setdefault(group_id, []).extend([names[person_id]] if names[person_id] else [])
    return found


async def ward_people(session: AsyncSession, ward_code: int, roles: set[str]) -> list[int]:
    rows = await session.exec(
        select(RoleGrant.person_id)
        .where(
            RoleGrant.ward_code == ward_code,
            col(RoleGrant.role).in_(roles),
            col(RoleGrant.revoked_at).is_(None),
        )
        .distinct()
    )
    return sorted(int(p) for p in rows.all())


def editable(row: ReportSubmission, now: datetime) -> bool:
    return now < row.due_at
