"""Pushes through the web chat as residents live them: delivered once, answered by a typed "1", blocked, resumed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.channels.base import Channel, Unreachable
from bot.core.context import Context
from bot.core.replies import Choice, Reply
from bot.core.router import Registry, Router
from bot.delivery.outbox import enqueue_sealed, enqueue_to_person, seal_route
from handlers import all_routers
from models import ChannelIdentity, ConversationState, OutboxMessage, OutboxStatus, Person, Priority
from tests.conftest import Town
from tests.webchat import WebPerson

# A stand-in for the alerts feature's "I have read this" button, so the test does not depend on it.
drill = Router("delivery_drill")


@drill.choice("drill")
async def acknowledged(ctx: Context) -> None:
    ctx.reply(f"Noted {ctx.event.choice}")


class Refusing(Channel):
    """Wraps the web channel: deliveries to the chats in `blocked` fail as if the person blocked the bot."""

    def __init__(self, inner: Channel) -> None:
        self.inner, self.name, self.text_limit, self.calls = inner, inner.name, inner.text_limit, 0
        self.blocked: set[str] = set()

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        self.calls += 1
        if chat_id in self.blocked:
            raise Unreachable("Forbidden: bot was blocked by the user")
        return await self.inner.deliver(chat_id, reply)

    async def stop(self) -> None:
        await self.inner.stop()


@pytest.fixture
async def quiet_town(db_url: str, settings_for: Any) -> AsyncIterator[Town]:
    """A town whose outbox moves only on `drain()`, with the drill router added."""
    place = Town(settings_for(db_url, delivery_enabled=False))
    await place.start()
    with_drill(place)
    try:
        yield place
    finally:
        await place.close()


def with_drill(town: Town) -> None:
    assert town.app is not None
    town.app.registry = Registry([*all_routers(), drill])


async def newest_person(town: Town) -> tuple[Person, ChannelIdentity]:
    assert town.app is not None
    async with town.app.db.session() as session:
        identity = (
            await session.exec(select(ChannelIdentity).order_by(col(ChannelIdentity.id).desc()))
        ).first()
        assert identity is not None
        person = await session.get(Person, identity.person_id)
        assert person is not None
        return person, identity


async def push(
    town: Town,
    person: Person,
    text: str,
    *,
    priority: int = Priority.ROUTINE,
    key: str,
    choices: tuple[Choice, ...] = (),
) -> None:
    assert town.app is not None
    async with town.app.db.session() as session:
        row = await enqueue_to_person(
            session,
            person,
            lambda: Reply(text, choices),
            kind="alert",
            priority=priority,
            dedupe_key=key,
            source_kind="alert",
            source_id="1",
        )
        assert row is not None
        await session.commit()


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


async def test_pushes_arrive_once_survive_a_restart_and_a_typed_1_answers_them(quiet_town: Town) -> None:
    town = quiet_town
    lan = await town.join("Lan")
    lan_person, lan_identity = await newest_person(town)
    minh = await town.join("Minh")
    minh_person, minh_identity = await newest_person(town)
    await lan.poll()
    await minh.poll()

    await push(town, lan_person, "Weekly digest", key="d1")
    await push(
        town,
        lan_person,
        "Scam calls impersonating police",
        priority=Priority.URGENT,
        key="a1",
        choices=(Choice("I have read this", "drill:ack"),),
    )
    await push(town, minh_person, "Scam calls impersonating police", priority=Priority.URGENT, key="a2")
    assert town.app is not None
    async with town.app.db.session() as session:  # an anonymous tipster's answer goes through a sealed route
        enqueue_sealed(
            session,
            seal_route(town.app.keyring, "web", minh_identity.chat_id),
            Reply("Police answered your tip"),
            kind="tip_notice",
            dedupe_key="t1",
        )
        await session.commit()

    await town.restart()  # the rows are in the database, not in memory
    with_drill(town)
    assert await town.drain() == 4
    assert sorted(texts(await lan.poll())) == ["Scam calls impersonating police", "Weekly digest"]
    assert sorted(texts(await minh.poll())) == ["Police answered your tip", "Scam calls impersonating police"]

    replies = await lan.say("1")  # no flow is open: "1" is the pushed message's first choice
    assert texts(replies) == ["Noted drill:ack"]
    await lan.poll()  # the transcript shows the answer too

    assert await town.drain() == 0
    assert await lan.poll() == [] and await minh.poll() == []
    async with town.app.db.session() as session:
        sealed = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "tip_notice"))).one()
        assert sealed.status == OutboxStatus.SENT and sealed.sealed_route is None
        assert lan_identity.chat_id != minh_identity.chat_id


async def test_a_push_does_not_hijack_the_numbers_of_an_open_form(quiet_town: Town) -> None:
    town = quiet_town
    lan = await town.join("Lan")
    person, identity = await newest_person(town)
    await lan.say("/ngonngu")  # the language form offers its own numbered choices
    offered = lan.choices()
    assert offered
    await push(
        town,
        person,
        "Burglary pattern in Khóm 2",
        key="a3",
        choices=(Choice("I have read this", "drill:ack"),),
    )
    assert await town.drain() == 1
    assert town.app is not None
    async with town.app.db.session() as session:
        key = town.app.dispatcher.state_key(identity.channel, identity.chat_id, identity.external_user_id)
        state = await session.get(ConversationState, key)
        assert state is not None and state.flow is not None
        assert [c["label"] for c in state.choices] == offered


async def test_a_person_who_blocked_the_bot_is_skipped_until_they_write_again(quiet_town: Town) -> None:
    town = quiet_town
    lan: WebPerson = await town.join("Lan")
    person, identity = await newest_person(town)
    await lan.poll()
    assert town.app is not None
    refusing = Refusing(town.app.channels["web"])
    town.app.channels["web"] = refusing
    refusing.blocked.add(identity.chat_id)

    await push(town, person, "Fire safety: check your gas", key="b1")
    assert await town.drain() == 0
    async with town.app.db.session() as session:
        marked = await session.get(ChannelIdentity, identity.id)
        assert marked is not None and marked.unreachable_at is not None
        assert marked.unreachable_reason == "Forbidden: bot was blocked by the user"
        row = (await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "b1"))).one()
        assert row.status == OutboxStatus.SKIPPED and row.error == "Forbidden: bot was blocked by the user"
        # A row queued before the mark (written directly here) is skipped without asking the platform again.
        session.add(
            OutboxMessage(
                kind="alert",
                person_id=person.id,
                channel="web",
                chat_id=identity.chat_id,
                payload=Reply("Second warning").to_payload(),
                dedupe_key="b2",
            )
        )
        await session.commit()
    assert await town.drain() == 0 and refusing.calls == 1
    async with town.app.db.session() as session:
        row = (await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "b2"))).one()
        assert row.status == OutboxStatus.SKIPPED and row.error is not None and "unreachable" in row.error

    refusing.blocked.clear()  # Lan unblocks the bot and writes: she is reachable again
    await lan.say("/trogiup")
    await push(town, person, "Traffic: road works on Lê Lợi", key="b3")
    assert await town.drain() == 1
    assert "Traffic: road works on Lê Lợi" in texts(await lan.poll())


async def test_the_background_sender_delivers_without_anyone_draining(town: Town) -> None:
    lan = await town.join("Lan")
    person, _identity = await newest_person(town)
    await lan.poll()
    await push(town, person, "Urgent: flooding on Nguyễn Huệ", priority=Priority.URGENT, key="bg1")
    received = await lan.poll(wait=5)
    if not received:
        received = await lan.poll(wait=5)
    assert texts(received) == ["Urgent: flooding on Nguyễn Huệ"]
