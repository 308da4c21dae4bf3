"""Queries about people: registering one, identities, active roles and places, and what a role may grant."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Insert, Table, TextClause, insert, text
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from models import ChannelIdentity, ConsentRecord, Person, Role, RoleGrant

CHUNK = 5000  # ids per IN (...) list: asyncpg allows at most 32,767 parameters per statement

# Which roles a holder of a role may invite others to, and how far the invite may reach.
GRANTABLE: dict[str, set[str]] = {
    Role.WARD_ADMIN: {r.value for r in Role},
    Role.POLICE: {Role.RESIDENT.value},
    Role.AREA_LEADER: {Role.RESIDENT.value, Role.GROUP_ADMIN.value},
    Role.MEDIATION_HEAD: {Role.MEDIATOR.value, Role.RESIDENT.value},
    Role.GROUP_ADMIN: {Role.RESIDENT.value},
}


async def identity_for(session: AsyncSession, channel: str, user_id: str) -> ChannelIdentity | None:
    result = await session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id
        )
    )
    return result.first()


async def locale_of(session: AsyncSession, channel: str, user_id: str, default: str) -> str:
    """The language of whoever writes as `user_id` on `channel`: the one they chose, or `default` for strangers.
    Every channel asks this for text it writes itself (a notice, a page of messages); handlers are already
    running in the person's language."""
    identity = await identity_for(session, channel, user_id)
    person = await session.get(Person, identity.person_id) if identity else None
    return person.locale if person else default


async def register(
    session: AsyncSession,
    person: Person,
    identity: ChannelIdentity,
    consent: ConsentRecord,
    *,
    postgres: bool,
) -> None:
    """Store a new person with the identity they came by (their preferred one, where pushes go) and their consent;
    the three become persistent objects of `session` with their ids. On PostgreSQL one statement does it: through
    the ORM it was four (the person, the identity, the consent, the person again for its preferred identity), the
    costliest step of joining (benchmarks/README.md, inbound)."""
    if not postgres:
        # Core statements, typed by their tables' columns: the ORM's flushes of the same rows cost twice the CPU.
        person_id = (await execute(session, _sqlite_insert(Person), _values(person))).scalar_one()
        identity.person_id = consent.person_id = person_id
        identity_id = (
            await execute(session, _sqlite_insert(ChannelIdentity), _values(identity))
        ).scalar_one()
        consent_id = (await execute(session, _sqlite_insert(ConsentRecord), _values(consent))).scalar_one()
        await execute(session, _SQLITE_PREFERRED, {"person": person_id, "identity": identity_id})
        person.id, person.preferred_identity_id = person_id, identity_id
        identity.id, consent.id = identity_id, consent_id
        for row in (person, identity, consent):
            make_transient_to_detached(row)
            session.add(row)
        return
    values = {
        **{f"p_{name}": getattr(person, name) for name in _columns(Person)},
        **{f"i_{name}": getattr(identity, name) for name in _columns(ChannelIdentity)},
        **{f"c_{name}": getattr(consent, name) for name in _columns(ConsentRecord)},
    }
    person_id, identity_id, consent_id = (await execute(session, _register_statement(), values)).one()
    person.id, person.preferred_identity_id = person_id, identity_id
    identity.id, identity.person_id = identity_id, person_id
    consent.id, consent.person_id = consent_id, person_id
    for row in (person, identity, consent):
        make_transient_to_detached(row)
        session.add(row)


@cache
def _sqlite_insert(model: type) -> Insert:
    table = _table(model)
    return insert(table).returning(table.c.id)


def _values(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in _table(type(row)).c.keys() if name != "id"}


_SQLITE_PREFERRED = text("UPDATE person SET preferred_identity_id = :identity WHERE id = :person")


def _columns(model: type) -> tuple[str, ...]:
    """The columns `register` takes from the object: all but the ids it makes."""
    made = {"id", "person_id", "preferred_identity_id"}
    return tuple(name for name in _table(model).c.keys() if name not in made)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined]


@cache
def _register_statement() -> TextClause:
    def insert(model: type, prefix: str, made: dict[str, str]) -> str:
        names = [*made, *_columns(model)]
        values = [*made.values(), *(f":{prefix}_{name}" for name in _columns(model))]
        return f"INSERT INTO {_table(model).name} ({', '.join(names)}) VALUES ({', '.join(values)})"

    person, identity = "(SELECT person_id FROM ids)", "(SELECT identity_id FROM ids)"
    # A CTE read twice is evaluated once: each sequence is drawn from once. The foreign keys are checked at the
    # statement's end, when the person is there.
    return text(
        "WITH ids AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('person', 'id')) AS person_id, "
        "nextval(pg_get_serial_sequence('channel_identity', 'id')) AS identity_id), "
        f"p AS ({insert(Person, 'p', {'id': person, 'preferred_identity_id': identity})}), "
        f"i AS ({insert(ChannelIdentity, 'i', {'id': identity, 'person_id': person})}), "
        f"c AS ({insert(ConsentRecord, 'c', {'person_id': person})} RETURNING id) "
        "SELECT ids.person_id, ids.identity_id, c.id FROM ids, c"
    )


async def active_grants(session: AsyncSession, person_id: int | None) -> list[RoleGrant]:
    if person_id is None:
        return []
    result = await session.exec(
        select(RoleGrant)
        .where(RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None))
        .order_by(col(RoleGrant.id))
    )
    return list(result.all())


def home_grant(grants: list[RoleGrant]) -> RoleGrant | None:
    """The grant that places a person: the most specific one (group, then area, then ward)."""
    ranked = sorted(grants, key=lambda g: (g.group_id is None, g.area_id is None))
    return ranked[0] if ranked else None


def holds(
    grants: list[RoleGrant],
    role: str,
    *,
    ward_code: int | None = None,
    area_id: int | None = None,
    group_id: int | None = None,
) -> bool:
    """Whether some grant gives `role` over the place named (a ward-wide grant covers its areas and groups)."""
    for g in grants:
        if g.role != role:
            continue
        if ward_code is not None and g.ward_code != ward_code:
            continue
        if area_id is not None and g.area_id is not None and g.area_id != area_id:
            continue
        if group_id is not None and g.group_id is not None and g.group_id != group_id:
            continue
        return True
    return False


async def grant(
    session: AsyncSession,
    person_id: int,
    role: str,
    ward_code: int,
    area_id: int | None = None,
    group_id: int | None = None,
    granted_by: int | None = None,
) -> RoleGrant:
    """Give a role, unless the same one is already held (granting twice changes nothing)."""
    existing = await session.exec(
        select(RoleGrant).where(
            RoleGrant.person_id == person_id,
            RoleGrant.role == role,
            RoleGrant.ward_code == ward_code,
            RoleGrant.area_id == area_id,
            RoleGrant.group_id == group_id,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    found = existing.first()
    if found:
        return found
    row = RoleGrant(
        person_id=person_id,
        role=role,
        ward_code=ward_code,
        area_id=area_id,
        group_id=group_id,
        granted_by=granted_by,
        granted_at=clock.now(),
    )
    session.add(row)
    await session.flush()
    return row


async def push_identity(session: AsyncSession, person: Person) -> ChannelIdentity | None:
    """Where pushed messages go: the preferred identity, else the most recently used reachable one."""
    return (await push_identities(session, [person])).get(person.id or 0)


async def push_identities(session: AsyncSession, people: Sequence[Person]) -> dict[int, ChannelIdentity]:
    """`push_identity` for many people at once: one query per few thousand people, not one per person."""
    found: dict[int, ChannelIdentity] = {}
    ids = [p.id for p in people if p.id is not None]
    preferred = {p.id: p.preferred_identity_id for p in people}
    for start in range(0, len(ids), CHUNK):
        rows = await session.exec(
            select(ChannelIdentity)
            .where(
                col(ChannelIdentity.person_id).in_(ids[start : start + CHUNK]),
                col(ChannelIdentity.unreachable_at).is_(None),
            )
            # Most recently used first, so the first one seen per person is the fallback.
            .order_by(
                col(ChannelIdentity.last_interaction_at).desc().nulls_last(), col(ChannelIdentity.id).desc()
            )
        )
        for identity in rows.all():
            current = found.get(identity.person_id)
            if current is None or (
                identity.id == preferred.get(identity.person_id) and current.id != identity.id
            ):
                found[identity.person_id] = identity
    return found
