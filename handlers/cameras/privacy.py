"""What /toi shows and /xoadulieu erases of a person's cameras and footage answers.

Erasing removes the person's cameras from the registry (the rows stay, emptied, so past counts hold) and takes
their name off the requests they were sent; files they already handed to the police stay with the police until
the retention deletes them. An officer's requests stay, no longer signed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_datetime, ngettext
from handlers.cameras.texts import ASK_STATUS, camera_line
from models import Person
from models.cameras import AskStatus, Camera, CameraStatus, FootageAsk, FootageClip, FootageRequest


async def _cameras(session: AsyncSession, person: Person) -> list[Camera]:
    rows = await session.exec(
        select(Camera)
        .where(Camera.owner_person_id == person.id, Camera.status != CameraStatus.REMOVED)
        .order_by(col(Camera.id))
    )
    return list(rows.all())


async def _asks(session: AsyncSession, person: Person) -> list[FootageAsk]:
    rows = await session.exec(
        select(FootageAsk).where(FootageAsk.owner_person_id == person.id).order_by(col(FootageAsk.id))
    )
    return list(rows.all())


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    cameras, asks = await _cameras(session, person), await _asks(session, person)
    if not cameras and not asks:
        return {}
    return {
        "cameras": [camera_line(c) for c in cameras],
        "footage_requests": [
            {
                "request": a.request_id,
                "cameras": a.camera_ids,
                "asked": fmt_datetime(a.asked_at),
                "answer": _(ASK_STATUS.get(a.status, a.status)),
            }
            for a in asks
        ],
    }


async def erase(session: AsyncSession, person: Person) -> list[str]:
    now = clock.now()
    await execute(
        session,
        update(Camera)
        .where(col(Camera.owner_person_id) == person.id)
        .values(
            owner_person_id=None,
            status=CameraStatus.REMOVED,
            removed_at=now,
            place_text=None,
            latitude=None,
            longitude=None,
            facing="—",
        ),
    )
    handed = (
        await session.exec(
            select(FootageClip.id)
            .join(FootageAsk, col(FootageAsk.id) == col(FootageClip.ask_id))
            .where(FootageAsk.owner_person_id == person.id, col(FootageClip.purged_at).is_(None))
        )
    ).all()
    await execute(
        session,
        update(FootageAsk)
        .where(col(FootageAsk.owner_person_id) == person.id, col(FootageAsk.status) == AskStatus.ASKED)
        .values(status=AskStatus.WITHDRAWN, upload_token_hash=None),
    )
    await unlink(session, person, FootageAsk.owner_person_id, FootageRequest.officer_person_id)
    if not handed:
        return []
    return [
        ngettext(
            "{n} file you handed to the ward police stays with them until it is deleted after the retention "
            "period (or kept as evidence); it is no longer linked to you.",
            "{n} files you handed to the ward police stay with them until they are deleted after the retention "
            "period (or kept as evidence); they are no longer linked to you.",
            len(handed),
        ).format(n=len(handed))
    ]


async def summary(session: AsyncSession, person: Person) -> list[str]:
    cameras, asks = await _cameras(session, person), await _asks(session, person)
    lines = []
    if cameras:
        lines.append(
            ngettext(
                "You registered {n} camera (only the ward police and ward admin see it): {list}.",
                "You registered {n} cameras (only the ward police and ward admin see them): {list}.",
                len(cameras),
            ).format(n=len(cameras), list="; ".join(camera_line(c) for c in cameras))
        )
    if asks:
        answered = sum(1 for a in asks if a.status in AskStatus.ANSWERED)
        lines.append(
            ngettext(
                "The police asked you for footage {n} time; you answered {answered}.",
                "The police asked you for footage {n} times; you answered {answered}.",
                len(asks),
            ).format(n=len(asks), answered=answered)
        )
    return lines
