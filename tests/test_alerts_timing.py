"""When alerts arrive: quiet hours, muted information alerts, scheduled release, and the author stopping deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import func, select

from handlers.alerts.flows.compose import parse_when
from handlers.alerts.ticks import release_scheduled
from models import OutboxMessage
from tests.test_alerts_steps import alerts_in, group_id, latest_alert, send


async def test_quiet_hours_hold_information_and_let_urgent_through_and_muting_keeps_urgent_only(  # type: ignore[no-untyped-def]
    town, manual_clock
) -> None:
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    minh = await town.join("Minh", group="Tổ 4")
    replies = await minh.say("/tatthongtin")
    assert "/batthongtin" in minh.all_text(replies)

    manual_clock.set(datetime.fromisoformat("2026-11-23T22:00:00+07:00"))
    # The author is told the truth: held until 07:00, not "sent" (it was said "Đã gửi đến … người").
    held = police.all_text(
        await send(
            police,
            title="Lưu ý khóa cửa khi ra ngoài",
            body="Mùa cuối năm, nhớ khóa cửa và tắt điện.",
            category="theft",
            severity="info",
        )
    )
    assert "Đã xếp hàng" in held and "07:00 ngày 24/11/2026" in held and "Đã gửi" not in held, held
    sent = police.all_text(
        await send(
            police,
            title="Đang có cháy ở chợ Cao Lãnh",
            body="Tránh xa khu vực chợ, nhường đường xe cứu hỏa.",
            category="fire",
            severity="urgent",
        )
    )
    assert "Đã gửi đến" in sent, sent
    await town.drain()
    tonight = alerts_in(await lan.poll())
    assert [m["text"].splitlines()[1] for m in tonight] == ["Đang có cháy ở chợ Cao Lãnh"]
    assert len(alerts_in(await minh.poll())) == 1  # urgent alerts reach those who muted information

    manual_clock.set(datetime.fromisoformat("2026-11-24T06:59:00+07:00"))
    await town.drain()
    assert alerts_in(await lan.poll()) == []
    manual_clock.set(datetime.fromisoformat("2026-11-24T07:00:00+07:00"))
    await town.drain()
    morning = alerts_in(await lan.poll())
    assert [m["text"].splitlines()[1] for m in morning] == ["Lưu ý khóa cửa khi ra ngoài"]
    assert alerts_in(await minh.poll()) == []  # muted: the information alert never comes

    await minh.say("/batthongtin")
    await send(
        police,
        title="Lịch tiêm phòng dại cho chó mèo",
        body="Thứ Bảy này tại nhà văn hóa khóm.",
        category="other",
        severity="info",
    )
    await town.drain()
    assert len(alerts_in(await minh.poll())) == 1


async def test_a_scheduled_alert_is_released_once_by_the_tick(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    replies = await police.say("/soancanhbao")
    for payload in ("cat:traffic", "sev:important"):
        await police.press(payload)
    await police.say("Cấm đường Nguyễn Huệ tối nay")
    await police.say("Từ 18 giờ đến 22 giờ đường Nguyễn Huệ cấm xe để tổ chức lễ hội.")
    await police.press("photo:none")
    await police.press("link:none")
    await police.press("scope:areas")
    await police.press("Khóm 2")
    await police.press("area:done")
    await police.press("when:later")
    replies = await police.say("ngày mai")
    assert "25/11 18:30" in police.all_text(replies)  # not understood: asked again with an example
    await police.say("23/11 17:30")
    replies = await police.press("confirm:send")
    assert "17:30" in police.all_text(replies)
    await town.restart()

    await release_scheduled(town.app)
    await town.drain()
    assert alerts_in(await lan.poll()) == []
    manual_clock.advance(timedelta(hours=8, minutes=31))  # 17:31 local
    await release_scheduled(town.app)
    await release_scheduled(town.app)  # a second run (or a second worker) queues nothing more
    await town.drain()
    pushed = alerts_in(await lan.poll())
    assert len(pushed) == 1 and "Nguyễn Huệ" in pushed[0]["text"]
    alert = await latest_alert(town)
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.source_id == str(alert.id))
            )
        ).one()
        assert rows == 1


async def test_the_author_follows_progress_and_stops_what_has_not_gone_out(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    leader = await town.join("Tâm", role="group_admin", group="Tổ 3")
    lan = await town.join("Lan", group="Tổ 3")
    hoa = await town.join("Hoa", group="Tổ 3")
    manual_clock.set(datetime.fromisoformat("2026-11-23T21:30:00+07:00"))
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    await send(
        leader,
        title="Họp tổ tối thứ Sáu",
        body="Họp tổ bàn về an ninh trật tự cuối năm.",
        category="other",
        severity="info",
        scope=(f"scope:g:{to3}",),
    )
    await town.drain()
    assert alerts_in(await lan.poll()) == []  # held back by quiet hours

    replies = await leader.say("/canhbao")
    text = leader.all_text(replies)
    assert "Họp tổ tối thứ Sáu" in text and ("đang chờ 2" in text or "waiting 2" in text)
    alert = await latest_alert(town)
    await leader.press(f"acancel:{alert.id}")
    replies = await leader.press(f"acancel:{alert.id}:yes")
    assert "Đã dừng 2 tin" in leader.all_text(replies)

    # Someone else cannot stop it, even with a forged choice.
    refused = await lan._post(json={"choice": f"acancel:{alert.id}:yes"})
    assert "tự viết" in lan.all_text(refused) or "you wrote" in lan.all_text(refused)

    manual_clock.set(datetime.fromisoformat("2026-11-24T08:00:00+07:00"))
    await town.drain()
    assert alerts_in(await lan.poll()) == [] and alerts_in(await hoa.poll()) == []


async def test_a_scheduled_alert_cancelled_by_its_author_never_goes_out(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    replies = await send(
        police,
        title="Diễn tập phòng cháy",
        body="Sáng Chủ nhật diễn tập chữa cháy tại chợ.",
        category="fire",
        severity="info",
        when="18:00",
    )
    assert "18:00" in police.all_text(replies)
    text = police.all_text(await police.say("/canhbao"))
    assert "hẹn gửi lúc" in text and "Diễn tập phòng cháy" in text
    alert = await latest_alert(town)
    await police.press(f"acancel:{alert.id}")
    replies = await police.press(f"acancel:{alert.id}:yes")
    assert "chưa ai nhận được" in police.all_text(replies)
    assert "đã hủy trước khi gửi" in police.all_text(await police.say("/canhbao"))

    manual_clock.advance(timedelta(hours=10))
    await release_scheduled(town.app)
    await town.drain()
    assert alerts_in(await lan.poll()) == []


def test_typed_send_times_are_read_in_local_time() -> None:
    now = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
    assert parse_when("25/11 18:30", now) == datetime.fromisoformat("2026-11-25T18:30:00+07:00")
    assert parse_when("25/11/2026 18h30", now) == datetime.fromisoformat("2026-11-25T18:30:00+07:00")
    assert parse_when("8:15", now) == datetime.fromisoformat(
        "2026-11-24T08:15:00+07:00"
    )  # already past today
    assert parse_when("20h", now) == datetime.fromisoformat("2026-11-23T20:00:00+07:00")
    assert parse_when("31/02 10:00", now) is None
    assert parse_when("ngày mai", now) is None
