"""Role invites: create (single use, or a group's reusable join link), redeem atomically, list and revoke, and the
links and QR code to share."""

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
from models import GroupJoin, Invite, Role, RoleGrant

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
    FULL = "full"  # a group join link that has been used as many times as it allows


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
    max_uses: int | None = None,
    days: int | None = None,
) -> Created:
    """A new invite: single use by default; with `max_uses`, a reusable join link (residents of one group only).
    It expires after `days` (default ANDAN_INVITE_DAYS)."""
    if max_uses is not None and (role != Role.RESIDENT or group_id is None or max_uses < 1):
        raise ValueError("a reusable invite is a join link: residents of one group, at least one use")
    code = new_code(groups=3)
    invite = Invite(
        code_hash=keyring.keyed_hash("invite", code),
        role=role,
        ward_code=ward_code,
        area_id=area_id,
        group_id=group_id,
        created_by=created_by,
        expires_at=clock.now() + timedelta(days=settings.invite_days if days is None else days),
        max_uses=max_uses,
    )
    session.add(invite)
    await session.flush()
    return Created(code=code, invite=invite)


async def redeem(
    session: AsyncSession, keyring: Keyring, typed: str, person_id: int
) -> RoleGrant | RedeemError:
    """Use an invite. A conditional UPDATE takes the use, so two simultaneous redemptions of a single-use invite,
    or more than `max_uses` of a join link, are impossible; a join link counts each person once."""
    code_hash = keyring.keyed_hash("invite", normalize_code(typed))
    invite = (await session.exec(select(Invite).where(Invite.code_hash == code_hash))).first()
    if invite is None:
        return RedeemError.UNKNOWN
    if invite.max_uses is not None:
        return await _join_by_link(session, invite, person_id)
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
        .where(
            col(Invite.id) == invite.id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) >= now,
        )
        .values(used_at=now, used_by=person_id, uses=col(Invite.uses) + 1),
    )
    if claimed.rowcount != 1:
        return RedeemError.USED
    return await _grant(session, invite, person_id)


async def _join_by_link(session: AsyncSession, invite: Invite, person_id: int) -> RoleGrant | RedeemError:
    """A resident joins a group by its reusable link: once per person, while it is open and has uses left."""
    assert invite.group_id is not None and invite.id is not None
    joined = (
        await session.exec(
            select(GroupJoin).where(GroupJoin.invite_id == invite.id, GroupJoin.person_id == person_id)
        )
    ).first()
    held = await _held(session, person_id, invite)
    if held is not None:
        return held  # already in the group (by this link or otherwise): a welcome back, no use taken
    if joined is not None:
        return (
            RedeemError.USED
        )  # joined by it once, and left or was moved since: the link is not theirs again
    if invite.revoked_at is not None:
        return RedeemError.REVOKED
    now = clock.now()
    if invite.expires_at < now:
        return RedeemError.EXPIRED
    claimed = await execute(
        session,
        update(Invite)
        .where(
            col(Invite.id) == invite.id,
            col(Invite.uses) < col(Invite.max_uses),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) >= now,
        )
        .values(uses=col(Invite.uses) + 1),
    )
    if claimed.rowcount != 1:
        return RedeemError.FULL  # the last use went to someone else (or it was revoked meanwhile)
    # The unique (invite, person) pair: the same person joining from two chat apps at the same instant makes
    # the second update fail and roll back whole (they are asked to try again, and are then welcomed back).
    session.add(GroupJoin(invite_id=invite.id, person_id=person_id, group_id=invite.group_id, joined_at=now))
    await session.flush()
    return await _grant(session, invite, person_id)


async def _grant(session: AsyncSession, invite: Invite, person_id: int) -> RoleGrant:
    """The role and place the invite is for, granted to the person who redeemed it. A resident lives in one group:
    joining another as a resident ends their residence in the one before (a move; the roles they hold there, a
    group leader's, stay). Kept, every feature went on placing them in their first group."""
    if invite.role == Role.RESIDENT and invite.group_id is not None:
        await execute(
            session,
            update(RoleGrant)
            .where(
                col(RoleGrant.person_id) == person_id,
                col(RoleGrant.role) == Role.RESIDENT,
                col(RoleGrant.group_id).is_not(None),
                col(RoleGrant.group_id) != invite.group_id,
                col(RoleGrant.revoked_at).is_(None),
            )
            .values(revoked_at=clock.now()),
        )
    return await grant(
        session,
        person_id,
        invite.role,
        invite.ward_code,
        invite.area_id,
        invite.group_id,
        granted_by=invite.created_by,
    )


async def _held(session: AsyncSession, person_id: int, invite: Invite) -> RoleGrant | None:
    return (
        await session.exec(
            select(RoleGrant).where(
                RoleGrant.person_id == person_id,
                RoleGrant.role == invite.role,
                RoleGrant.group_id == invite.group_id,
                col(RoleGrant.revoked_at).is_(None),
            )
        )
    ).first()


def is_open(invite: Invite) -> bool:
    """Whether the invite can still be redeemed by someone new."""
    if invite.revoked_at is not None or invite.expires_at < clock.now():
        return False
    if invite.max_uses is None:
        return invite.used_at is None
    return invite.uses < invite.max_uses


async def join_links(session: AsyncSession, group_id: int) -> list[Invite]:
    """A group's reusable join links, newest first (revoked and expired ones too: they show their use counts)."""
    return list(
        (
            await session.exec(
                select(Invite)
                .where(Invite.group_id == group_id, col(Invite.max_uses).is_not(None))
                .order_by(col(Invite.id).desc())
            )
        ).all()
    )


async def revoke(session: AsyncSession, invite: Invite) -> bool:
    """Withdraw an invite; False when it was already withdrawn."""
    done = await execute(
        session,
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.revoked_at).is_(None))
        .values(revoked_at=clock.now()),
    )
    await session.refresh(invite)
    return bool(done.rowcount == 1)


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
