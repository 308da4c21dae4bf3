"""Merging two people who turn out to be one: the second chat account's person folds into the first."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from models import AuditEntry, Invite, LinkedChat, OutboxMessage, Person, RoleGrant

# Columns that name a person without a foreign key (so the generic pass below would miss them).
SOFT_REFERENCES = (
    (OutboxMessage, "person_id"),
    (RoleGrant, "granted_by"),
    (Invite, "created_by"),
    (Invite, "used_by"),
    (LinkedChat, "linked_by"),
    (AuditEntry, "actor_person_id"),
)


async def merge_people(session: AsyncSession, keep: Person, gone: Person) -> None:
    """Move everything of `gone` to `keep` and delete `gone`: identities, roles, consent records, and every row
    of any feature that points at the person. The older consent is kept; `keep`'s settings win otherwise."""
    assert keep.id is not None and gone.id is not None and keep.id != gone.id
    kept_roles = {(g.role, g.ward_code, g.area_id, g.group_id) for g in await _grants(session, keep.id)}
    for g in await _grants(session, gone.id):
        if (g.role, g.ward_code, g.area_id, g.group_id) in kept_roles:
            g.revoked_at = clock.now()  # held twice after the merge: keep one active grant
            session.add(g)
    if gone.consented_at < keep.consented_at:
        keep.consented_at, keep.consent_version = gone.consented_at, gone.consent_version
    keep.display_name = keep.display_name or gone.display_name
    if keep.preferred_identity_id is None:
        keep.preferred_identity_id = gone.preferred_identity_id
    session.add(keep)
    await session.flush()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "person" for fk in column.foreign_keys):
                await execute(session, update(table).where(column == gone.id).values({column.name: keep.id}))
    for model, name in SOFT_REFERENCES:
        field = col(getattr(model, name))
        await execute(session, update(model).where(field == gone.id).values({name: keep.id}))
    await session.delete(gone)
    await session.flush()


async def _grants(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    rows = await session.exec(
        select(RoleGrant).where(RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None))
    )
    return list(rows.all())
