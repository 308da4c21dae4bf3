"""What cameras add to the weekly digest, for the police and ward admin only: counts, never a camera or owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _
from models.cameras import AskStatus, Camera, CameraStatus, FootageAsk, FootageRequest


async def digest(session: AsyncSession, scope: Scope, start: datetime, end: datetime) -> Section | None:
    if scope.audience != "police" or scope.group_id is not None:
        return None
    active = int(
        (
            await session.exec(
                select(func.count())
                .select_from(Camera)
                .where(Camera.ward_code == scope.ward_code, Camera.status == CameraStatus.ACTIVE)
            )
        ).one()
    )
    asked = (
        select(func.count())
        .select_from(FootageAsk)
        .join(FootageRequest, col(FootageRequest.id) == col(FootageAsk.request_id))
        .where(
            FootageRequest.ward_code == scope.ward_code,
            col(FootageRequest.created_at) >= start,
            col(FootageRequest.created_at) < end,
        )
    )
    made = int(
        (
            await session.exec(
                select(func.count())
                .select_from(FootageRequest)
                .where(
                    FootageRequest.ward_code == scope.ward_code,
                    col(FootageRequest.created_at) >= start,
                    col(FootageRequest.created_at) < end,
                )
            )
        ).one()
    )
    answered = int((await session.exec(asked.where(col(FootageAsk.status).in_(AskStatus.ANSWERED)))).one())
    if not active and not made:
        return None
    section = Section(title=_("Cameras for security"))
    section.lines.append(
        _(
            "Cameras registered and active: {active}. Footage requests this period: {made}; owners' answers: {answered}."
        ).format(active=active, made=made, answered=answered)
    )
    section.figures.update({"cameras": active, "requests": made, "answered": answered})
    return section
