"""Reaching every resident on Zalo: promotion messages beyond the consultation window, ZNS for urgent alerts,
GMF group chats, and the group leader's list of who an urgent alert did not reach; all through the fake OA."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot import clock
from bot.channels.base import NotNow, Permanent, QuotaExhausted, Unreachable
from bot.channels.zalo_oa.webhook import GROUP_PREFIX, parse
from bot.core.events import ChatType, Kind
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import reach_progress
from bot.digest import send_ward
from handlers.alerts.delivery import unreached_tick
from models import ChannelIdentity, LinkedChat, OutboxMessage, OutboxStatus, Person
from models.outbox import DeliveryAttempt
from models.zalo import ZaloQuota
from tests.conftest import DEMO_WARD, Town
from tests.drivers.zalo_oa import ZaloOADriver
from tests.fakes import FakeZaloOA
from tests.test_alerts_steps import latest_alert, send

URGENT_TEMPLATE = "tpl-urgent-1"
TIP_TEMPLATE = "tpl-tip-1"
TITLE = "Cháy chợ Khóm 2"
BODY = "Đám cháy lan nhanh ở chợ Khóm 2, người dân tránh xa khu vực và gọi 114."
DEMO_WARD_NAME = "Phường Cao Lãnh"


def reach_settings(fake: FakeZaloOA, **extra: Any) -> dict[str, Any]:
    return {
        "zalo_oa_promotion_enabled": True,
        "zalo_zns_urgent_alert_template": URGENT_TEMPLATE,
        "zalo_zns_tip_reply_template": TIP_TEMPLATE,
        "zalo_zns_api_url": fake.base_url,
        "zalo_oa_id": fake.oa_id,
        **extra,
    }


class Ward:
    """A town with one fake OA shared by several Zalo residents, each with their own driver."""

    def __init__(self, fake: FakeZaloOA, town: Town) -> None:
        self.fake, self.town = fake, town
        self.drivers: dict[str, ZaloOADriver] = {}

    async def zalo(
        self, name: str, user_id: str, group: str = "Tổ 3", role: str = "resident"
    ) -> ZaloOADriver:
        driver = ZaloOADriver(user_id=user_id, fake=self.fake)
        await driver.start(self.town)
        code = await self.town.invite(role, "Khóm 2", group)
        await driver.say(f"/start {code}")
        await driver.press("Tiếng Việt")
        await driver.press("Tôi đồng ý")
        async with self.town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (
                await session.exec(select(ChannelIdentity).where(ChannelIdentity.external_user_id == user_id))
            ).one()
            person = await session.get(Person, identity.person_id)
            assert person is not None
            person.display_name = name
            session.add(person)
            await session.commit()
        self.drivers[name] = driver
        return driver

    async def silence(self, driver: ZaloOADriver, days: int = 8) -> None:
        """The person has not written to the OA for `days` days (on Zalo's side and in our records)."""
        self.fake.interactions[driver.user_id] -= days * 86400
        async with self.town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (
                await session.exec(
                    select(ChannelIdentity).where(ChannelIdentity.external_user_id == driver.user_id)
                )
            ).one()
            identity.last_interaction_at = clock.now() - timedelta(days=days)
            session.add(identity)
            await session.commit()

    async def unfollow(self, driver: ZaloOADriver) -> None:
        event = self.fake.unfollow(driver.user_id)
        await driver.post(event)
        await driver.settle(f"unfollow:{event['timestamp']}")

    async def rows(self, **where: Any) -> list[OutboxMessage]:
        async with self.town.app.db.session() as session:  # type: ignore[union-attr]
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            for name, value in where.items():
                query = query.where(getattr(OutboxMessage, name) == value)
            return list((await session.exec(query)).all())


async def open_ward(db_url: str, settings_for: Any, **extra: Any) -> tuple[Ward, FakeZaloOA]:
    fake = FakeZaloOA(wall=clock.now, zns_templates={URGENT_TEMPLATE: ("title",), TIP_TEMPLATE: ()})
    driver = ZaloOADriver(fake=fake)
    await fake.start()
    town = Town(settings_for(db_url, **driver.platform_settings(), **reach_settings(fake, **extra)))
    await town.start()
    return Ward(fake, town), fake


async def close_ward(ward: Ward) -> None:
    await ward.town.close()
    await ward.fake.stop()


async def test_an_urgent_alert_reaches_silent_residents_by_promotion_and_zns_and_lists_the_rest(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    ward, fake = await open_ward(db_url, settings_for)
    try:
        town = ward.town
        leader = await town.join("Tổ trưởng Hòa", role="group_admin", group="Tổ 3")
        police = await town.join("Công an Hùng", role="police")
        an = await ward.zalo("An", "4410000000000000011")
        binh = await ward.zalo("Bình", "4410000000000000012")
        chi = await ward.zalo("Chi", "4410000000000000013")
        dung = await ward.zalo("Dũng", "4410000000000000014")  # wrote yesterday: inside the window
        replies = await binh.say("/sdtzalo 0912 345 678")
        assert any("0••••••678" in r for r in replies)
        for silent in (an, binh, chi):
            await ward.silence(silent)
        await ward.unfollow(binh)  # no promotion for Bình: ZNS by the number he gave
        await ward.unfollow(chi)  # and no fallback at all for Chi
        await leader.poll()

        before = len(fake.calls("message/cs"))
        await send(police, title=TITLE, severity="urgent", body=BODY)
        await town.drain()

        (promotion,) = fake.promotions_to(
            an.user_id
        )  # silent 8 days: a promotion, not a refused consultation
        payload = promotion["attachment"]["payload"]
        assert payload["template_type"] == "promotion"
        assert payload["elements"][0]["type"] == "header" and "KHẨN CẤP" in payload["elements"][0]["content"]
        assert payload["elements"][1]["type"] == "text" and TITLE in payload["elements"][1]["content"]
        assert any(
            b["payload"].startswith("#ack:") for b in payload["buttons"]
        )  # "I have read this" still works
        (zns,) = fake.zns_to("84912345678")
        assert zns["template_id"] == URGENT_TEMPLATE and zns["template_data"] == {"title": TITLE}
        assert zns["tracking_id"].startswith("outbox-")
        assert not fake.promotions_to(chi.user_id) and not fake.zns_to("84")
        cs_users = [c.params["recipient"]["user_id"] for c in fake.calls("message/cs")[before:]]
        assert cs_users == [dung.user_id]  # only the one inside the window got a consultation message

        alert = await latest_alert(town)
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            summary = await reach_progress(session, "alert", str(alert.id))
            attempts = (await session.exec(select(DeliveryAttempt))).all()
        people = summary["people"]
        assert people["reached"][("zalo_oa", "promotion")] == 1
        assert people["reached"][("zalo_oa", "zns")] == 1
        assert people["reached"][("zalo_oa", "cs")] == 1
        assert people["not_reached"] == 1 and people["trying"] == 0  # Chi: counted, not silently missed
        assert {(a.via, a.outcome) for a in attempts} >= {
            ("promotion", "sent"),
            ("zns", "sent"),
            ("cs", "sent"),
        }

        progress = "\n".join(m["text"] for m in await police.say("/canhbao"))
        assert "Zalo OA (tin truyền thông): 1" in progress and "chưa liên lạc được 1" in progress

        await unreached_tick(town.app)  # type: ignore[arg-type]
        await town.drain()
        assert not [m for m in await leader.poll() if "chưa đến được" in m["text"]]  # not before its time
        manual_clock.advance(timedelta(minutes=31))
        await unreached_tick(town.app)  # type: ignore[arg-type]
        await unreached_tick(town.app)  # type: ignore[arg-type]  # once per leader and alert
        await town.drain()
        lists = [m["text"] for m in await leader.poll() if "chưa đến được" in m["text"]]
        assert len(lists) == 1 and "Chi" in lists[0] and "An" not in lists[0] and "Bình" not in lists[0]
        assert not [m for m in await police.poll() if "chưa đến được" in m["text"]]  # only for the leader
    finally:
        await close_ward(ward)


async def test_a_night_promotion_waits_for_the_allowed_hours_and_one_a_day(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    ward, fake = await open_ward(db_url, settings_for, zalo_zns_urgent_alert_template=None)
    try:
        town = ward.town
        police = await town.join("Công an Hùng", role="police")
        an = await ward.zalo("An", "4410000000000000021")
        await ward.silence(an)
        manual_clock.set(datetime.fromisoformat("2026-11-23T23:10:00+07:00"))
        await send(police, title=TITLE, severity="urgent", body=BODY)
        await town.drain()
        assert fake.promotions_to(an.user_id) == [] and fake.calls("message/promotion") == []
        (row,) = await ward.rows(kind="alert")
        assert row.status == OutboxStatus.PENDING and row.via == "promotion"
        assert row.not_before == datetime.fromisoformat("2026-11-24T08:00:00+07:00")

        manual_clock.set(datetime.fromisoformat("2026-11-24T08:00:30+07:00"))
        await town.drain()
        assert len(fake.promotions_to(an.user_id)) == 1

        await send(police, title="Lừa đảo qua điện thoại", severity="urgent", body=BODY)  # the same day
        await town.drain()
        assert len(fake.promotions_to(an.user_id)) == 1  # today's promotion is used: it waits for tomorrow
        second = (await ward.rows(kind="alert"))[-1]
        assert second.status == OutboxStatus.PENDING
        assert second.not_before == datetime.fromisoformat("2026-11-25T08:00:00+07:00")
    finally:
        await close_ward(ward)


async def test_out_of_quota_stops_promotions_and_tells_the_admin_once(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    ward, fake = await open_ward(db_url, settings_for, zalo_zns_urgent_alert_template=None)
    try:
        town = ward.town
        admin = await town.join("Chủ tịch Mai", role="ward_admin")
        police = await town.join("Công an Hùng", role="police")
        silent = [await ward.zalo(n, f"44100000000000003{i}") for i, n in enumerate(("An", "Bình", "Chi"))]
        for driver in silent:
            await ward.silence(driver)
        await admin.poll()
        fake.promotion_quota = 0
        await send(police, title=TITLE, severity="urgent", body=BODY)
        await town.drain()
        await send(police, title="Lừa đảo qua điện thoại", severity="urgent", body=BODY)
        await town.drain()
        assert len(fake.calls("message/promotion")) == 1  # the first -211 stopped every promotion after it
        # (core strings are merged into the catalog separately: either language is accepted here)
        notices = [
            m["text"]
            for m in await admin.poll()
            if any(w in m["text"] for w in ("hết hạn mức", "out of quota"))
        ]
        assert len(notices) == 1 and any(w in notices[0] for w in ("truyền thông", "promotion messages"))
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            quota = await session.get(ZaloQuota, "promotion")
        assert quota is not None and quota.told_at is not None
        rows = [r for r in await ward.rows(kind="alert") if r.person_id != (await _person_of(town, "police"))]
        assert all(r.status == OutboxStatus.SKIPPED for r in rows if r.channel == "zalo_oa")
    finally:
        await close_ward(ward)


async def _person_of(town: Town, role: str) -> int | None:
    from models import RoleGrant

    async with town.app.db.session() as session:  # type: ignore[union-attr]
        grant = (await session.exec(select(RoleGrant).where(RoleGrant.role == role))).first()
    return grant.person_id if grant else None


async def test_a_gmf_group_is_linked_and_gets_the_weekly_digest(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    ward, fake = await open_ward(db_url, settings_for)
    try:
        town = ward.town
        leader = await ward.zalo("Hòa", "4410000000000000041", role="group_admin")
        fake.add_group("gmf-77")
        replies = await leader.say("/lienketnhom")
        code = next(line for r in replies for line in r.splitlines() if line.startswith("/lienketnhom "))
        event = fake.user_send_group_text(leader.user_id, "gmf-77", code)
        await leader.inject(event)
        (linked,) = fake.messages_to_group("gmf-77")
        assert "Tổ 3" in linked["text"]
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            chat = (await session.exec(select(LinkedChat))).one()
        assert chat.channel == "zalo_oa" and chat.chat_id == GROUP_PREFIX + "gmf-77"

        # A private command typed in the group is answered there with the OA's private chat link.
        await leader.inject(fake.user_send_group_text(leader.user_id, "gmf-77", "/togiac"))
        answer = fake.messages_to_group("gmf-77")[-1]["text"]
        assert f"https://zalo.me/{fake.oa_id}" in answer
        # Words that are not a command are not answered in a group.
        await leader.inject(fake.user_send_group_text(leader.user_id, "gmf-77", "chào cả tổ"))
        assert len(fake.messages_to_group("gmf-77")) == 2

        await send_ward(town.app, DEMO_WARD, clock.now())  # type: ignore[arg-type]
        await town.drain()
        digest = fake.messages_to_group("gmf-77")[-1]["text"]
        assert "Bản tin tuần" in digest and "bantin" not in digest  # no personal line in a group
    finally:
        await close_ward(ward)


async def test_the_fake_answers_with_the_documented_shapes_and_codes(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    ward, fake = await open_ward(db_url, settings_for)
    try:
        channel = ward.town.app.channels["zalo_oa"]  # type: ignore[union-attr]
        an = await ward.zalo("An", "4410000000000000051")
        many = Reply("Tiêu đề\nNội dung", tuple(Choice(f"Lựa chọn {i}", f"x:{i}") for i in range(7)))
        await channel.promote(an.user_id, many)
        message = fake.promotions_to(an.user_id)[-1]["attachment"]["payload"]
        assert len(message["buttons"]) == 4 and "5. Lựa chọn 4" in message["elements"][1]["content"]
        try:
            await channel.promote(an.user_id, Reply("Lần hai"))
            raise AssertionError("a second promotion the same day must be refused")
        except NotNow as refused:
            assert refused.seconds > 0 and "-240" in refused.reason
        fake.no_zalo_phones.add("84987654321")
        for phone, template, data, expected in (
            ("0912", URGENT_TEMPLATE, {"title": "x"}, Unreachable),  # -108
            ("84987654321", URGENT_TEMPLATE, {"title": "x"}, Unreachable),  # -118
            ("84912345678", "unknown", {}, Permanent),  # -132
            ("84912345678", URGENT_TEMPLATE, {}, Permanent),  # -218
        ):
            try:
                await channel.zns(phone, template, data, "t")
                raise AssertionError(f"{phone} {template} must fail")
            except expected:
                pass
        fake.zns_quota = 1
        _id, left = await channel.zns("84912345678", URGENT_TEMPLATE, {"title": "x"}, "t")
        assert left == 0
        try:
            await channel.zns("84912345678", URGENT_TEMPLATE, {"title": "x"}, "t")
            raise AssertionError("out of quota")
        except QuotaExhausted:
            pass

        group_event = fake.user_send_group_text("u1", "g9", "/trogiup")
        parsed = parse(group_event)
        assert parsed is not None and not isinstance(parsed, tuple)
        assert parsed.chat_type == ChatType.GROUP and parsed.chat_id == "group:g9"  # type: ignore[union-attr]
        assert parsed.kind == Kind.COMMAND and parsed.user_id == "u1"  # type: ignore[union-attr]
        group_event["recipient"] = {"conversation_id": "c5"}  # the other spelling some sources use
        assert parse(group_event).chat_id == "group:c5"  # type: ignore[union-attr]
    finally:
        await close_ward(ward)


async def test_zalo_bot_group_chat_is_handled_like_a_telegram_group(db_url: str, settings_for: Any) -> None:
    from tests.drivers import driver_town
    from tests.drivers.zalo_bot import ZaloBotDriver

    bot = ZaloBotDriver(user_id="zb-hoa", display_name="Hòa")
    async with driver_town(bot, settings_for, db_url):
        update = bot.fake.user_text("zb-hoa", "chào cả nhóm", chat_type="GROUP", chat_id="zb-group-1")
        await bot.settle(str(update["message"]["message_id"]))
        assert bot.fake.messages_to("zb-group-1") == []  # no onboarding, no menu: words in a group are left
        update = bot.fake.user_text("zb-hoa", "/togiac", chat_type="GROUP", chat_id="zb-group-1")
        await bot.settle(str(update["message"]["message_id"]))
        texts = [str(m.get("text")) for m in bot.fake.messages_to("zb-group-1")]
        assert len(texts) == 1 and "/togiac" in texts[0] and bot.fake.messages_to("zb-hoa") == []


async def test_the_zns_phone_and_the_delivery_trail_are_shown_and_erased(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    from handlers.linking import privacy
    from models.zalo import ZnsConsent

    ward, fake = await open_ward(db_url, settings_for)
    try:
        town = ward.town
        police = await town.join("Công an Hùng", role="police")
        binh = await ward.zalo("Bình", "4410000000000000061")
        assert any("không phải số di động" in r for r in await binh.say("/sdtzalo 12345"))
        await binh.say("/sdtzalo 0912 345 678")
        await ward.silence(binh)
        await ward.unfollow(binh)
        await send(police, title=TITLE, severity="urgent", body=BODY)
        await town.drain()
        assert len(fake.zns_to("84912345678")) == 1
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            identity = (
                await session.exec(
                    select(ChannelIdentity).where(ChannelIdentity.external_user_id == binh.user_id)
                )
            ).one()
            person = await session.get(Person, identity.person_id)
            assert person is not None
            shown = await privacy.export(session, person)
            assert "zns_phone_given_at" in shown and any(d["kind"] == "zns" for d in shown["deliveries"])  # type: ignore[attr-defined]
            assert "84912345678" not in str(shown)  # sealed: not even /toi repeats it in the clear
            await privacy.erase(session, person)
            await session.commit()
            assert await session.get(ZnsConsent, person.id) is None
            assert (
                await session.exec(select(DeliveryAttempt).where(DeliveryAttempt.person_id == person.id))
            ).all() == []
    finally:
        await close_ward(ward)
