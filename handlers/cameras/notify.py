"""Telling the requesting officer how an owner answered, through the outbox (in the officer's language)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_to_person
from bot.i18n import _, ngettext
from handlers.cameras.buttons import OpenAnswer
from models import Person, Priority
from models.base import pk
from models.cameras import AskStatus, FootageAsk, FootageRequest


async def tell_officer(session: AsyncSession, ask: FootageAsk, files: int = 0) -> None:
    """One message to the officer who asked: the owner's answer to request no. N, with a button to open it."""
    request = await session.get(FootageRequest, ask.request_id)
    if request is None or request.officer_person_id is None:
        return
    officer = await session.get(Person, request.officer_person_id)
    if officer is None:
        return
    number, status, cameras = pk(request), ask.status, ", ".join(str(c) for c in ask.camera_ids)

    def render() -> Reply:
        if status == AskStatus.HAVE:
            text = ngettext(
                "Request no. {number}: the owner of camera {cameras} sent {n} file.",
                "Request no. {number}: the owner of camera {cameras} sent {n} files.",
                files,
            )
        elif status == AskStatus.NOTHING:
            text = _("Request no. {number}: the owner of camera {cameras} says nothing was recorded.")
        else:
            text = _("Request no. {number}: the owner of camera {cameras} declined.")
        return Reply(
            text.format(number=number, cameras=cameras, n=files), (Choice(_("Open it"), OpenAnswer(pk(ask))),)
        )

    await enqueue_to_person(
        session,
        officer,
        render,
        kind="camera_answer",
        priority=Priority.NOTICE,
        source_kind="footage_ask",
        source_id=str(ask.id),
    )
