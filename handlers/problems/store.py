"""Queries and writes the problems' screens share: who may handle a report, the reports a person sees, the chain
of duplicates merged into one, receipt codes for reports sent without a name, the daily limit, photos."""

from __future__ import annotations

import asyncio
import hmac
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.cleaning.result import Content, Verdict
from bot.directory.people import holds
from bot.i18n import local
from bot.security import Keyring, new_code, new_salt, normalize_code, slow_hash
from models import Area, Group, Person, Role, RoleGrant
from models.problems import OPEN_STATUSES, Problem, ProblemPhoto, ProblemRateCounter, ProblemStatus

if TYPE_CHECKING:
    from bot.app import App

MANAGERS = (Role.WARD_ADMIN.value, Role.AREA_LEADER.value)


# Who handles a report ----------------------------------------------------------------------------------------
def manages(grants: list[RoleGrant], problem: Problem) -> bool:
    """The ward admin of its ward, or the area leader of its area (a report without an area: the admin only)."""
    if holds(grants, Role.WARD_ADMIN, ward_code=problem.ward_code):
        return True
    return any(
        g.role == Role.AREA_LEADER
        and g.ward_code == problem.ward_code
        and (g.area_id is None or (problem.area_id is not None and g.area_id == problem.area_id))
        for g in grants
    )


def may_view(grants: list[RoleGrant], person_id: int, problem: Problem) -> bool:
    """Those who handle it, and the group leader it is assigned to."""
    return manages(grants, problem) or problem.assigned_to == person_id


async def managers_of(session: AsyncSession, problem: Problem) -> list[Person]:
    """The ward's admins and the leaders of the report's area (ward-wide area leaders too), one query."""
    area_leader = (col(RoleGrant.role) == Role.AREA_LEADER.value) & (
        col(RoleGrant.area_id).is_(None)
        if problem.area_id is None
        else or_(col(RoleGrant.area_id).is_(None), col(RoleGrant.area_id) == problem.area_id)
    )
    rows = await session.exec(
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            RoleGrant.ward_code == problem.ward_code,
            col(RoleGrant.revoked_at).is_(None),
            or_(col(RoleGrant.role) == Role.WARD_ADMIN.value, area_leader),
        )
        .distinct()
        .order_by(col(Person.id))
    )
    return list(rows.all())


async def group_leaders(session: AsyncSession, problem: Problem) -> list[tuple[Person, str]]:
    """Group leaders a report may be assigned to (of its area, or of the ward without one), with their group."""
    query = (
        select(Person, Group.name)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .join(Group, col(Group.id) == col(RoleGrant.group_id))
        .where(
            RoleGrant.role == Role.GROUP_ADMIN.value,
            RoleGrant.ward_code == problem.ward_code,
            col(RoleGrant.revoked_at).is_(None),
            col(Group.retired_at).is_(None),
        )
        .order_by(col(Group.name), col(Person.id))
    )
    if problem.area_id is not None:
        query = query.where(Group.area_id == problem.area_id)
    seen: dict[int, tuple[Person, str]] = {}
    for person, group_name in (await session.exec(query)).all():
        seen.setdefault(person.id or 0, (person, group_name))
    return list(seen.values())


def scope_filter(grants: list[RoleGrant]) -> ColumnElement[bool] | None:
    """A WHERE clause for the reports a person handles (their wards as admin, their areas as leader)."""
    clauses = []
    for g in grants:
        if g.role == Role.WARD_ADMIN or (g.role == Role.AREA_LEADER and g.area_id is None):
            clauses.append(col(Problem.ward_code) == g.ward_code)
        elif g.role == Role.AREA_LEADER:
            clauses.append((col(Problem.ward_code) == g.ward_code) & (col(Problem.area_id) == g.area_id))
    return or_(*clauses) if clauses else None


async def inbox(session: AsyncSession, grants: list[RoleGrant], which: str, limit: int = 30) -> list[Problem]:
    """Reports the person handles: open ones (oldest first), or the latest closed ones. Duplicates merged into
    another are not listed: they follow it."""
    where = scope_filter(grants)
    if where is None:
        return []
    if which == "open":
        query = select(Problem).where(where, col(Problem.status).in_(OPEN_STATUSES)).order_by(col(Problem.id))
    else:
        query = (
            select(Problem)
            .where(where, Problem.status == ProblemStatus.FIXED)
            .order_by(col(Problem.closed_at).desc())
        )
    return list((await session.exec(query.limit(limit))).all())


async def assigned_to(session: AsyncSession, person_id: int) -> list[Problem]:
    rows = await session.exec(
        select(Problem)
        .where(Problem.assigned_to == person_id, col(Problem.status).in_(OPEN_STATUSES))
        .order_by(col(Problem.id))
    )
    return list(rows.all())


async def own_reports(session: AsyncSession, person_id: int, limit: int = 10) -> list[Problem]:
    rows = await session.exec(
        select(Problem).where(Problem.person_id == person_id).order_by(col(Problem.id).desc()).limit(limit)
    )
    return list(rows.all())


async def duplicates(session: AsyncSession, problem_id: int) -> list[Problem]:
    """The reports merged into this one (merging re-points a chain, so one level is all there is)."""
    rows = await session.exec(
        select(Problem).where(Problem.merged_into == problem_id).order_by(col(Problem.id))
    )
    return list(rows.all())


async def merge(session: AsyncSession, duplicate: Problem, target: Problem) -> list[Problem]:
    """Merge `duplicate` (and what was merged into it) into `target`; returns the reports that moved."""
    moved = [duplicate, *await duplicates(session, duplicate.id or 0)]
    for each in moved:
        each.status = ProblemStatus.MERGED
        each.merged_into = target.id
        session.add(each)
    return moved


async def area_of(session: AsyncSession, grant: RoleGrant | None) -> tuple[int | None, int | None]:
    """(area id, group id) of the place a grant points at."""
    if grant is None:
        return None, None
    if grant.group_id is not None:
        group = await session.get(Group, grant.group_id)
        return (group.area_id if group else grant.area_id), grant.group_id
    return grant.area_id, None


async def area_name(session: AsyncSession, area_id: int | None) -> str | None:
    area = await session.get(Area, area_id) if area_id else None
    return area.name if area else None


# Receipt codes (reports sent without a name), as tips keep theirs -----------------------------------------
def bucket_of(keyring: Keyring, code: str) -> str:
    """A short keyed index: narrows a look-up to a handful of rows without revealing the code."""
    return keyring.keyed_hash("problem-receipt", normalize_code(code))[:4]


async def issue_code(keyring: Keyring, problem: Problem) -> str:
    code = new_code(groups=4, size=4)
    salt = new_salt()
    problem.receipt_bucket = bucket_of(keyring, code)
    problem.receipt_salt = salt.hex()
    problem.receipt_hash = await asyncio.to_thread(slow_hash, code, salt)  # scrypt off the event loop
    return code


async def find_by_code(session: AsyncSession, keyring: Keyring, typed: str) -> Problem | None:
    """The report with this receipt code. Callers run it behind the wrong-guess limit: each costs scrypt work."""
    code = normalize_code(typed)
    if len(code) != 19:  # 16 characters in 4 groups
        return None
    rows = await session.exec(select(Problem).where(Problem.receipt_bucket == bucket_of(keyring, code)))
    for problem in rows.all():
        if problem.receipt_salt and problem.receipt_hash:
            hashed = await asyncio.to_thread(slow_hash, code, bytes.fromhex(problem.receipt_salt))
            if hmac.compare_digest(problem.receipt_hash, hashed):
                return problem
    return None


def looks_like_code(text: str) -> bool:
    return len(normalize_code(text)) == 19


# The daily limit, counted without knowing who ----------------------------------------------------------------
def _rate_key(keyring: Keyring, person_id: int, day: str) -> str:
    return keyring.keyed_hash("problem-rate", str(person_id), day)


async def sent_today(session: AsyncSession, keyring: Keyring, person_id: int) -> int:
    day = local(clock.now()).date().isoformat()
    row = await session.get(ProblemRateCounter, _rate_key(keyring, person_id, day))
    return row.count if row else 0


async def count_report(session: AsyncSession, keyring: Keyring, person_id: int) -> None:
    day = local(clock.now()).date().isoformat()
    key = _rate_key(keyring, person_id, day)
    row = await session.get(ProblemRateCounter, key) or ProblemRateCounter(key=key, day=day, count=0)
    row.count += 1
    session.add(row)


# Photos -------------------------------------------------------------------------------------------------------
async def keep_photo(app: App, data: bytes) -> tuple[str, str, int] | Verdict:
    """Clean a photo off the event loop (its place, device and author removed) and store the clean copy
    encrypted; returns (media ref, mime type, size), or why it was not kept (no picture that could be cleaned:
    NOT_CLEANABLE; too many pixels; every cleaning worker busy)."""
    cleaned = await app.cleaner.clean(data)
    if cleaned.verdict in (Verdict.BUSY, Verdict.TOO_MANY_PIXELS):
        return cleaned.verdict
    if not cleaned.ok or cleaned.content is not Content.IMAGE:
        return Verdict.NOT_CLEANABLE
    ref = await app.media.put(cleaned.data, cleaned.mime_type, f"problem.{cleaned.extension}")
    return ref, cleaned.mime_type, len(cleaned.data)


async def photos_of(session: AsyncSession, problem_id: int) -> list[ProblemPhoto]:
    rows = await session.exec(
        select(ProblemPhoto).where(ProblemPhoto.problem_id == problem_id).order_by(col(ProblemPhoto.id))
    )
    return list(rows.all())


async def discard(app: App, photos: list[list]) -> None:
    """Delete the stored photos of a form that was not sent."""
    for ref, _mime, _size in photos:
        await app.media.delete(ref)
