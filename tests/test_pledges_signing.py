"""Signing over time: withdraw and re-sign, a new text version, code checks on the web, and the reminder tick."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application
from sqlmodel import col, select

from bot.i18n import _, use_locale
from handlers.pledges.ticks import remind
from handlers.pledges.web import routes
from models import OutboxMessage
from models.pledges import PledgeSignature, PledgeVersion
from tests.test_pledges import JANUARY, attach, open_campaign, sign_on_web


async def outbox(town, kind: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.source_kind == kind)
                    .order_by(col(OutboxMessage.id))
                )
            ).all()
        )


async def check_on_web(town, code: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    http = Application()
    http.add_routes(routes(town.app))
    async with TestClient(TestServer(http)) as client:
        page = await client.get(f"/camket/{code}")
        assert "text/html" in page.headers["Content-Type"]
        response = await client.get(f"/camket/{code}", params={"format": "json"})
        return response.status, await response.json()


async def test_withdraw_resign_new_version_and_web_check(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(ward_admin)
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")
    first = await sign_on_web(lan, "Số 121,", "Nguyễn Thị Lan")

    status, body = await check_on_web(town, first)
    assert status == 200 and body["valid"] is True and body["version"] == 1
    assert "Lan" not in str(body) and "121" not in str(body) and "Tổ 3" in body["place"]
    status, body = await check_on_web(town, "AAAA-BBBB")
    assert status == 404 and body["found"] is False

    # The ward admin corrects the text: a new version; the signature keeps version 1.
    await ward_admin.say("/chiendich")
    await ward_admin.press(
        "Sửa lời cam kết" if "Sửa lời cam kết" in ward_admin.choices() else ward_admin.choices()[0]
    )
    replies = await ward_admin.say(
        "Hộ gia đình chúng tôi cam kết chấp hành pháp luật, giữ gìn an ninh trật tự, "
        "phòng cháy chữa cháy và tố giác tội phạm."
    )
    assert "2" in ward_admin.all_text(replies)
    await town.restart()

    # Withdraw while the campaign is open, then sign again under the new text.
    await lan.say("/camket rut")
    await lan.press(lan.choices()[0])
    replies = await lan.press(lan.choices()[0])
    assert "/camket" in lan.all_text(replies)
    status, body = await check_on_web(town, first)
    assert status == 200 and body["valid"] is False and body["withdrawn_on"] == "2027-01-04"
    text = tam.all_text(await tam.say("/baophu"))
    assert "0/27" in text and "Số 121," in text

    replies = await lan.say("/camket")
    assert "chấp hành pháp luật" in lan.all_text(replies)
    second = await sign_on_web_after_read(lan, "Nguyễn Thị Lan")
    assert second != first
    status, body = await check_on_web(town, second)
    assert body["valid"] is True and body["version"] == 2
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(PledgeSignature, PledgeVersion)
                .join(PledgeVersion, col(PledgeVersion.id) == col(PledgeSignature.version_id))
                .order_by(col(PledgeSignature.id))
            )
        ).all()
    assert [(v.number, s.withdrawn_at is None) for s, v in rows] == [(1, False), (2, True)]
    assert "1/27" in tam.all_text(await tam.say("/baophu"))

    # After the campaign closes, a signature can no longer be withdrawn.
    manual_clock.set(datetime.fromisoformat("2027-04-02T09:00:00+07:00"))
    await lan.say("/camket rut")
    assert "chưa có đợt cam kết nào đang mở" in lan.last_text()


async def sign_on_web_after_read(person, name: str) -> str:  # type: ignore[no-untyped-def]
    import re

    await person.press("pread:yes")
    await person.press(person.choices()[0])
    replies = await person.say("Lan")  # one word is not a signature: asked again, nothing lost
    assert "ít nhất hai từ" in person.all_text(replies)
    await person.say(name)
    replies = await person.press("psign:yes")
    found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", person.all_text(replies))
    assert found
    return found.group(0)


async def test_reminders_skip_signed_households_and_quiet_hours_and_wait_a_week(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(ward_admin)
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    minh = await town.join("Minh")
    await attach(lan, tam, town, "so 121", "Số 121,")
    await attach(minh, tam, town, "so 122", "Số 122,")
    await sign_on_web(lan, "Số 121,", "Nguyễn Thị Lan")
    for person in (lan, minh, tam):
        await person.poll()  # what they already saw

    manual_clock.set(datetime.fromisoformat("2027-01-04T22:30:00+07:00"))  # quiet hours
    await remind(town.app)
    assert await outbox(town, "pledge_reminder") == []

    manual_clock.set(datetime.fromisoformat("2027-01-05T08:00:00+07:00"))
    await remind(town.app)
    await remind(town.app)  # a retried tick queues nothing twice
    rows = await outbox(town, "pledge_reminder")
    assert len(rows) == 1
    await town.drain()
    pushed = minh.all_text(await minh.poll())
    assert "/camket" in pushed and "Số 122" in pushed
    assert await lan.poll() == []  # her household signed

    await town.restart()
    manual_clock.advance(timedelta(days=3))
    await remind(town.app)
    assert len(await outbox(town, "pledge_reminder")) == 1  # not again within a week
    manual_clock.set(datetime.fromisoformat("2027-01-12T08:00:00+07:00"))
    await remind(town.app)
    assert len(await outbox(town, "pledge_reminder")) == 2
    assert await outbox(town, "pledge_left") == []  # not yet the last two weeks

    # In the last two weeks the group admin hears who is left.
    manual_clock.set(datetime.fromisoformat("2027-03-22T09:00:00+07:00"))
    await remind(town.app)
    await remind(town.app)
    left = await outbox(town, "pledge_left")
    assert len(left) == 1
    await town.drain()
    text = tam.all_text(await tam.poll())
    assert "26" in text and "Số 122," in text and "Số 121," not in text


async def test_an_outdated_button_or_a_typed_answer_re_asks_and_signs_nothing(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(ward_admin)
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    # The read step takes only its buttons: a typed answer, or a number with no button, asks the same again.
    await lan.say("/camket")
    for typed in ("đọc rồi", "7"):
        replies = await lan.say(typed)
        assert "Vui lòng chọn một trong các mục dưới đây" in lan.all_text(replies), replies
        assert [c["payload"] for c in replies[-1]["choices"]] == ["pread:yes", "pread:no"]
    await lan.press("pread:yes")
    await lan.press(next(c for c in lan.choices() if "Số 121," in c))
    await lan.say("Nguyễn Thị Lan")

    # The read step's button, pressed again at the confirm step, answers nothing: the confirm question comes back.
    replies = await lan.press("pread:yes")
    assert "Nút này thuộc một câu hỏi trước" in lan.all_text(replies), replies
    assert [c["payload"] for c in replies[-1]["choices"]] == ["psign:yes", "psign:no"]
    async with town.app.db.session() as session:
        assert (await session.exec(select(PledgeSignature))).all() == []

    replies = await lan.press("psign:yes")
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", lan.all_text(replies)), replies

    # A withdrawal button that names no signature is refused, and the signature stays.
    replies = await lan._post(json={"choice": "pwdok:abc"})
    with use_locale("vi"):
        assert lan.all_text(replies) == _(
            "That button is no longer valid. Type /help to see what you can do."
        )
    async with town.app.db.session() as session:
        assert [s.withdrawn_at for s in (await session.exec(select(PledgeSignature))).all()] == [None]
