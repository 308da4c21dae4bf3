"""Case records and who may see them: the case history, the parties, the mediators of an area, visibility
(private cases: the assigned mediator, the head of the mediation group and the parties only), and the
conflict-of-interest check of art. 18."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.directory.people import holds
from bot.i18n import _
from bot.textnorm import fold
from models import Person, Role, RoleGrant
from models.mediation import (
    OPEN_STATUSES,
    CaseStatus,
    MediationCase,
    MediationEvent,
    MediationParty,
    MediationSession,
    MediatorRelative,
)

MEDIATOR_ROLES = (Role.MEDIATOR.value, Role.MEDIATION_HEAD.value)
# How long after an agreement a party may still report it broken from the case: the mediator follows up the
# agreements reached, and a wall rebuilt months later is a breach too; after a year it is a new dispute.
REPORT_BROKEN_WITHIN = timedelta(days=365)


def log(
    session: AsyncSession, case: MediationCase, action: str, actor_id: int | None, note: str | None = None
) -> None:
    """Add a timestamped line to the case history."""
    assert case.id is not None
    session.add(MediationEvent(case_id=case.id, at=clock.now(), actor_id=actor_id, action=action, note=note))


async def parties(session: AsyncSession, case_id: int) -> list[MediationParty]:
    rows = await session.exec(
        select(MediationParty).where(MediationParty.case_id == case_id).order_by(col(MediationParty.id))
    )
    return list(rows.all())


async def party_people(session: AsyncSession, case: MediationCase) -> list[int]:
    rows = await session.exec(
        select(MediationParty.person_id).where(
            MediationParty.case_id == case.id, col(MediationParty.person_id).is_not(None)
        )
    )
    return [p for p in [case.requester_id, *rows.all()] if p is not None]


async def history(session: AsyncSession, case_id: int) -> list[MediationEvent]:
    rows = await session.exec(
        select(MediationEvent)
        .where(MediationEvent.case_id == case_id)
        .order_by(col(MediationEvent.at), col(MediationEvent.id))
    )
    return list(rows.all())


def is_head(grants: list[RoleGrant], case: MediationCase) -> bool:
    return holds(grants, Role.MEDIATION_HEAD, ward_code=case.ward_code, area_id=case.area_id)


def is_mediator(grants: list[RoleGrant], case: MediationCase) -> bool:
    return any(holds(grants, r, ward_code=case.ward_code, area_id=case.area_id) for r in MEDIATOR_ROLES)


async def is_party(session: AsyncSession, person_id: int, case: MediationCase) -> bool:
    if case.requester_id == person_id:
        return True
    found = await session.exec(
        select(MediationParty.id).where(
            MediationParty.case_id == case.id, MediationParty.person_id == person_id
        )
    )
    return found.first() is not None


async def can_view(
    session: AsyncSession, person_id: int, grants: list[RoleGrant], case: MediationCase
) -> bool:
    """Private cases: the parties, the assigned mediator and the head only. Others: also the area's mediators,
    the group's leader and the ward's or area's leaders (the book is theirs to report)."""
    if case.mediator_id == person_id or is_head(grants, case) or await is_party(session, person_id, case):
        return True
    if case.private:
        return False
    group_leader = case.group_id is not None and any(
        g.role == Role.GROUP_ADMIN and g.group_id == case.group_id for g in grants
    )
    return (
        group_leader
        or is_mediator(grants, case)
        or holds(grants, Role.AREA_LEADER, ward_code=case.ward_code, area_id=case.area_id)
        or holds(grants, Role.WARD_ADMIN, ward_code=case.ward_code)
    )


async def mediators_of(session: AsyncSession, case: MediationCase, role: str | None = None) -> list[Person]:
    """People holding a mediator role (or only `role`) over the case's area, ward-wide grants included."""
    roles = (role,) if role else MEDIATOR_ROLES
    rows = await session.exec(
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            col(RoleGrant.role).in_(roles),
            RoleGrant.ward_code == case.ward_code,
            col(RoleGrant.revoked_at).is_(None),
            or_(col(RoleGrant.area_id).is_(None), col(RoleGrant.area_id) == case.area_id),
        )
        .distinct()
        .order_by(col(Person.id))
    )
    return list(rows.all())


def _same_person(a: str, b: str) -> bool:
    """Folded names match: equal, or one full name found word for word inside the other ("ông Nguyễn Văn Ba")."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short == long or (len(short.split()) >= 2 and f" {short} " in f" {long} ")


async def conflict(session: AsyncSession, case: MediationCase, mediator: Person) -> str | None:
    """Why this mediator may not take the case (art. 18), or None. Checked by person id, by name against the
    mediator's own name and declared relatives, and against conflicts the mediator declared on the case."""
    assert mediator.id is not None
    if await is_party(session, mediator.id, case):
        return _("you are a party to this dispute")
    names = [fold(case.requester_name)] + [p.name_folded for p in await parties(session, case.id or 0)]
    if mediator.display_name and any(_same_person(fold(mediator.display_name), n) for n in names):
        return _("your name is the name of a party")
    relatives = (
        await session.exec(select(MediatorRelative).where(MediatorRelative.person_id == mediator.id))
    ).all()
    for relative in relatives:
        if any(_same_person(relative.name_folded, n) for n in names):
            return _("{name}, whom you declared as a relative, is a party").format(name=relative.name)
    declared = await session.exec(
        select(MediationEvent.id).where(
            MediationEvent.case_id == case.id,
            MediationEvent.actor_id == mediator.id,
            MediationEvent.action == "conflict_declared",
        )
    )
    if declared.first() is not None:
        return _("you declared a conflict of interest in this case")
    return None


async def open_cases_for(
    session: AsyncSession, person_id: int, grants: list[RoleGrant]
) -> list[MediationCase]:
    """Open cases a person follows by their role, that they may see: of the areas where they mediate or lead, of
    the groups they lead, of the ward they administer."""
    conditions = [
        and_(col(MediationCase.ward_code) == g.ward_code, col(MediationCase.area_id) == g.area_id)
        if g.area_id
        else col(MediationCase.ward_code) == g.ward_code
        for g in grants
        if g.role in (*MEDIATOR_ROLES, Role.AREA_LEADER.value, Role.WARD_ADMIN.value)
    ] + [
        col(MediationCase.group_id) == g.group_id for g in grants if g.role == Role.GROUP_ADMIN and g.group_id
    ]
    if not conditions:
        return []
    rows = await session.exec(
        select(MediationCase)
        .where(col(MediationCase.status).in_(OPEN_STATUSES), or_(*conditions))
        .order_by(col(MediationCase.id))
    )
    return [c for c in rows.all() if await can_view(session, person_id, grants, c)]


PLANNED = ("proposed", "confirmed")  # a session's statuses while it stands; "replaced", "cancelled" do not


async def open_sessions(session: AsyncSession, case_id: int | None) -> list[MediationSession]:
    """The case's sessions still to happen: proposed, or confirmed by the parties, and not yet begun. A past one
    stays as it was: it is the book's record of a meeting, never replaced, cancelled nor answered afterwards."""
    rows = await session.exec(
        select(MediationSession)
        .where(
            MediationSession.case_id == case_id,
            col(MediationSession.status).in_(PLANNED),
            col(MediationSession.starts_at) > clock.now(),
        )
        .order_by(col(MediationSession.id).desc())
    )
    return list(rows.all())


async def last_past_session(session: AsyncSession, case_id: int | None) -> MediationSession | None:
    """The case's latest session whose time has come: the one whose absentees the mediator may record."""
    rows = await session.exec(
        select(MediationSession)
        .where(
            MediationSession.case_id == case_id,
            col(MediationSession.status).in_(PLANNED),
            col(MediationSession.starts_at) <= clock.now(),
        )
        .order_by(col(MediationSession.starts_at).desc())
    )
    return rows.first()


async def own_cases(session: AsyncSession, person_id: int) -> list[MediationCase]:
    """Cases the person requested or is listed in as a party."""
    party_of = select(MediationParty.case_id).where(MediationParty.person_id == person_id)
    rows = await session.exec(
        select(MediationCase)
        .where(or_(MediationCase.requester_id == person_id, col(MediationCase.id).in_(party_of)))
        .order_by(col(MediationCase.id).desc())
    )
    return list(rows.all())


def may_report_broken(case: MediationCase) -> bool:
    """Whether a party may still say the case's agreement is not kept."""
    return (
        case.status == CaseStatus.AGREED
        and case.closed_at is not None
        and clock.now() - case.closed_at <= REPORT_BROKEN_WITHIN
    )


def mediator_label(person: Person) -> str:
    return person.display_name or _("mediator no. {id}").format(id=person.id)
