"""Walk D: one family of Tổ 3, Khóm 2 (the demo ward), each on their own chat app, over a few weeks of January.

- bà Lan (68) on the Zalo Bot: types numbers and words, never a command;
- her son anh Hùng on Telegram, and on the web chat at his work, linked with /lienket;
- his wife chị Thảo on the Zalo OA;
- their daughter Vy (16) on the web chat, writing teencode.
Anh Tâm, the group leader (tổ trưởng, web chat), keeps the household list and confirms who belongs; Minh, of the
ward police (web chat), sends alerts and handles tips; the ward admin (web chat) opened the year's pledge campaign.

Each test named after a defect was written failing, against the defect its docstring names, before the fix; the
`test_ok_` ones record what worked.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.delivery.reach import PHONE_PURPOSE
from models import Household, Invite, Person
from models.pledges import HouseholdMember, PledgeSignature
from models.zalo import ZnsConsent
from tests.conftest import Town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.web import WebDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_alerts_steps import group_id, send
from tests.test_pledges import JANUARY, address_of, open_campaign
from tests.test_reports import at
from tests.test_tips import poll

JOIN_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
SO_121 = "Số 121,"  # the family's house in Tổ 3 (Số 121, đường Đốc Binh Vàng)
LAN_PHONE = "0912 345 678"


def said(replies: list[str] | list[dict[str, Any]]) -> str:
    return "\n".join(r if isinstance(r, str) else r["text"] for r in replies)


@dataclass
class Family:
    town: Town
    clock: Any
    admin: Any  # the ward admin (web)
    tam: Any  # the leader of Tổ 3 (web)
    minh: Any  # ward police (web)
    lan: ZaloBotDriver
    hung: TelegramDriver
    thao: ZaloOADriver
    link: str  # Tổ 3's join link

    async def web(self, name: str) -> WebDriver:
        """Someone opening the web chat (a browser of their own)."""
        driver = WebDriver(name)
        await driver.start(self.town)
        return driver


@pytest.fixture
async def family(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[Family]:
    """Monday 4 January 2027: the pledge campaign of 2027 is open, Tổ 3 has a leader and a join link, Minh of the
    ward police is on the web chat; the family has not joined yet. Pushes go out only through `town.drain()`."""
    manual_clock.set(JANUARY)
    lan = ZaloBotDriver(user_id="zb-ba-lan", display_name="Bà Lan")
    hung = TelegramDriver(user_id=5557001, first_name="Hùng")
    thao = ZaloOADriver(user_id="4410000000000000321")
    overrides: dict[str, Any] = {}
    for driver in (lan, hung, thao):
        overrides.update(await driver.serve())
    town = Town(
        settings_for(db_url, delivery_enabled=False, zalo_zns_urgent_alert_template="zns-urgent", **overrides)
    )
    try:
        await town.start()
        for driver in (lan, hung, thao):
            await driver.start(town)
        admin = await town.join("Chủ tịch", role="ward_admin")
        await open_campaign(admin)
        tam = await town.join("Tâm", role="group_admin")
        minh = await town.join("Công an Minh", role="police")
        link = await join_link(tam)
        yield Family(town, manual_clock, admin, tam, minh, lan, hung, thao, link)
    finally:
        await town.close()
        for driver in (lan, hung, thao):
            await driver.stop()


async def join_link(leader: Any) -> str:
    """/linknhom → a new link, the suggested days and people."""
    await leader.say("/linknhom")
    await leader.press("Tạo đường dẫn tham gia mới")
    await leader.press(leader.choices()[0])
    found = JOIN_CODE.search(said(await leader.press(leader.choices()[0])))
    assert found is not None
    return found.group(0)


async def joins(driver: Any, code: str) -> str:
    """Opens the group's link (types /thamgia on Zalo), chooses Vietnamese and agrees to the notice."""
    if isinstance(driver, ZaloBotDriver):
        await driver.say(f"/thamgia {code}")
        await driver.say("1")  # Tiếng Việt
        return said(await driver.say("1"))  # Tôi đồng ý
    await driver.say(f"/thamgia {code}" if isinstance(driver, ZaloOADriver) else f"/start {code}")
    await driver.press("Tiếng Việt")
    return said(await driver.press("Tôi đồng ý"))


async def asks_for_household(driver: Any, town: Town, name: str | None = None, start: str = SO_121) -> str:
    """/hocuatoi, the address typed as they know it, their household chosen (and their name, when asked)."""
    await driver.say("/hocuatoi")
    out = said(await driver.say((await address_of(town, start)).lower()))
    label = next(c for c in driver.choices() if start in c)
    out = said(await driver.press(label))
    if "họ tên" in out:
        assert name is not None, out
        out = said(await driver.say(name))
    return out


async def leader_confirms(town: Town, leader: Any, who: str) -> None:
    """The leader presses "Đúng, xác nhận" under the newest request from `who`."""
    await town.drain()
    pushed = await poll(leader)
    request = next(m for m in reversed(pushed) if m["text"].startswith(who) and m["choices"])
    await leader.press(request["choices"][0]["payload"])
    await town.drain()


async def lan_signs(lan: ZaloBotDriver) -> str:
    await lan.say("ký cam kết")  # her words, not /camket
    if "Tôi đã đọc" not in lan.choices():
        await lan.say("1")  # "Có phải anh/chị muốn…": the one offer
    await lan.say("1")  # Tôi đã đọc
    await lan.say("1")  # her household
    await lan.say("Nguyễn Thị Lan")
    return said(await lan.say("1"))  # Ký cam kết


async def household_joined(f: Family) -> None:
    """Everyone joins by Tổ 3's link and is confirmed in Số 121 (Vy on the web chat, given back)."""
    for driver, name in ((f.lan, "Bà Lan"), (f.hung, "Hùng"), (f.thao, "Nguyễn Thị Thảo")):
        await joins(driver, f.link)
        await asks_for_household(driver, f.town, name)
        await leader_confirms(f.town, f.tam, name)


async def rows(town: Town, model: Any, *where: Any) -> list[Any]:
    assert town.app is not None
    async with town.app.db.session() as session:
        return list((await session.exec(select(model).where(*where))).all())


def later(f: Family, minutes: int = 10) -> None:
    """Time passes between one person's turn and the next (the clock of the app moves only when told)."""
    f.clock.advance(timedelta(minutes=minutes))


async def links_to_121(town: Town) -> list[tuple[int, bool]]:
    """(person, confirmed) of every link to Số 121."""
    address = await address_of(town, SO_121)
    [house] = await rows(town, Household, Household.address == address)
    return [
        (m.person_id, m.confirmed_at is not None)
        for m in await rows(town, HouseholdMember, HouseholdMember.household_id == house.id)
    ]


async def link_uses(leader: Any) -> str:
    """How many people the leader's join link counts, as /linknhom shows it ("đã dùng 3/50")."""
    text = said(await leader.say("/linknhom"))
    found = re.search(r"đã dùng \d+/\d+", text)
    assert found is not None, text
    return found.group(0)


async def lan_in_then_hung_asks(f: Family) -> None:
    """Bà Lan joins and is confirmed in Số 121; ten minutes later anh Hùng joins on Telegram and asks for it."""
    await joins(f.lan, f.link)
    await asks_for_household(f.lan, f.town)
    await leader_confirms(f.town, f.tam, "Bà Lan")
    later(f)
    await joins(f.hung, f.link)
    await asks_for_household(f.hung, f.town)


# 1. Joining, finding the household, one signature for all -------------------------------------------------------
async def test_ok_the_family_joins_on_four_apps_and_one_signature_counts_once(family: Family) -> None:
    """Each joins by Tổ 3's link on their own app and finds Số 121 by typing the address; anh Tâm confirms each.
    Bà Lan signs by words and numbers; her son, his wife and Vy each open /camket on their app and are told it is
    signed, by whom and its code, never asked to sign a second time. Coverage counts the household once."""
    f = family
    assert "người dân của Tổ 3, Khóm 2" in await joins(f.lan, f.link)
    assert "Tổ trưởng sẽ xác nhận" in await asks_for_household(f.lan, f.town)  # Zalo gives her name
    await leader_confirms(f.town, f.tam, "Bà Lan")
    assert "Tổ trưởng đã xác nhận" in f.lan.sent()[-1]["text"]
    for driver, name in ((f.hung, "Hùng"), (f.thao, "Nguyễn Thị Thảo")):
        later(f)
        await joins(driver, f.link)
        await asks_for_household(driver, f.town, name)  # the OA gives no name: chị Thảo is asked hers
        await leader_confirms(f.town, f.tam, name)
    later(f)
    vy = await f.web("Vy")
    await joins(vy, f.link)
    await asks_for_household(vy, f.town, "Trần Ngọc Vy")
    await leader_confirms(f.town, f.tam, "Trần Ngọc Vy")

    later(f)
    signed = await lan_signs(f.lan)
    code = re.search(r"Mã xác minh: ([A-Z0-9]{4}-[A-Z0-9]{4})", signed)
    assert code is not None, signed
    for driver in (f.hung, f.thao, vy):
        text = said(await driver.say("/camket"))
        assert "đã ký" in text and "Nguyễn Thị Lan" in text and code.group(1) in text, (driver, text)
        assert "Tôi đã đọc" not in driver.choices()
    [signature] = await rows(f.town, PledgeSignature)
    assert signature.signer_name == "Nguyễn Thị Lan" and signature.withdrawn_at is None
    coverage = said(await f.tam.say("/baophu"))
    assert "1/27 hộ đã ký" in coverage, coverage
    await f.tam.say("/hogiadinh")
    listed = said(await f.tam.press("Xem danh sách"))
    assert "Trần Thị Hùng — 7 nhân khẩu, 4 người đã liên kết" in listed, listed[:300]


# 2. Anh Hùng on Telegram and on the web chat at work ---------------------------------------------------------------
async def test_hung_who_also_joined_on_the_web_at_work_is_one_person_on_the_link_after_linking(
    family: Family,
) -> None:
    """Anh Hùng joined on Telegram; at work he opened the group's link in the web chat too, as a second newcomer,
    and asked for Số 121 there under the same name: anh Tâm sees two requests from "Hùng", confirms one and
    declines the other. Then Hùng links the two apps (/lienket): one person, one confirmed link to Số 121.

    Defect: the join link went on counting him twice ("đã dùng 3/50" for two people), so a link made for a
    household's few people filled up with one person's chat apps (handlers/linking/merge.py: the join folded
    away gives its place back)."""
    f = family
    await lan_in_then_hung_asks(f)
    later(f, 60 * 8)  # at work, the next morning
    at_work = await f.web("Hùng ở cơ quan")
    await joins(at_work, f.link)
    await asks_for_household(at_work, f.town, "Hùng")
    await f.town.drain()
    pushed = await poll(f.tam)
    requests = [m for m in pushed if m["text"].startswith("Hùng xin được liên kết") and m["choices"]]
    assert len(requests) == 2, said(pushed)  # the same name twice: he cannot tell them apart
    await f.tam.press(requests[0]["choices"][0]["payload"])  # Đúng, xác nhận
    await f.tam.press(requests[1]["choices"][1]["payload"])  # Không: "the same man twice"
    assert await link_uses(f.tam) == "đã dùng 3/50"

    later(f)
    code = next(
        line for t in await f.hung.say("/lienket") for line in t.splitlines() if line.startswith("/lienket ")
    )
    linked = said(await at_work.say(code))
    assert "đã được liên kết" in linked and at_work.choices() == ["Ở đây (Web)", "Giữ Telegram"], linked
    assert len(await rows(f.town, Person, col(Person.display_name) == "Hùng")) == 1
    assert sorted(confirmed for _person, confirmed in await links_to_121(f.town)) == [True, True]
    assert await link_uses(f.tam) == "đã dùng 2/50"
    [invite] = await rows(f.town, Invite, col(Invite.max_uses).is_not(None))
    assert invite.uses == 2
    text = said(await at_work.say("/hocuatoi"))
    assert "Hộ của anh/chị: Số 121" in text and "Chờ tổ trưởng" not in text, text


async def test_an_old_confirm_button_of_a_declined_request_never_confirms_the_next_request(
    family: Family,
) -> None:
    """Anh Tâm declines a request to join Số 121 (a stranger's, he thinks: Hùng's, before Hùng told him), then chị
    Thảo asks for Số 121 too. Tâm scrolls up and presses "Đúng, xác nhận" under Hùng's old request.

    Defect (found on walk D): a declined request's row is deleted, and SQLite gives its number to the next
    request; the old button carried the number alone, so it confirmed Thảo, whom Tâm had never seen asking
    (handlers/pledges/buttons.py MemberDecision names the person who asked)."""
    f = family
    await lan_in_then_hung_asks(f)
    await f.town.drain()
    [hungs] = [
        m for m in await poll(f.tam) if m["text"].startswith("Hùng xin được liên kết") and m["choices"]
    ]
    await f.tam.press(hungs["choices"][1]["payload"])  # Không
    later(f)
    await joins(f.thao, f.link)
    await asks_for_household(f.thao, f.town, "Nguyễn Thị Thảo")
    await f.town.drain()
    [thaos] = [m for m in await poll(f.tam) if m["text"].startswith("Nguyễn Thị Thảo") and m["choices"]]
    text = said(await f.tam.press(hungs["choices"][0]["payload"]))  # Hùng's old "Đúng, xác nhận"
    assert "đã được trả lời hoặc đã thay đổi" in text and "/hogiadinh" in text, text
    assert sorted(confirmed for _person, confirmed in await links_to_121(f.town)) == [False, True]
    assert "Đã xác nhận" in said(await f.tam.press(thaos["choices"][0]["payload"]))
    assert sorted(confirmed for _person, confirmed in await links_to_121(f.town)) == [True, True]


def alerts_sent(texts: list[str]) -> list[str]:
    """The titles of the alerts among messages received, in alphabetical order (not the order sent)."""
    return sorted(t.splitlines()[1] for t in texts if t.startswith(("🔴", "🟠", "🔵")))


async def test_ok_each_alert_and_digest_reaches_hung_once_where_he_chose_and_lans_mute_spares_only_info(
    family: Family,
) -> None:
    """Linked, anh Hùng chooses the web chat for pushes. The police's urgent alert and information alert reach
    each of the family once: Hùng on the web chat and not on Telegram too; bà Lan, who turned information alerts
    off in words, gets the urgent one only. Monday's digest reaches him once, on the web chat; the police's reply
    to the tip he sent from Telegram comes back there, once."""
    f = family
    await household_joined(f)
    vy = await f.web("Vy")
    await joins(vy, f.link)
    code = next(
        line for t in await f.hung.say("/lienket") for line in t.splitlines() if line.startswith("/lienket ")
    )
    at_work = await f.web("Hùng ở cơ quan")
    await at_work.say(code)
    assert "qua Web" in said(await at_work.press("Ở đây (Web)"))
    assert "1. Tắt cảnh báo mức thông tin" in said(await f.lan.say("tắt thông tin"))
    muted = said(await f.lan.say("1"))
    assert "không nhận cảnh báo mức thông tin nữa" in muted, muted

    telegram_mark, lan_mark, thao_mark = len(f.hung.fake.requests), len(f.lan.sent()), len(f.thao.sent())
    for severity, title in (
        ("urgent", "Giả danh công an gọi điện đòi tiền"),
        ("info", "Lịch tiêm phòng dại"),
    ):
        await send(
            f.minh,
            title=title,
            body="Thưa bà con, xin lưu ý.",
            category="other",
            severity=severity,
        )
    await f.town.drain()
    both = ["Giả danh công an gọi điện đòi tiền", "Lịch tiêm phòng dại"]
    assert alerts_sent([m["text"] for m in await poll(at_work.browser)]) == both
    assert alerts_sent(f.hung.sent_since(telegram_mark)) == []
    assert alerts_sent([m["text"] for m in await poll(vy.browser)]) == both
    assert alerts_sent([str(m.get("text")) for m in f.thao.sent()[thao_mark:]]) == both
    assert alerts_sent([str(m.get("text")) for m in f.lan.sent()[lan_mark:]]) == both[:1]

    await at(f.town, f.clock, "2027-01-11T07:05:00")
    digests = [m["text"] for m in await poll(at_work.browser) if m["text"].startswith("Bản tin tuần")]
    assert len(digests) == 1 and [t for t in f.hung.sent_since(telegram_mark) if "Bản tin tuần" in t] == []

    # On the bus, on Telegram: an anonymous tip. The police's reply comes back to that chat, once.
    await f.hung.say("/togiac")
    await f.hung.press("Trộm cắp")
    await f.hung.say("Xe máy bị cắt khóa trước quán cà phê số 30")
    for label in ("Xong", "Tôi không nhớ", "Hôm nay", "Phường Cao Lãnh", "Ẩn danh", "Có, cho phép trả lời"):
        await f.hung.press(label)
    assert "Mã tiếp nhận" in said(await f.hung.press("Gửi cho công an"))
    await f.town.drain()
    await f.minh.say("/tinbao")
    await f.minh.press(next(c for c in f.minh.choices() if c.startswith("1 ·")))
    await f.minh.press("Trả lời người báo tin")
    await f.minh.say("Cảm ơn anh, tổ tuần tra sẽ để ý quán cà phê số 30.")
    telegram_mark = len(f.hung.fake.requests)
    await f.town.drain()
    replies = [t for t in f.hung.sent_since(telegram_mark) if "tổ tuần tra" in t]
    assert len(replies) == 1, f.hung.sent_since(telegram_mark)
    assert not [m for m in await poll(at_work.browser) if "tổ tuần tra" in m["text"]]


# 3. Bà Lan's phone number for Zalo notifications ------------------------------------------------------------------
async def test_ba_lan_types_her_number_under_the_zalo_phone_notice_and_it_is_kept_not_checked(
    family: Family,
) -> None:
    """Anh Hùng types /sdtzalo on his mother's phone (she never types commands); she reads the notice and types her
    number as she says it, with spaces, as its answer.

    Defect: the notice said "send /sdtzalo followed by your number", and her number typed alone was read as a
    stranger's number to check ("Tôi không tìm thấy thông tin nào…"): nothing was kept, and she was told about
    scams instead (handlers/linking/flows/zns.py: /sdtzalo alone asks for the number, and takes it typed). And /toi
    told her An Dân kept "records about linked group chats" (she linked none), never the number it keeps
    (handlers/linking/privacy.py: the feature says what it holds)."""
    f = family
    await joins(f.lan, f.link)
    assert "cảnh báo khẩn cấp" in said(await f.lan.say("/sdtzalo"))
    kept = said(await f.lan.say(LAN_PHONE))
    assert "Cảm ơn" in kept and "0••••••678" in kept and "không tìm thấy" not in kept, kept
    [consent] = await rows(f.town, ZnsConsent)
    assert (
        f.town.app is not None and f.town.app.keyring.unseal(PHONE_PURPOSE, consent.phone) == b"84912345678"
    )
    me = said(await f.lan.say("/toi"))
    assert "Số điện thoại anh/chị đưa để nhận thông báo Zalo" in me and "nhóm trò chuyện" not in me, me

    # A slip is asked again, politely; "xóa" under the notice erases it; a number sent with the command still works.
    await f.lan.say("/sdtzalo")
    assert "không phải số di động" in said(await f.lan.say("0912 345"))
    assert "đã được xóa" in said(await f.lan.say("xóa"))
    assert await rows(f.town, ZnsConsent) == []
    assert "0••••••678" in said(await f.lan.say(f"/sdtzalo {LAN_PHONE}"))


# 4. Chị Thảo's anonymous tip on the Zalo OA --------------------------------------------------------------------------
async def test_ok_thao_tips_off_anonymously_on_the_oa_and_the_polices_question_finds_her_there(
    family: Family,
) -> None:
    """Chị Thảo, joined and confirmed in Số 121, types what she saw; the tip goes anonymous. Minh asks a question;
    it reaches her on the OA, she answers; nothing Minh sees names her, her household or her Zalo account."""
    f = family
    await household_joined(f)
    await f.thao.say("có người lạ hay đứng ở đầu hẻm nhìn vào nhà người ta, tối nào cũng vậy")
    await f.thao.press("Báo tin cho công an")
    await f.thao.press("Tụ điểm phức tạp")
    await f.thao.press("Xong")
    await f.thao.say("đầu hẻm 121 Đốc Binh Vàng")
    for label in ("Nhiều lần, thường xuyên", "Phường Cao Lãnh", "Ẩn danh", "Có, cho phép trả lời"):
        await f.thao.press(label)
    assert "Mã tiếp nhận" in said(await f.thao.press("Gửi cho công an"))
    await f.town.drain()
    await f.minh.say("/tinbao")
    await f.minh.press(next(c for c in f.minh.choices() if c.startswith("1 ·")))
    await f.minh.press("Đề nghị cung cấp thêm")
    await f.minh.say("Chị thấy người đó mặc gì, đi xe gì?")
    mark = len(f.thao.sent())
    await f.town.drain()
    assert "mặc gì, đi xe gì" in said([str(m.get("text")) for m in f.thao.sent()[mark:]])
    assert "Đã gửi câu trả lời" in said(await f.thao.say("Áo khoác đen, xe wave đỏ"))
    await f.town.drain()
    await poll(f.minh)
    await f.minh.say("/tinbao")
    card = said(await f.minh.press(next(c for c in f.minh.choices() if c.startswith("1 ·"))))
    assert "Áo khoác đen" in card, card
    seen_by_police = f.minh.all_text()
    for marker in ("Thảo", f.thao.user_id, "Trần Thị Hùng", "Zalo"):
        assert marker not in seen_by_police, marker


# 5. The family moves to Tổ 5 ----------------------------------------------------------------------------------------
async def test_ok_the_family_moves_to_to_5_and_signs_there_while_to_3_keeps_its_record(
    family: Family,
) -> None:
    """Two weeks on, the family moves to Tổ 5. Its leader adds their new house; they join Tổ 5's link. Their links
    to Số 121 end (each is told so when they next open /camket or /hocuatoi), they ask for Số 88, and sign again
    there. Tổ 3 keeps Số 121's pledge on its record (1/27), Tổ 5 counts Số 88 once; Tổ 3's next alert no longer
    reaches them, Tổ 5's does."""
    f = family
    await household_joined(f)
    await lan_signs(f.lan)
    f.clock.advance(timedelta(days=14))
    bay = await f.town.join("Bảy", role="group_admin", group="Tổ 5")
    await bay.say("/hogiadinh")
    await bay.press("Thêm hộ")
    assert "Đã thêm" in said(await bay.say("Số 88 đường Nguyễn Thái Học; Trần Văn Hùng; 4"))
    await bay.press("Xong")
    link5 = await join_link(bay)
    for driver, name in ((f.lan, "Bà Lan"), (f.hung, "Hùng"), (f.thao, "Nguyễn Thị Thảo")):
        later(f)
        assert "người dân của Tổ 5" in said(await driver.say(f"/thamgia {link5}"))
        text = said(await driver.say("/hocuatoi"))
        assert "Số 121" in text and "đã chấm dứt" in text, text
        await driver.say("88 nguyen thai hoc")
        await driver.press(next(c for c in driver.choices() if "Số 88" in c))
        await leader_confirms(f.town, bay, name)
    assert await links_to_121(f.town) == []
    later(f)
    assert "Đã ký" in await lan_signs(f.lan)
    assert "1/27 hộ đã ký" in said(await f.tam.say("/baophu"))
    assert "1/28 hộ đã ký" in said(await bay.say("/baophu"))
    assert len(await rows(f.town, PledgeSignature)) == 2  # one per house, none lost, none doubled

    marks = (len(f.lan.sent()), len(f.thao.sent()), len(f.hung.fake.requests))
    for leader, group, title in (
        (f.tam, "Tổ 3", "Tổ 3 họp tối thứ bảy"),
        (bay, "Tổ 5", "Tổ 5 họp tối chủ nhật"),
    ):
        scope = (f"scope:g:{await group_id(f.town, 'Khóm 2', group)}",)
        await send(
            leader,
            title=title,
            body="Mời bà con đến dự.",
            category="other",
            severity="important",
            scope=scope,
        )
    await f.town.drain()
    assert alerts_sent([str(m.get("text")) for m in f.lan.sent()[marks[0] :]]) == ["Tổ 5 họp tối chủ nhật"]
    assert alerts_sent([str(m.get("text")) for m in f.thao.sent()[marks[1] :]]) == ["Tổ 5 họp tối chủ nhật"]
    assert alerts_sent(f.hung.sent_since(marks[2])) == ["Tổ 5 họp tối chủ nhật"]


# 6. Vy erases her data ----------------------------------------------------------------------------------------------
async def test_ok_vy_erases_her_data_and_the_household_its_pledge_and_her_family_stay(family: Family) -> None:
    """Vy, confirmed in Số 121 after her grandmother signed, asks /xoadulieu and agrees. Her link goes from the
    leader's list (4 linked → 3), the household's pledge, signed by bà Lan, still counts, nobody else is told
    anything; she can join again by the same link, as a newcomer who asks for her household anew."""
    f = family
    await household_joined(f)
    vy = await f.web("Vy")
    await joins(vy, f.link)
    later(f)
    await asks_for_household(vy, f.town, "Trần Ngọc Vy")
    await leader_confirms(f.town, f.tam, "Trần Ngọc Vy")
    await lan_signs(f.lan)
    assert len(await links_to_121(f.town)) == 4
    marks = (len(f.lan.sent()), len(f.thao.sent()))

    later(f)
    await vy.say("/xoadulieu")
    erased = said(await vy.press("Có, xóa dữ liệu của tôi"))
    assert "đã được xóa" in erased and "Số 121" in erased, erased  # her copy names her household
    await f.town.drain()
    assert len(await links_to_121(f.town)) == 3
    assert "1/27 hộ đã ký" in said(await f.tam.say("/baophu"))
    await f.tam.say("/hogiadinh")
    assert "Trần Thị Hùng — 7 nhân khẩu, 3 người đã liên kết" in said(await f.tam.press("Xem danh sách"))
    assert f.lan.sent()[marks[0] :] == [] and f.thao.sent()[marks[1] :] == []
    assert await rows(f.town, Person, col(Person.display_name) == "Trần Ngọc Vy") == []

    later(f)
    again = await f.web("Vy lần nữa")
    assert "người dân của Tổ 3" in await joins(again, f.link)
    text = said(await again.say("/camket"))
    assert "Nguyễn Thị Lan" not in text and "liên kết với hộ" in text, text  # not hers until confirmed again
