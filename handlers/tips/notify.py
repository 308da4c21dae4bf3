"""Pushes about tips: new tips to the ward's police, and notices and replies to the tipster without knowing them.

Pushes to police never carry the tip's text (a police group chat may be read over a shoulder): number,
category and the clock. Pushes to an anonymous tipster go through the sealed route only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_sealed, enqueue_to_chat, enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_date, use_locale
from handlers.tips.buttons import OpenTip
from handlers.tips.store import police_chats, police_of_ward, ward_name
from handlers.tips.texts import category_name
from models import OutboxMessage, Person, Priority, Tip, TipRoute
from models.base import pk

if TYPE_CHECKING:
    from bot.app import App


async def notify_new_tip(session: AsyncSession, app: App, tip: Tip) -> int:
    """Tell every officer of the ward and the ward's police chats; returns how many pushes were queued."""
    ward = await ward_name(session, tip.ward_code)

    def render() -> Reply:
        return Reply(
            _("New tip no. {number} ({category}) for {ward}. Notice of receipt due by {due}.").format(
                number=tip.id,
                category=category_name(tip.category),
                ward=ward,
                due=fmt_date(tip.receipt_due_at),
            ),
            (Choice(_("Open it"), OpenTip(pk(tip))),),
        )

    queued = 0
    for officer in await police_of_ward(session, tip.ward_code):
        # A notice to one person (NOTICE): an officer on the Zalo OA who has not written for a week is refused by
        # Zalo, and the notice waits for his next message (bot.delivery.held). Sent as IMPORTANT, it was dropped:
        # back at his desk, he never heard of the tips that came meanwhile.
        row = await enqueue_to_person(
            session,
            officer,
            render,
            kind="tip_new",
            priority=Priority.NOTICE,
            dedupe_key=f"tip:{tip.id}:new:p{officer.id}",
            source_kind="tip",
            source_id=str(tip.id),
        )
        queued += row is not None
    for chat in await police_chats(session, tip.ward_code):
        with use_locale(app.settings.default_locale):
            text = _(
                "New tip no. {number} ({category}) for {ward}. Open it in a private chat with /tinbao."
            ).format(number=tip.id, category=category_name(tip.category), ward=ward)
        enqueue_to_chat(
            session,
            chat,
            Reply(text),
            kind="tip_new",
            priority=Priority.IMPORTANT,
            dedupe_key=f"tip:{tip.id}:new:c{chat.id}",
            source_kind="tip",
            source_id=str(tip.id),
        )
        queued += 1
    return queued


async def queued(session: AsyncSession, dedupe_key: str) -> bool:
    """Whether a push with this key exists already (a re-run tick must not queue it twice)."""
    found = await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    return found.first() is not None


async def notify_officers(
    session: AsyncSession,
    tip: Tip,
    render: Callable[[], Reply],
    dedupe: str,
    *,
    priority: int = Priority.NOTICE,
    not_before: datetime | None = None,
) -> int:
    """Tell the assigned officer, or every officer of the ward when nobody is assigned; returns how many."""
    officers = await police_of_ward(session, tip.ward_code)
    if tip.assigned_to is not None:
        officers = [o for o in officers if o.id == tip.assigned_to] or officers
    count = 0
    for officer in officers:
        key = f"{dedupe}:p{officer.id}"
        if await queued(session, key):
            continue
        row = await enqueue_to_person(
            session,
            officer,
            render,
            kind="tip_update",
            priority=priority,
            dedupe_key=key,
            source_kind="tip",
            source_id=str(tip.id),
            not_before=not_before,
        )
        count += row is not None
    return count


async def reachable(session: AsyncSession, tip: Tip) -> bool:
    """Whether a push can reach the tipster (named, or anonymous with a reply route)."""
    if not tip.anonymous:
        return tip.person_id is not None
    route = (await session.exec(select(TipRoute).where(TipRoute.tip_id == tip.id))).first()
    return route is not None


async def tell_tipster(
    session: AsyncSession,
    tip: Tip,
    render: Callable[[], str],
    dedupe: str,
    buttons: Callable[[], tuple[Choice, ...]] = tuple,
    *,
    quiet_hours: str,
) -> bool:
    """Queue a message to the tipster in their language, under `buttons` (made in that language too); False when
    they cannot be reached (they can look it up).

    Nothing the police write to a tipster is urgent for them (a question, a reply, a notice, a reward): written
    in quiet hours, it waits for their end, as every non-urgent push does."""
    later = quiet_until(clock.now(), quiet_hours)
    if not tip.anonymous:
        person = await session.get(Person, tip.person_id) if tip.person_id else None
        if person is None:
            return False
        row = await enqueue_to_person(
            session,
            person,
            lambda: Reply(render(), buttons()),
            kind="tip_notice",
            priority=Priority.NOTICE,
            dedupe_key=dedupe,
            not_before=later,
            source_kind="tip",
            source_id=str(tip.id),
        )
        return row is not None
    route = (await session.exec(select(TipRoute).where(TipRoute.tip_id == tip.id))).first()
    if route is None:
        return False
    with use_locale(route.locale):
        reply = Reply(render(), buttons())
    row = enqueue_sealed(
        session,
        route.sealed,
        reply,
        kind="tip_notice",
        dedupe_key=dedupe,
        source_kind="tip",
        source_id=str(tip.id),
    )
    if later is not None:  # enqueue_sealed takes no due time: the row, not yet written, is held here
        row.not_before = later
    return True


async def destroy_route(session: AsyncSession, tip: Tip) -> None:
    route = (await session.exec(select(TipRoute).where(TipRoute.tip_id == tip.id))).first()
    if route is not None:
        await session.delete(route)
