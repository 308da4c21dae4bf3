"""Alerts journeys: police reach the ward, a group leader only their group, residents acknowledge, counted per group."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlmodel import select

from bot import clock
from bot.extensions.digest_sections import Scope
from handlers.alerts.digest import alert_acks, alerts_section
from handlers.alerts.store import acks_by_group
from models import LinkedChat, OutboxMessage
from tests.databases import DEMO_WARD
from tests.test_alerts_steps import (
    PNG,
    acknowledge,
    alerts_in,
    compose,
    group_id,
    latest_alert,
    send,
)


async def test_police_alert_reaches_the_ward_and_a_leader_alert_only_their_group(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    binh = await town.join("Bình", group="Tổ 5")
    an = await town.join("An", area="Khóm 1", group="Tổ 1")
    leader = await town.join("Tâm", role="group_admin", group="Tổ 3")
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    async with town.app.db.session() as session:
        session.add(LinkedChat(channel="web", chat_id="zalo-group-to3", ward_code=DEMO_WARD, group_id=to3))
        await session.commit()

    preview = await compose(
        police,
        title="Giả danh công an gọi điện đòi tiền",
        body="Kẻ gian gọi từ số 0912 345 678, xưng là công an phường, yêu cầu chuyển tiền.",
        watch="0912 345 678\nvay-nhanh.vn",
    )
    alert_text = preview[0]["text"]
    assert "0912 345 678" in alert_text and "Giả danh công an" in alert_text
    assert "✅" in alert_text  # the verified mark of a police alert
    await town.restart()  # the form survives a restart between preview and confirmation
    done = await police.press("confirm:send")
    assert " 4 " in police.all_text(done) and " 1 " in police.all_text(
        done
    )  # Lan, Bình, An and the leader Tâm; the author gets no copy

    assert await town.drain() >= 5
    received = {}
    for person in (lan, binh, an, leader):
        pushed = alerts_in(await person.poll())
        assert len(pushed) == 1, person.name
        assert pushed[0]["text"] == alert_text  # exactly what the preview showed
        received[person.name] = pushed[0]
    assert alerts_in(await police.poll()) == []
    alert = await latest_alert(town)
    assert alert.verification_code and alert.verification_code in alert_text
    async with town.app.db.session() as session:
        chat_rows = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == f"alert:{alert.id}:chat:1")
            )
        ).all()
        assert len(chat_rows) == 1 and chat_rows[0].chat_id == "zalo-group-to3"

    # Acknowledgements: once per person, counted per group, a second press changes nothing.
    await acknowledge(lan, received["Lan"])
    again = await acknowledge(lan, received["Lan"])
    assert "đã xác nhận" in lan.all_text(again) or "already" in lan.all_text(again)
    await acknowledge(binh, received["Bình"])
    await acknowledge(leader, received["Tâm"])
    to5 = await group_id(town, "Khóm 2", "Tổ 5")
    async with town.app.db.session() as session:
        per_group = await acks_by_group(session, alert.id)
        assert per_group == {to3: 2, to5: 1}
        week = (clock.now() - timedelta(days=1), clock.now() + timedelta(days=1))
        column = await alert_acks(session, DEMO_WARD, *week)
        assert column[to3] == "2/2" and column[to5] == "1/1"
        assert column[await group_id(town, "Khóm 1", "Tổ 1")] == "0/1"
        section = await alerts_section(session, Scope(DEMO_WARD, to3, "resident"), *week)
        assert (
            section is not None and section.figures["acknowledged"] == 2 and section.figures["delivered"] == 2
        )
    progress = police.all_text(await police.say("/canhbao"))
    assert "đã gửi 5" in progress and "đã đọc 3" in progress  # 4 people and the group chat
    assert "Tổ 3, Khóm 2: 2; Tổ 5, Khóm 2: 1" in progress

    # The leader of Tổ 3 is offered only their own group, and a forged choice for another group is refused.
    await leader.say("/soancanhbao")
    for payload in ("cat:theft", "sev:important"):
        await leader.press(payload)
    await leader.say("Trộm xe máy ban đêm")
    await leader.say("Khóa cổ xe và gửi xe vào nhà trước 22 giờ.")
    replies = await leader.send_file(b"not an image", "ghi-chu.txt", "text/plain")
    assert "ảnh" in leader.all_text(replies) or "photo" in leader.all_text(
        replies
    )  # asked again, nothing lost
    await leader.send_file(PNG, "xe-may.png", "image/png")
    replies = await leader.press("link:none")
    offered = [c["payload"] for c in replies[-1]["choices"]]
    assert offered == [f"scope:g:{to3}"]
    refused = await leader._post(json={"choice": f"scope:g:{to5}"})
    assert "tổ anh/chị phụ trách" in leader.all_text(refused) or "group you lead" in leader.all_text(refused)
    await leader.press(f"scope:g:{to3}")
    preview = await leader.press("when:now")
    assert preview[0]["media"] and "Từ tổ trưởng Tổ 3, Khóm 2" in preview[0]["text"]
    await leader.press("confirm:send")
    await town.drain()
    pushed = alerts_in(await lan.poll())
    assert len(pushed) == 1 and pushed[0]["text"] == preview[0]["text"] and pushed[0]["media"]
    async with leader.http.get(leader.url + preview[0]["media"][0]["url"]) as response:
        served = Image.open(io.BytesIO(await response.read()))  # the photo, re-encoded without its metadata
    assert served.size == Image.open(io.BytesIO(PNG)).size and served.mode == "RGBA"
    assert alerts_in(await binh.poll()) == [] and alerts_in(await an.poll()) == []


async def test_acknowledging_an_alert_of_another_place_is_refused(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    leader = await town.join("Tâm", role="group_admin", group="Tổ 3")
    lan = await town.join("Lan", group="Tổ 3")
    outsider = await town.join("Hoa", area="Khóm 1", group="Tổ 2")
    await send(
        leader,
        title="Cháy nổ do sạc xe điện",
        body="Không sạc xe điện qua đêm trong nhà.",
        category="fire",
        severity="important",
        scope=(f"scope:g:{await group_id(town, 'Khóm 2', 'Tổ 3')}",),
    )
    await town.drain()
    pushed = alerts_in(await lan.poll())
    refused = await acknowledge(outsider, pushed[0])
    assert "không dành cho nơi anh/chị ở" in outsider.all_text(
        refused
    ) or "not one for your place" in outsider.all_text(refused)
    async with town.app.db.session() as session:
        assert await acks_by_group(session, (await latest_alert(town)).id) == {}


async def test_forgetting_erases_readings_and_keeps_authored_alerts_as_ward_records(
    town, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    leader = await town.join("Tâm", role="group_admin", group="Tổ 3")
    lan = await town.join("Lan", group="Tổ 3")
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    await send(
        leader,
        title="Cảnh giác trộm chó",
        body="Đêm qua có hai vụ bắt trộm chó ở Tổ 3.",
        category="theft",
        severity="important",
        scope=(f"scope:g:{to3}",),
    )
    await town.drain()
    await acknowledge(lan, alerts_in(await lan.poll())[0])

    await lan.say("/xoadulieu")
    replies = await lan.press("forget:yes")
    assert "read_alerts" in lan.all_text(replies)  # the copy handed over before erasing lists the reading
    await leader.say("/xoadulieu")
    replies = await leader.press("forget:yes")
    assert "hồ sơ của" in leader.all_text(replies) and "không còn gắn với anh/chị" in leader.all_text(replies)
    alert = await latest_alert(town)
    assert alert.author_person_id is None and alert.title == "Cảnh giác trộm chó"
    async with town.app.db.session() as session:
        assert await acks_by_group(session, alert.id) == {}


async def test_police_choose_groups_across_areas(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    binh = await town.join("Bình", group="Tổ 5")
    an = await town.join("An", area="Khóm 1", group="Tổ 1")
    preview = await compose(
        police,
        title="Đối tượng lạ hỏi thăm nhà vắng chủ",
        category="theft",
        body="Hai người đi xe máy hỏi thăm các nhà vắng chủ, nghi trinh sát để trộm.",
        severity="important",
        scope=(
            "scope:groups",
            "Khóm 2",
            "Tổ 5",
            "Tổ 7",
            "Tổ 7",
            "Khu dân cư khác",
            "Khóm 1",
            "Tổ 1",
            "grp:done",
        ),
    )
    assert "Tổ 5, Khóm 2; Tổ 1, Khóm 1" in police.all_text(preview)  # Tổ 7 pressed twice: removed again
    await police.press("confirm:send")
    await town.drain()
    assert len(alerts_in(await binh.poll())) == 1 and len(alerts_in(await an.poll())) == 1
    assert alerts_in(await lan.poll()) == []
