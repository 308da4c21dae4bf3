"""The outbox writer's batched entry point (what the weekly digest writes through): rows it writes are complete
pushes the sender delivers, written in the caller's transaction, and an empty batch writes nothing."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_rows, pending_row
from models import ChannelIdentity, OutboxMessage, OutboxStatus, Priority


async def test_a_batch_is_written_in_the_callers_transaction_and_delivered(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    binh = await town.join("Bình")
    for person in (lan, binh):
        await person.poll()
    async with town.app.db.session() as session:
        found = (await session.exec(select(ChannelIdentity).order_by(ChannelIdentity.id))).all()
        identities = [(who.channel, who.chat_id, who.person_id) for who in found]
        assert await enqueue_rows(session, []) == 0
        rows = [
            pending_row(
                Reply(f"Bản tin cho {person_id}", choices=(Choice("Đã đọc", "read:1"),)),
                kind="notice",
                channel=channel,
                chat_id=chat_id,
                person_id=person_id,
                priority=Priority.NOTICE,
                dedupe_key=f"bulk-test:{person_id}",
                source_kind="test",
                source_id="bulk",
            )
            for channel, chat_id, person_id in identities
        ]
        assert await enqueue_rows(session, rows) == 2
        await session.rollback()  # nothing is written unless the caller commits
        assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 0
        await enqueue_rows(session, rows)
        await session.commit()
        written = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(r.status, r.attempts, r.priority, r.kind) for r in written] == [
        (OutboxStatus.PENDING, 0, Priority.NOTICE, "notice")
    ] * 2
    assert all(r.created_at is not None and r.not_before is not None for r in written)

    assert await town.drain() == 2
    for person, (_channel, _chat, person_id) in zip((lan, binh), identities, strict=True):
        pushed = await person.poll()
        assert [m["text"] for m in pushed] == [f"Bản tin cho {person_id}"]
        assert [c["label"] for c in pushed[0]["choices"]] == ["Đã đọc"]
