"""The sender of a warning learns, once the sending is done, who it could not reach: for every severity, by name
(as the group leader knows his households), in a list pushed to the group's leaders and in /canhbao; a resident
the platform simply cannot write to is "not reachable", never an "error"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot import clock
from handlers.alerts.delivery import unreached_tick
from models import ChannelIdentity, OutboxMessage, OutboxStatus
from tests.conftest import Town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.fakes import FakeZaloOA
from tests.test_alerts_steps import send
from tests.test_people_do import texts
from tests.test_tips_files import jpeg
from tests.test_zalo_reach import Ward


async def open_town(db_url: str, settings_for: Any) -> tuple[Town, ZaloBotDriver, Ward]:
    """Ông Lê leads Tổ 3 from the Zalo Bot; residents follow the ward's Zalo OA (no promotion messages)."""
    le = ZaloBotDriver(user_id="zb-ong-le", display_name="Lê")
    fake = FakeZaloOA(wall=clock.now)
    oa = ZaloOADriver(fake=fake)
    await fake.start()
    town = Town(
        settings_for(db_url, delivery_enabled=False, **{**await le.serve(), **oa.platform_settings()})
    )
    await town.start()
    await le.start(town)
    code = await town.invite("group_admin")
    for typed in (f"/start {code}", "tiếng việt", "đồng ý"):
        await le.say(typed)
    return town, le, Ward(fake, town)


async def close_town(town: Town, le: ZaloBotDriver, ward: Ward) -> None:
    await town.close()
    await le.stop()
    await ward.fake.stop()


def new_texts(driver: ZaloBotDriver, before: int) -> str:
    return "\n".join(str(m.get("text") or "") for m in driver.sent()[before:])


async def warn_tet3(le: ZaloBotDriver) -> str:
    """Ông Lê warns Tổ 3 of a scam: important, a photo without a caption; returns what he is told at the end."""
    for typed in (
        "/soancanhbao",
        "lừa đảo",
        "quan trọng",
        "Giả nhân viên điện lực",
        "Có người giả nhân viên điện lực gọi điện bắt chuyển tiền, bà con đừng chuyển",
    ):
        await le.say(typed)
    await le.send_photo(jpeg((200, 10, 10)))
    for typed in ("không", "không", "1", "1"):
        await le.say(typed)
    return texts(await le.say("gửi"))


async def test_the_leader_is_told_which_residents_his_warning_did_not_reach(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """Walk G: Anh An follows the OA but has not written for 8 days, so Zalo refuses the message and no fallback
    carries an "important" alert. Ông Lê learns An's name (to tell him in person), once the sending is done."""
    town, le, ward = await open_town(db_url, settings_for)
    try:
        await town.join("Lan", group="Tổ 3")
        an = await ward.zalo("An", "4410000000000000011")
        await ward.zalo("Bình", "4410000000000000012")
        await ward.silence(an)
        done = await warn_tet3(le)
        assert "Đã gửi đến 2 người" in done, done
        await town.drain()
        assert not ward.fake.messages_to(an.user_id)[-1].get("text", "").startswith("🟠")
        manual_clock.advance(timedelta(minutes=45))
        before = len(le.sent())
        await unreached_tick(town.app)  # type: ignore[arg-type]
        await town.drain()
        told = new_texts(le, before)
        assert "chưa đến được 1 cư dân" in told and "• An" in told, told  # his name, to tell him in person
        assert "Bình" not in told and "Lan" not in told, told
    finally:
        await close_town(town, le, ward)


async def lists_after(town: Town, manual_clock: Any, minutes: int) -> None:
    manual_clock.advance(timedelta(minutes=minutes))
    await unreached_tick(town.app)  # type: ignore[arg-type]
    await town.drain()


async def test_canhbao_names_who_was_not_reached_and_calls_nobody_an_error(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """/canhbao showed ông Lê "lỗi 1" and a count: no error happened (Zalo may not write to An), and a count
    tells nobody whose door to knock on. Now: "chưa liên lạc được 1" and An's name."""
    town, le, ward = await open_town(db_url, settings_for)
    try:
        an = await ward.zalo("An", "4410000000000000011")
        await ward.zalo("Bình", "4410000000000000012")
        await ward.silence(an)
        await warn_tet3(le)
        await town.drain()
        shown = texts(await le.say("/canhbao"))
        state = next(line for line in shown.splitlines() if "đã gửi 1" in line)
        assert "chưa liên lạc được 1" in state and "lỗi" not in state, shown
        assert "cần báo trực tiếp: Tổ 3, Khóm 2: An" in shown, shown
        assert "Bình" not in shown, shown
    finally:
        await close_town(town, le, ward)


async def test_a_warning_sent_at_night_is_listed_only_once_its_sending_is_done(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """An important warning written at 22:00 waits for the end of quiet hours (07:00): its list is not made while
    nothing has been tried, and comes once the morning's sending is done."""
    town, le, ward = await open_town(db_url, settings_for)
    try:
        an = await ward.zalo("An", "4410000000000000011")
        await ward.silence(an)
        manual_clock.set(datetime.fromisoformat("2026-11-23T22:00:00+07:00"))
        done = await warn_tet3(le)
        assert "07:00" in done, done
        before = len(le.sent())
        await lists_after(town, manual_clock, 45)
        assert "chưa đến được" not in new_texts(le, before)  # nothing was tried yet: nothing to list
        manual_clock.set(datetime.fromisoformat("2026-11-24T07:01:00+07:00"))
        await town.drain()
        await lists_after(town, manual_clock, 10)
        assert "chưa đến được" not in new_texts(le, before)  # not before its time
        await lists_after(town, manual_clock, 40)
        told = new_texts(le, before)
        assert told.count("chưa đến được") == 1 and "• An" in told, told
        await lists_after(town, manual_clock, 5)
        assert new_texts(le, before).count("chưa đến được") == 1  # once
    finally:
        await close_town(town, le, ward)


async def test_a_held_message_sent_when_the_person_writes_again_is_not_listed(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """An's copy of the warning is held for his next message (the state bot.delivery.held gives what Zalo
    refused for its window); he writes again, it goes out. Ông Lê's list names Chi, still unreached, not An."""
    town, le, ward = await open_town(db_url, settings_for)
    try:
        an = await ward.zalo("An", "4410000000000000011")
        chi = await ward.zalo("Chi", "4410000000000000013")
        for quiet in (an, chi):
            await ward.silence(quiet)
        await warn_tet3(le)
        await town.drain()
        await hold_for(town, an.user_id)
        await an.say("chào")  # back after 8 days: what was held for him goes out now
        await town.drain()
        assert any("Giả nhân viên điện lực" in str(m) for m in ward.fake.messages_to(an.user_id)[-3:])
        before = len(le.sent())
        await lists_after(town, manual_clock, 45)
        told = new_texts(le, before)
        assert "• Chi" in told and "An" not in told.replace("An Dân", ""), told
    finally:
        await close_town(town, le, ward)


async def hold_for(town: Town, user_id: str) -> None:
    """Put the person's skipped alert row into the held state, as the sender does for a window refusal."""
    async with town.app.db.session() as session:  # type: ignore[union-attr]
        identity = (
            await session.exec(select(ChannelIdentity).where(ChannelIdentity.external_user_id == user_id))
        ).one()
        row = (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.person_id == identity.person_id,
                    OutboxMessage.source_kind == "alert",
                    col(OutboxMessage.status) == OutboxStatus.SKIPPED,
                )
            )
        ).one()
        row.status = OutboxStatus.HELD
        session.add(row)
        await session.commit()


async def test_the_police_get_the_names_no_group_leader_is_given(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """The police warn the whole ward (important). An (Tổ 3) is on ông Lê's list; Chi's Tổ 1 has no leader, so
    the officer who wrote the warning is given Chi's name, and /canhbao shows the officer both names."""
    town, le, ward = await open_town(db_url, settings_for)
    try:
        police = await town.join("Công an Hùng", role="police")
        an = await ward.zalo("An", "4410000000000000011")
        chi = await ward.zalo("Chi", "4410000000000000013", group="Tổ 1")
        for quiet in (an, chi):
            await ward.silence(quiet)
        await send(police, title="Giả nhân viên điện lực", severity="important", body="Đừng chuyển tiền.")
        await town.drain()
        await police.poll()
        before = len(le.sent())
        await lists_after(town, manual_clock, 45)
        leader = new_texts(le, before)
        assert "• An" in leader and "Chi" not in leader, leader
        (officer,) = [m["text"] for m in await police.poll() if "chưa đến được" in m["text"]]
        assert "• Tổ 1, Khóm 2: Chi" in officer and "An" not in officer.replace("An Dân", ""), officer
        shown = "\n".join(m["text"] for m in await police.say("/canhbao"))
        assert "Tổ 1, Khóm 2: Chi" in shown and "Tổ 3, Khóm 2: An" in shown, shown
    finally:
        await close_town(town, le, ward)
