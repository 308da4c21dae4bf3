"""Queries and writes the cameras flows share: an owner's cameras, the ward's registry, cameras near a place,
a tip's ward and place, who may see the registry, one-time upload links, and clips kept encrypted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.cleaning.result import Content, Verdict
from bot.directory.extent import distance_m
from bot.directory.people import holds, home_grant
from handlers.cameras.streets import same_street, street_of
from models import Group, Person, Role, RoleGrant, Tip
from models.base import pk
from models.cameras import AskStatus, Camera, CameraStatus, FootageAsk, FootageClip

if TYPE_CHECKING:
    from bot.app import App

STAFF = (Role.POLICE.value, Role.WARD_ADMIN.value)  # who may see a ward's registry


# Who may see what ------------------------------------------------------------------------------------------
def staff_wards(grants: list[RoleGrant]) -> list[int]:
    """Wards whose registry the person may see (police or ward admin there)."""
    return sorted({g.ward_code for g in grants if g.role in STAFF})


def police_wards(grants: list[RoleGrant]) -> list[int]:
    return sorted({g.ward_code for g in grants if g.role == Role.POLICE.value})


def is_police_of(grants: list[RoleGrant], ward_code: int) -> bool:
    return holds(grants, Role.POLICE.value, ward_code=ward_code)


async def home_place(
    session: AsyncSession, grants: list[RoleGrant]
) -> tuple[int, int | None, int | None] | None:
    """(ward, area, group) an owner's cameras are counted in: where the person lives (their most specific
    grant), or None for someone who belongs to no ward yet."""
    grant = home_grant(grants)
    if grant is None:
        return None
    area_id = grant.area_id
    if area_id is None and grant.group_id is not None:
        group = await session.get(Group, grant.group_id)
        area_id = group.area_id if group else None
    return grant.ward_code, area_id, grant.group_id


# Cameras ---------------------------------------------------------------------------------------------------
async def my_cameras(session: AsyncSession, person_id: int) -> list[Camera]:
    rows = await session.exec(
        select(Camera)
        .where(Camera.owner_person_id == person_id, Camera.status != CameraStatus.REMOVED)
        .order_by(col(Camera.id))
    )
    return list(rows.all())


async def my_camera(session: AsyncSession, person_id: int, camera_id: int) -> Camera | None:
    camera = await session.get(Camera, camera_id)
    if camera is None or camera.owner_person_id != person_id or camera.status == CameraStatus.REMOVED:
        return None
    return camera


async def ward_cameras(session: AsyncSession, ward_code: int) -> list[Camera]:
    """The ward's registry: every camera not removed."""
    rows = await session.exec(
        select(Camera)
        .where(Camera.ward_code == ward_code, Camera.status != CameraStatus.REMOVED)
        .order_by(col(Camera.id))
    )
    return list(rows.all())


@dataclass(frozen=True)
class Found:
    camera: Camera
    metres: float | None  # None: the camera has an address only, matched by its street


@dataclass(frozen=True)
class Search:
    found: list[Found]
    # Active cameras of the ward this search could not compare with the place: those known by an address only
    # when the police gave a location (no map service places an address), or those known by a location only when
    # they typed an address. "No camera" would be untrue while there are some.
    unsearched: int


async def nearby(
    session: AsyncSession,
    ward_code: int,
    radius_m: int,
    point: tuple[float, float] | None,
    address: str | None,
) -> Search:
    """Active cameras of the ward that may have seen the place, nearest first: those with a location within
    `radius_m` of `point`, then those known by an address only on the street of the address typed (and in its
    alley, where both name one) — their distance cannot be known without a map service."""
    rows = await session.exec(
        select(Camera).where(Camera.ward_code == ward_code, Camera.status == CameraStatus.ACTIVE)
    )
    located: list[Found] = []
    by_address: list[Found] = []
    unsearched = 0
    wanted = street_of(address) if address else None
    for camera in rows.all():
        if point is not None and camera.latitude is not None and camera.longitude is not None:
            metres = distance_m(point, (camera.latitude, camera.longitude))
            if metres <= radius_m:
                located.append(Found(camera, metres))
        elif wanted is not None and camera.place_text:
            if same_street(wanted, street_of(camera.place_text)):
                by_address.append(Found(camera, None))
        elif camera.place_text or camera.latitude is not None:
            unsearched += 1  # a location with no point given, or an address with none typed
    located.sort(key=lambda f: (f.metres or 0.0, pk(f.camera)))
    return Search(located + sorted(by_address, key=lambda f: pk(f.camera)), unsearched)


# Tips (read only) -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TipPlace:
    tip_id: int
    ward_code: int
    latitude: float | None
    longitude: float | None
    place_text: str | None
    received_at: datetime


async def tip_place(session: AsyncSession, tip_id: int) -> TipPlace | None:
    """A tip's ward and place, and nothing else of it (its content and tipster never reach this feature)."""
    tip = await session.get(Tip, tip_id)
    if tip is None or tip.purged_at is not None:
        return None
    return TipPlace(pk(tip), tip.ward_code, tip.latitude, tip.longitude, tip.place_text, tip.received_at)


# One-time upload links ---------------------------------------------------------------------------------------
def _token_hash(app: App, token: str) -> str:
    return app.keyring.keyed_hash("camera-upload", token)


def new_upload_link(app: App, ask: FootageAsk) -> str:
    """A fresh single-use link for the owner's upload (an older one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(24)
    ask.upload_token_hash = _token_hash(app, token)
    ask.upload_expires_at = clock.now() + timedelta(hours=app.settings.camera_upload_link_hours)
    ask.upload_used_at = None
    base = (app.settings.public_url or f"http://{app.settings.host}:{app.settings.port}").rstrip("/")
    return f"{base}/camera/upload/{token}"


async def ask_by_token(app: App, session: AsyncSession, token: str) -> FootageAsk | None:
    """The request this link uploads to, if the link is valid: known, unused, not expired, still wanted."""
    if not 16 <= len(token) <= 64 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    ask = (
        await session.exec(select(FootageAsk).where(FootageAsk.upload_token_hash == _token_hash(app, token)))
    ).first()
    if (
        ask is None
        or ask.upload_used_at is not None
        or ask.upload_expires_at is None
        or ask.upload_expires_at < clock.now()
        or ask.status not in (AskStatus.ASKED, AskStatus.HAVE)
    ):
        return None
    return ask


# Clips ------------------------------------------------------------------------------------------------------
KINDS = {Content.VIDEO: "video", Content.IMAGE: "photo"}


@dataclass(frozen=True)
class Kept:
    clip: FootageClip | None  # None: refused (every cleaning worker busy, or a picture too large)
    verdict: Verdict


async def keep_clip(app: App, ask: FootageAsk, tip_id: int | None, data: bytes, mime: str | None) -> Kept:
    """Clean the file off the event loop (its GPS position and other metadata removed from the police's copy),
    keep the original and the copy encrypted, and attach it to the request (and its tip)."""
    cleaned = await app.cleaner.clean(data)
    if cleaned.verdict in (Verdict.TOO_MANY_PIXELS, Verdict.BUSY):
        return Kept(None, cleaned.verdict)
    kind = KINDS.get(cleaned.content, "file")
    original_ref = await app.media.put(data, mime or "application/octet-stream", "original")
    if cleaned.ok:
        police_ref = await app.media.put(cleaned.data, cleaned.mime_type, f"{kind}.{cleaned.extension}")
        mime_type, size = cleaned.mime_type, len(cleaned.data)
    else:
        police_ref = await app.media.put(data, mime or "application/octet-stream", f"{kind}.bin")
        mime_type, size = mime or "application/octet-stream", len(data)
    clip = FootageClip(
        ask_id=pk(ask),
        request_id=ask.request_id,
        tip_id=tip_id,
        kind=kind,
        police_ref=police_ref,
        original_ref=original_ref,
        mime_type=mime_type,
        size=size,
        stripped=cleaned.ok,
    )
    return Kept(clip, cleaned.verdict)


async def clips_of(session: AsyncSession, ask_id: int) -> list[FootageClip]:
    rows = await session.exec(
        select(FootageClip).where(FootageClip.ask_id == ask_id).order_by(col(FootageClip.id))
    )
    return list(rows.all())


async def delete_clip_media(app: App, clip: FootageClip) -> None:
    for ref in (clip.police_ref, clip.original_ref):
        if ref:
            await app.media.delete(ref)
    clip.police_ref = clip.original_ref = None
    clip.purged_at = clock.now()


async def person(session: AsyncSession, person_id: int | None) -> Person | None:
    return await session.get(Person, person_id) if person_id is not None else None
