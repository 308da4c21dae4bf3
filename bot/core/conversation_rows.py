"""The rows every update reads and writes, through plain statements rather than the ORM's loading and unit of work.

Identity, person, conversation state and whether the update was handled are read in one statement, after the
conversation's lock: on PostgreSQL the lock and the read are one call of the function andan_lock_and_read
(migrations/versions/0023_locked_read.py), one round trip. Identity and person then become persistent objects of
the update's session, for handlers to change. The state and the handled mark are written with one statement
each, or one together on PostgreSQL.
Through the ORM they cost more CPU than the rest of a short step (benchmarks/README.md, inbound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import (
    Boolean,
    and_,
    bindparam,
    column,
    exists,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.base import Executable
from sqlmodel import col

from bot import clock
from models import ChannelIdentity, ConversationState, Person, ProcessedUpdate

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

# The conversation state, read with the update and saved by its key. Its object is built without the model's
# validation (the values come from our own row or are our defaults) and is never added to a session: the ORM
# flushed, tracked and snapshotted it on every update, which cost more than saving it with one statement.
_STATE = ConversationState.__table__  # type: ignore[attr-defined]
_STATE_COLUMNS: tuple[str, ...] = tuple(column.name for column in _STATE.c)
_new_state_object = inspect(ConversationState).class_manager.new_instance
_STATE_BINDS = {column.name: bindparam(f"s_{column.name}", type_=column.type) for column in _STATE.c}
_STATE_WRITES: dict[str, Executable] = {
    "insert": insert(_STATE).values(_STATE_BINDS),
    "update": update(_STATE)
    .where(_STATE.c.key == bindparam("state_key"))
    .values({name: bind for name, bind in _STATE_BINDS.items() if name != "key"}),
    "delete": _STATE.delete().where(_STATE.c.key == bindparam("state_key")),
}
_MARKS = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_MARK = insert(_MARKS).values(
    channel=bindparam("m_channel", type_=_MARKS.c.channel.type),
    update_key=bindparam("m_update_key", type_=_MARKS.c.update_key.type),
    seen_at=bindparam("m_seen_at", type_=_MARKS.c.seen_at.type),
)
# PostgreSQL: the state's write and the handled mark in one statement (the write as a data-modifying WITH), a
# round trip less per update; either fails with the other. SQLite has no such WITH: there they are two statements.
_MARK_WITH_STATE: dict[str, Executable] = {
    name: _MARK.add_cte(write.cte("state_write"))  # type: ignore[attr-defined]
    for name, write in _STATE_WRITES.items()
}
# PostgreSQL: conversations serialised across worker processes for the length of the transaction, in the order
# given (unnest keeps the array's order). Built once: building a text() statement per update cost ~50 µs. The
# function andan_lock_and_read (migrations/versions/0023_locked_read.py) takes the same lock the same way: a change
# here is a change there (a new migration), or the two stop excluding each other.
LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")


# The identity and the person of the update, read as plain columns with the state and made persistent objects of
# the update's session without a query (make_transient_to_detached: "as if it were loaded that way, without
# emitting SQL"): handlers change them and the session saves them as if loaded. The ORM's loading of the same
# statement cost about 100 µs more per update.
_IDENTITIES = ChannelIdentity.__table__  # type: ignore[attr-defined]
_PEOPLE = Person.__table__  # type: ignore[attr-defined]
_READ = (("identity", _IDENTITIES), ("person", _PEOPLE), ("state", _STATE))
_IDENTITY_COLUMNS: tuple[str, ...] = tuple(column.name for column in _IDENTITIES.c)
_PERSON_COLUMNS: tuple[str, ...] = tuple(column.name for column in _PEOPLE.c)
_IDENTITY_SLICE = slice(0, len(_IDENTITY_COLUMNS))
_PERSON_SLICE = slice(_IDENTITY_SLICE.stop, _IDENTITY_SLICE.stop + len(_PERSON_COLUMNS))
_STATE_SLICE = slice(_PERSON_SLICE.stop, None)
M = TypeVar("M", ChannelIdentity, Person)


def _attached(
    session: AsyncSession, model: type[M], names: tuple[str, ...], values: Sequence[object]
) -> M | None:
    """A row of `model` read as columns, as a persistent object of `session`; None for an outer join's NULLs."""
    if values[names.index("id")] is None:  # its primary key
        return None
    row: M = inspect(model).class_manager.new_instance()
    row.__dict__.update(zip(names, values, strict=True))
    make_transient_to_detached(row)
    session.add(row)
    return row


def _state_of(values: dict[str, object]) -> ConversationState:
    state = _new_state_object()
    state.__dict__.update(values)
    return state


def _state_params(state: ConversationState) -> dict[str, object]:
    """The state's columns as the parameters of _STATE_WRITES."""
    values = state.__dict__
    params = {f"s_{name}": values[name] for name in _STATE_COLUMNS}
    params["state_key"] = values["key"]
    return params


def _mark_params(claim: tuple[str, str]) -> dict[str, object]:
    return {"m_channel": claim[0], "m_update_key": claim[1], "m_seen_at": clock.now()}


def _state_write(existed: bool, remember: bool) -> str | None:
    """Which of _STATE_WRITES saves the state. The row was read with the update, under the conversation's lock,
    so whether it exists is known without a look-up; a conversation with nothing left to remember keeps no row."""
    if existed:
        return "update" if remember else "delete"
    return "insert" if remember else None


def fresh_state(key: str) -> ConversationState:
    """A conversation without a row: the model's defaults (JSON columns empty), built the same cheap way."""
    return _state_of({**dict.fromkeys(_STATE_COLUMNS), "key": key, "data": {}, "history": [], "choices": []})


@dataclass
class Loaded:
    """What one update starts from: None for an identity or person that does not exist yet."""

    identity: ChannelIdentity | None
    person: Person | None
    state: ConversationState
    existed: bool  # whether the state has a row


@cache
def _read() -> Executable:
    """Whether the update was handled, and the columns of the identity, the person and the state, in one
    statement. Built once: a statement reused with new parameters skips building and keying it every time."""
    anchor = select(literal(1).label("one")).subquery()
    seen = exists().where(
        col(ProcessedUpdate.channel) == bindparam("update_channel"),
        col(ProcessedUpdate.update_key) == bindparam("update_key"),
    )
    return (
        select(
            seen.label("seen"),
            *(column.label(f"{prefix}_{column.name}") for prefix, table in _READ for column in table.c),
        )
        .select_from(anchor)
        .outerjoin(
            _IDENTITIES,
            and_(
                _IDENTITIES.c.channel == bindparam("channel"),
                _IDENTITIES.c.external_user_id == bindparam("user_id"),
            ),
        )
        .outerjoin(_PEOPLE, _PEOPLE.c.id == _IDENTITIES.c.person_id)
        .outerjoin(_STATE, _STATE.c.key == bindparam("key"))
    )


@cache
def _locked_read() -> Executable:
    """PostgreSQL: the conversations' locks taken, then the same columns as _read(), in one round trip. The
    function returns whole rows of the three tables; the columns are picked from them by name, typed as the
    tables type them (JSON decoded, times made aware UTC, exactly as _read() gives them)."""
    quote = postgresql.dialect().identifier_preparer.quote
    fields = {"identity": "r_identity", "person": "r_person", "state": "r_state"}
    picked = [
        (f"(r.{fields[prefix]}).{quote(c.name)}", column(f"{prefix}_{c.name}", c.type))
        for prefix, table in _READ
        for c in table.c
    ]
    sql = (
        "SELECT r.r_seen AS seen, "
        + ", ".join(f"{expression} AS {quote(label.name)}" for expression, label in picked)
        + " FROM andan_lock_and_read(CAST(:keys AS text[]), :update_channel, :update_key, :channel, :user_id,"
        " :key) AS r"  # in FROM: the function runs once, not once per column picked
    )
    return text(sql).columns(column("seen", Boolean), *(label for _, label in picked))


async def lock(session: AsyncSession, keys: Sequence[str]) -> None:
    """Serialise these conversations across worker processes until the transaction ends (PostgreSQL only)."""
    connection = await session.connection()
    await connection.execute(LOCK, {"keys": list(keys)})


async def read(
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    key: str,
    claim: tuple[str, str] | None,
    lock: bool,
) -> Loaded | None:
    """The update's rows, read under the conversation's lock; None when the update was handled already. `claim` is
    the update's (channel, hashed key). `lock` (PostgreSQL): take the conversation's lock in the same round trip;
    without it the caller holds whatever lock it needs."""
    connection = await session.connection()
    params: dict[str, object] = {
        "channel": channel,
        "user_id": user_id,
        "key": key,
        "update_channel": claim[0] if claim else channel,
        "update_key": claim[1] if claim else None,
    }
    if lock:
        params["keys"] = [key]
    statement = _locked_read() if lock else _read()
    duplicate, *columns = (await connection.execute(statement, params)).one()
    if duplicate:
        return None
    stored = columns[_STATE_SLICE]
    existed = stored[0] is not None  # the state's key: NULL when the conversation has no row
    return Loaded(
        identity=_attached(session, ChannelIdentity, _IDENTITY_COLUMNS, columns[_IDENTITY_SLICE]),
        person=_attached(session, Person, _PERSON_COLUMNS, columns[_PERSON_SLICE]),
        state=_state_of(dict(zip(_STATE_COLUMNS, stored, strict=True))) if existed else fresh_state(key),
        existed=existed,
    )


async def write(
    connection: AsyncConnection,
    state: ConversationState,
    *,
    existed: bool,
    remember: bool,
    claim: tuple[str, str] | None,
    together: bool,
) -> None:
    """Save the state (or its absence) and mark the update handled; `together` (PostgreSQL) in one statement."""
    name = _state_write(existed, remember)
    if name is not None and claim is not None and together:
        await connection.execute(_MARK_WITH_STATE[name], {**_state_params(state), **_mark_params(claim)})
        return
    if name is not None:
        await connection.execute(_STATE_WRITES[name], _state_params(state))
    if claim is not None:
        await connection.execute(_MARK, _mark_params(claim))


async def warm(session: AsyncSession, *, postgres: bool) -> None:
    """Run every statement once against no conversation, so each is compiled and cached before the first update;
    the caller rolls back."""
    if postgres:
        await lock(session, [""])
    connection = await session.connection()
    params = {"channel": "", "user_id": "", "key": "", "update_channel": "", "update_key": ""}
    if postgres:
        await connection.execute(_locked_read(), {**params, "keys": [""]})
    else:
        await connection.execute(_read(), params)
    # A conversation's first state, then a later one, then nothing left; the handled mark.
    state = fresh_state("")
    state.updated_at = clock.now()
    for name in ("insert", "update", "delete"):
        await connection.execute(_STATE_WRITES[name], _state_params(state))
    await connection.execute(_MARK, _mark_params(("", "")))
    if postgres:
        for name in ("insert", "update", "delete"):
            await connection.execute(
                _MARK_WITH_STATE[name], {**_state_params(state), **_mark_params((name, ""))}
            )
