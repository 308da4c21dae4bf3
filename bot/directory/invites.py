"""Role invites: create (single use, expiring), redeem atomically, revoke, and the links and QR code to share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.directory.people import GRANTABLE, grant
from bot.security import Keyring, new_code, normalize_code
from bot.settings import Settings
from models import Invite, Role, RoleGrant

# The place an invite for each role points at.
SCOPE = {
    Role.RESIDENT: "group",
    Role.GROUP_ADMIN: "group",
    Role.AREA_LEADER: "area",
    Role.MEDIATOR: "area",
    Role.MEDIATION_HEAD: "area",
    Role.POLICE: "ward",
    Role.WARD_ADMIN: "ward",
}


class RedeemError(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Created:
    code: str
    invite: Invite


def may_grant(
    grants: list[RoleGrant], role: str, ward_code: int, area_id: int | None, group_id: int | None
) -> bool:
    """Whether someone holding `grants` may invite a person to `role` at that place."""
    for g in grants:
        if role not in GRANTABLE.get(g.role, set()) or g.ward_code != ward_code:
            continue
        if g.area_id is not None and area_id != g.area_id:
            continue
        if g.group_id is not None and group_id != g.group_id:
            continue
        return True
    return False


async def create(
    session: AsyncSession,
    keyring: Keyring,
    settings: Settings,
    *,
    role: str,
    ward_code: int,
    area_id: int | None = None,
    group_id: int | None = None,
    created_by: int | None = None,
) -> Created:
    code = new_code(groups=3)
    invite = Invite(
        code_hash=keyring.keyed_hash("invite", code),
        role=role,
        ward_code=ward_code,
        area_id=area_id,
        group_id=group_id,
        created_by=created_by,
        expires_at=clock.now() + timedelta(days=settings.invite_days),
    )
    session.add(invite)
    await session.flush()
    return Created(code=code, invite=invite)


async def redeem(
    session: AsyncSession, keyring: Keyring, typed: str, person_id: int
) -> RoleGrant | RedeemError:
    """Use an invite once. The conditional UPDATE makes two simultaneous redemptions impossible."""
    code_hash = keyring.keyed_hash("invite", normalize_code(typed))
    invite = (await session.exec(select(Invite).where(Invite.code_hash == code_hash))).first()
    if invite is None:
        return RedeemError.UNKNOWN
    if invite.revoked_at is not None:
        return RedeemError.REVOKED
    if invite.used_at is not None:
        return RedeemError.USED
    now = clock.now()
    if invite.expires_at < now:
        return RedeemError.EXPIRED
    claimed = await execute(
        session,
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by=person_id),
    )
    if claimed.rowcount != 1:
        return RedeemError.USED
    return await grant(
        session,
        person_id,
        invite.role,
        invite.ward_code,
        invite.area_id,
        invite.group_id,
        granted_by=invite.created_by,
    )


def links(settings: Settings, code: str, telegram_username: str | None = None) -> dict[str, str]:
    """The web chat's invite link, and Telegram's deep link when the bot's username is known."""
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    found = {"web": f"{base}/join/{code}"}
    if telegram_username:
        found["telegram"] = telegram_link(telegram_username, code)
    return found


def telegram_link(username: str, code: str) -> str:
    """A t.me deep link: the bot receives "/start <code>" (the code fits the 64 characters Telegram allows)."""
    return f"https://t.me/{username}?start={code}"


def write_qr(url: str, path: Path) -> Path:
    import qrcode

    qrcode.make(url).save(path)
    return path
