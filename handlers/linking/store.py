"""The linking feature's data, shared by its flows: one-time link codes, issued to a person for a purpose, typed
elsewhere once within minutes, kept only as a hash."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.guard import ratelimit
from bot.i18n import _
from bot.security import Keyring, new_code, normalize_code
from models import LinkCode

if TYPE_CHECKING:
    from bot.core.context import Context

VALID_MINUTES = 10
HASH_PURPOSE = "link-code"


class Purpose(StrEnum):
    IDENTITY = "identity"
    COMMUNITY = "community"  # a group chat of a self-managed group
    POLICE = "police"  # a group chat of a ward's police


class LinkError(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def error_text(error: LinkError) -> str:
    return {
        LinkError.UNKNOWN: _("That link code is not valid. Please check it, or ask for a new one."),
        LinkError.USED: _("That link code has already been used. Please ask for a new one."),
        LinkError.EXPIRED: _(
            "That link code has expired (codes work for {minutes} minutes). Please ask for a new one."
        ).format(minutes=VALID_MINUTES),
    }[error]


async def issue(
    session: AsyncSession,
    keyring: Keyring,
    purpose: Purpose,
    person_id: int,
    *,
    ward_code: int | None = None,
    group_id: int | None = None,
) -> str:
    """A fresh code (8 letters and digits, easy to read aloud); only its keyed hash is stored."""
    code = new_code(groups=2)
    session.add(
        LinkCode(
            code_hash=keyring.keyed_hash(HASH_PURPOSE, code),
            purpose=purpose,
            person_id=person_id,
            ward_code=ward_code,
            group_id=group_id,
            expires_at=clock.now() + timedelta(minutes=VALID_MINUTES),
        )
    )
    await session.flush()
    return code


async def find(
    session: AsyncSession, keyring: Keyring, typed: str, purposes: set[Purpose]
) -> LinkCode | LinkError:
    """The valid, unused code typed (spaces, dashes and case do not matter), without using it up."""
    code_hash = keyring.keyed_hash(HASH_PURPOSE, normalize_code(typed))
    row = (await session.exec(select(LinkCode).where(LinkCode.code_hash == code_hash))).first()
    if row is None or row.purpose not in purposes:
        return LinkError.UNKNOWN
    if row.used_at is not None:
        return LinkError.USED
    if row.expires_at < clock.now():
        return LinkError.EXPIRED
    return row


async def find_counted(ctx: Context, typed: str, purposes: set[Purpose]) -> LinkCode | None:
    """`find` behind the wrong-guess limit (bot.guard.ratelimit.guarded); when nothing usable is found it has already
    told the person why."""

    async def look_up() -> LinkCode | None:
        found = await find(ctx.session, ctx.app.keyring, typed, purposes)
        if isinstance(found, LinkError):
            ctx.reply(error_text(found))
            return None
        return found

    return await ratelimit.guarded(ctx, ratelimit.LINK_CODES, paused, look_up)


def paused(verdict: ratelimit.Verdict) -> str:
    return _(
        "Too many wrong link codes have been typed from here, so link codes are paused for a while to "
        "keep accounts safe. Please try again after {time}."
    ).format(time=verdict.retry_time())


async def consume(session: AsyncSession, row: LinkCode) -> bool:
    """Use a code up; the conditional UPDATE makes two simultaneous uses impossible."""
    now = clock.now()
    result = await execute(
        session,
        update(LinkCode)
        .where(col(LinkCode.id) == row.id, col(LinkCode.used_at).is_(None))
        .values(used_at=now),
    )
    return bool(result.rowcount == 1)
