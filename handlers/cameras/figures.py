"""Figures for the ward's yearly review (bot/extensions/year_figures.py): cameras registered per group, area and
ward; footage requests made, answered and found useful per ward, and per area where the camera's owner's area is
known. Counts only: one query per measure for the whole ward, aggregated here."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from models.cameras import AskStatus, Camera, CameraStatus, FootageAsk, FootageRequest


def _figures(found: dict[Place, set[int]], source: str) -> dict[Place, Figure]:
    return {
        place: Figure(value=len(ids), source=source, record_ids=tuple(sorted(ids)))
        for place, ids in found.items()
    }


async def registered(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Cameras registered and not removed at the end of the period (paused ones left out), where they count:
    the owner's group when they belong to one, their area, and the ward."""
    rows = (
        await session.exec(
            select(Camera.id, Camera.area_id, Camera.group_id).where(
                Camera.ward_code == ward_code,
                col(Camera.created_at) < end,
                Camera.status != CameraStatus.PAUSED,
                or_(col(Camera.removed_at).is_(None), col(Camera.removed_at) >= end),
            )
        )
    ).all()
    found: dict[Place, set[int]] = defaultdict(set)
    found[Place("ward", ward_code)]  # a ward with no camera has 0 of them, not "no data"
    for camera_id, area_id, group_id in rows:
        assert camera_id is not None
        found[Place("ward", ward_code)].add(camera_id)
        if area_id is not None:
            found[Place("area", area_id)].add(camera_id)
        if group_id is not None:
            found[Place("group", group_id)].add(camera_id)
    return _figures(found, "camera")


async def _asks(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> tuple[list[int], list[tuple[int, int, str, bool, list[int]]], dict[int, int]]:
    requests = (
        await session.exec(
            select(FootageRequest.id).where(
                FootageRequest.ward_code == ward_code,
                col(FootageRequest.created_at) >= start,
                col(FootageRequest.created_at) < end,
            )
        )
    ).all()
    asks = (
        await session.exec(
            select(FootageAsk)
            .join(FootageRequest, col(FootageRequest.id) == col(FootageAsk.request_id))
            .where(
                FootageRequest.ward_code == ward_code,
                col(FootageRequest.created_at) >= start,
                col(FootageRequest.created_at) < end,
            )
        )
    ).all()
    areas = {
        camera_id: area_id
        for camera_id, area_id in (
            await session.exec(
                select(Camera.id, Camera.area_id).where(
                    Camera.ward_code == ward_code, col(Camera.area_id).is_not(None)
                )
            )
        ).all()
        if camera_id is not None and area_id is not None
    }
    return (
        [r for r in requests if r is not None],
        [
            (a.id, a.request_id, a.status, a.useful, list(a.camera_ids or []))
            for a in asks
            if a.id is not None
        ],
        areas,
    )


async def requests(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Footage requests made: per ward, and per area of the cameras whose owners were asked."""
    made, asks, areas = await _asks(session, ward_code, start, end)
    found: dict[Place, set[int]] = defaultdict(set)
    found[Place("ward", ward_code)].update(made)
    for _ask, request_id, _status, _useful, cameras in asks:
        for area_id in {areas[c] for c in cameras if c in areas}:
            found[Place("area", area_id)].add(request_id)
    return _figures(found, "footage_request")


async def _count_asks(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime, useful_only: bool
) -> dict[Place, Figure]:
    _made, asks, areas = await _asks(session, ward_code, start, end)
    found: dict[Place, set[int]] = defaultdict(set)
    found[Place("ward", ward_code)]
    for ask_id, _request, status, useful, cameras in asks:
        if (useful_only and not useful) or (not useful_only and status not in AskStatus.ANSWERED):
            continue
        found[Place("ward", ward_code)].add(ask_id)
        for area_id in {areas[c] for c in cameras if c in areas}:
            found[Place("area", area_id)].add(ask_id)
    return _figures(found, "footage_ask")


async def answered(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Owners' answers to the period's requests: footage, nothing recorded, or declined."""
    return await _count_asks(session, ward_code, start, end, useful_only=False)


async def useful(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Answers the officer marked useful."""
    return await _count_asks(session, ward_code, start, end, useful_only=True)
