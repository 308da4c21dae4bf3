"""Photos sent without a caption reach the police, on every channel.

A photo alone used to be acknowledged ("1 file") and then silently dropped: the flow appended it to a list inside
its saved state, and an in-place change of a JSON column was not written. The earlier journeys all sent photos with a
caption, whose text change saved the list by accident. Here a resident sends a photo alone, then text, then a second
photo alone, on each channel, and the police see both; then the same when adding to the tip by its receipt code.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image
from sqlmodel import col, select

from models import ConversationState, Tip, TipAttachment
from tests.drivers import ChatDriver, driver_town
from tests.test_channel_journeys import DRIVERS
from tests.test_tips import CODE, poll

CHANNELS = [(name, factory) for name, factory in DRIVERS if name != "telegram-webhook"]


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(params=[factory for _name, factory in CHANNELS], ids=[name for name, _factory in CHANNELS])
async def chat(
    request: pytest.FixtureRequest, db_url: str, settings_for: Any
) -> AsyncIterator[tuple[Any, ChatDriver]]:
    driver = request.param()
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


async def attachments_of(town: Any, tip_id: int) -> list[TipAttachment]:
    async with town.app.db.session() as session:
        return list(
            (
                await session.exec(
                    select(TipAttachment)
                    .where(TipAttachment.tip_id == tip_id)
                    .order_by(col(TipAttachment.id))
                )
            ).all()
        )


async def police_photos(officer: Any, tip_id: int) -> list[dict[str, Any]]:
    await poll(officer)
    replies = await officer.press(f"tipp:open:{tip_id}")
    return [m for r in replies for m in r.get("media", [])]


async def test_photos_without_caption_reach_the_police(chat: tuple[Any, ChatDriver]) -> None:
    town, resident = chat
    officer = await town.join("Officer", role="police")
    code = await town.invite("resident")
    await resident.say(f"/start {code}")
    await resident.press("Tiếng Việt")
    await resident.press("Tôi đồng ý")

    await resident.say("/togiac")
    await resident.press("Trộm cắp")
    assert "1 tệp" in "\n".join(await resident.send_photo(jpeg((200, 0, 0))))
    await resident.say("Hai người lạ bẻ khóa xe máy trước nhà số 12")
    assert "2 tệp" in "\n".join(await resident.send_photo(jpeg((0, 0, 200))))
    await town.restart()  # what was received is in the database, not in a process
    await resident.press("Xong")
    await resident.press("Tôi không nhớ")
    await resident.press("Hôm nay")
    await resident.press("Phường Cao Lãnh")
    await resident.press("Ẩn danh")
    summary = "\n".join(await resident.press("Có, cho phép trả lời"))
    assert "Tệp: 2" in summary
    sent = "\n".join(await resident.press("Gửi cho công an"))
    found = CODE.search(sent)
    assert found, sent
    receipt = found.group(0)

    async with town.app.db.session() as session:
        [tip] = (await session.exec(select(Tip))).all()
        assert "bẻ khóa" in tip.text
    assert tip.id is not None
    assert [a.kind for a in await attachments_of(town, tip.id)] == ["photo", "photo"]
    await town.drain()
    photos = await police_photos(officer, tip.id)
    assert len(photos) == 2

    # Adding to the same tip by its receipt code: a photo alone, text, another photo alone.
    await resident.say(f"/tracuu {receipt}")
    await resident.press("Bổ sung thông tin")
    await resident.send_photo(jpeg((0, 160, 0)))
    await resident.say("Chúng đi xe không biển số")
    await resident.send_photo(jpeg((90, 90, 90)))
    assert "Đã bổ sung" in "\n".join(await resident.press("Gửi"))
    assert len(await attachments_of(town, tip.id)) == 4
    await town.drain()
    assert len(await police_photos(officer, tip.id)) == 4


async def test_nested_changes_to_any_json_column_are_saved(db_url: str, settings_for: Any) -> None:
    """The engine-level guarantee behind the journey, for every way a handler may change its state."""
    from bot.db import Database

    database = Database(db_url)
    try:
        async with database.session() as session:
            session.add(ConversationState(key="k", flow="f", step="s", data={"files": [], "meta": {"n": 1}}))
            await session.commit()
        async with database.session() as session:
            row = await session.get(ConversationState, "k")
            assert row is not None
            row.data["files"].append(["photo", "media:1"])  # nested list, in place
            row.data["meta"]["n"] = 2  # nested dict, in place
            row.history.append("s")  # a JSON list column, in place
            await session.commit()
            row.data["files"].append(["photo", "media:2"])  # again after a commit, on the same object
            await session.commit()
        async with database.session() as session:
            again = await session.get(ConversationState, "k")
            assert again is not None
            assert again.data == {"files": [["photo", "media:1"], ["photo", "media:2"]], "meta": {"n": 2}}
            assert again.history == ["s"]
    finally:
        await database.dispose()


async def test_a_file_that_cannot_be_fetched_gets_a_polite_answer_and_keeps_the_form(
    db_url: str, settings_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A signed Zalo event naming a file on a host outside ANDAN_MEDIA_HOSTS: nothing is fetched, the resident is
    told to send it again, the form keeps what it had, and no ERROR reaches the log."""
    from tests.drivers.zalo_oa import ZaloOADriver

    oa = ZaloOADriver()
    async with driver_town(oa, settings_for, db_url) as town:
        code = await town.invite("resident")
        await oa.say(f"/start {code}")
        await oa.press("Tiếng Việt")
        await oa.press("Tôi đồng ý")
        await oa.say("/togiac")
        await oa.press("Trộm cắp")
        await oa.send_photo(jpeg((10, 10, 10)))
        caplog.clear()
        refused = "\n".join(
            await oa.inject(oa.fake.user_send_image(oa.user_id, "https://files.example.net/x.jpg"))
        )
        assert "Tôi không nhận được tệp đó" in refused
        assert not [r for r in caplog.records if r.levelname == "ERROR"]
        assert "2 tệp" in "\n".join(await oa.send_photo(jpeg((20, 20, 20))))  # the first photo is still there
