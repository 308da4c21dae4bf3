"""Walk P on Telegram: a week of Minh, the ward police officer (cảnh sát khu vực) of Phường Cao Lãnh, at the desktop
Telegram of the ward office, where he presses buttons. Residents send tips the way people do: anonymous, a tip typed
in words and carried into the form, a photo without a caption, a location. A second officer (Hùng, on the web chat)
works the same tips; a group leader misses the Friday report.

Each test was written failing, against the defects its docstring names, before the fix (handlers/tips,
handlers/reports, handlers/cameras).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from PIL import Image

from models import OutboxMessage, Tip
from models.cameras import Camera
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.fakes import FakeTelegram
from tests.test_cameras import register
from tests.test_people_do import rows
from tests.test_reports import at, quiet_week_reported
from tests.test_tips import CODE, photo_with_exif, poll, quick_tip, texts
from tests.test_tips_rewards import CLAIM

MONDAY = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
# What Telegram tells the bot about the tipster: none of it may ever reach an officer.
TIPSTER_ID = 7770077
TIPSTER_NAME = "Lan Canary"
TIPSTER_HANDLE = "lan_canary_77"
MARKERS = (TIPSTER_NAME, "Canary", TIPSTER_HANDLE, str(TIPSTER_ID))
WORDS = "có người bán ma túy ở hẻm 5"
HEM_5 = (10.4551, 105.6332)  # a point in Phường Cao Lãnh


def said(replies: list[str] | list[dict[str, Any]]) -> str:
    return texts([{"text": r} if isinstance(r, str) else r for r in replies])


@pytest.fixture
async def desk(
    db_url: str, settings_for: Any, manual_clock: Any
) -> AsyncIterator[tuple[Any, TelegramDriver, TelegramDriver]]:
    """The demo ward with one Telegram bot: Minh, police of the ward (joined), and a resident's account not set up
    yet (Lan), whose first name and username carry the markers. Pushes go out only through `town.drain()`."""
    manual_clock.set(MONDAY)
    fake = FakeTelegram()
    minh = TelegramDriver(user_id=8880001, first_name="Minh", fake=fake)
    lan = TelegramDriver(user_id=TIPSTER_ID, first_name=TIPSTER_NAME, fake=fake)
    # One bot, two people: the second driver's updates are marked done by the first's hook (PTB runs one handler
    # of a group per update).
    lan._done, lan._changed = minh._done, minh._changed
    fake._user(TIPSTER_ID, TIPSTER_NAME, TIPSTER_HANDLE)
    await fake.start()
    try:
        async with driver_town(minh, settings_for, db_url, delivery_enabled=False) as town:
            await lan.start(town)
            code = await town.invite("police", None, None)
            await minh.say(f"/start {code}")
            await minh.press("Tiếng Việt")
            assert "cán bộ công an" in said(await minh.press("Tôi đồng ý"))
            yield town, minh, lan
    finally:
        await fake.stop()


async def resident_joins(town: Any, person: TelegramDriver) -> None:
    code = await town.invite("resident")
    await person.say(f"/start {code}")
    await person.press("Tiếng Việt")
    assert "Chào mừng" in said(await person.press("Tôi đồng ý"))


async def drain_to(town: Any, person: TelegramDriver) -> list[str]:
    """Deliver what is due; what reached this Telegram chat."""
    mark = len(person.fake.requests)
    await town.drain()
    return person.sent_since(mark)


def everything_sent_to(fake: FakeTelegram, chat_id: int) -> str:
    """Every text, caption, file name and file byte the bot sent to this chat, as one string."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, bytes):
            found.append(value.decode("latin-1"))
        elif value is not None:
            found.append(str(value))

    for request in fake.requests:
        if request.ok and str(request.params.get("chat_id")) == str(chat_id):
            walk(request.params)
    return "\n".join(found)


def photos_sent_to(fake: FakeTelegram, chat_id: int) -> list[bytes]:
    return [
        r.params["photo"]["data"]
        for r in fake.requests
        if r.ok
        and r.method == "sendPhoto"
        and str(r.params.get("chat_id")) == str(chat_id)
        and isinstance(r.params.get("photo"), dict)
    ]


def card_buttons(officer: TelegramDriver, number: int) -> tuple[int, dict[str, str]]:
    """The tip card on screen (newest first): its message id and its buttons' callback data by label."""
    for message_id, buttons in officer._keyboards():
        if any(str(b.get("callback_data", "")).endswith(f":{number}") for b in buttons):
            return message_id, {b["text"]: b["callback_data"] for b in buttons}
    raise AssertionError(f"no card of tip {number} on screen")


async def press_old(officer: TelegramDriver, card: tuple[int, dict[str, str]], label: str) -> list[str]:
    """Press a button of a card shown earlier (Telegram keeps it on screen until that card is pressed)."""
    message_id, buttons = card
    data = buttons[label]
    return await officer.inject(lambda: officer.fake.user_press(officer.user_id, data, message_id))


# 1. A tip as Lan sends it, handled by Minh to the end --------------------------------------------------------------
async def test_a_tip_typed_in_words_with_a_bare_photo_is_handled_to_the_end_and_never_says_who_sent_it(
    desk: tuple[Any, TelegramDriver, TelegramDriver],
) -> None:
    """Lan types "có người bán ma túy ở hẻm 5", presses the offer, sends a photo without a caption and her location;
    Minh opens the new tips in words, acknowledges, asks a follow-up (answered by a photo and words), replies and
    closes the tip with its result. Her name, username, Telegram id and the photo's EXIF never reach him.

    Defects: (1) "xem tin báo mới" from Minh was answered "Có phải anh/chị muốn làm việc này?" and, pressed, the list
    of every open tip: the "new" he asked for was lost (handlers/tips/intents.toml, flows/police.py). (2) Lan
    answered the question with a photo, then typed what it shows: her words were answered with 113/114/115 and a
    new tip, and never reached Minh (handlers/tips/flows/answer.py)."""
    town, minh, lan = desk
    await resident_joins(town, lan)
    assert "Báo tin cho công an" in said(await lan.say(WORDS)) or "Báo tin cho công an" in lan.choices()
    await lan.press("Báo tin cho công an")
    await lan.send_photo(photo_with_exif(artist=TIPSTER_NAME))
    await lan.inject(lambda: lan.fake.user_location(TIPSTER_ID, *HEM_5))
    described = said(await lan.press("Ma túy"))
    assert WORDS in described and "1 tệp" in described, described
    await lan.press("Xong")
    await lan.press("Bỏ qua")
    await lan.press("Nhiều lần, thường xuyên")
    await lan.press("Phường Cao Lãnh")
    await lan.press("Ẩn danh")
    summary = said(await lan.press("Có, cho phép trả lời"))
    assert WORDS in summary and "Tệp: 1" in summary and "đã gửi vị trí" in summary, summary
    receipt = CODE.search(said(await lan.press("Gửi cho công an")))
    assert receipt, "no receipt code"
    [tip] = await rows(town, Tip)
    assert tip.anonymous and tip.person_id is None and tip.text == WORDS

    assert "Tin báo mới số 1" in said(await drain_to(town, minh))
    listed = said(await minh.say("xem tin báo mới"))
    assert "Tin báo (Mới): 1 tin" in listed, listed
    assert minh.choices()[0] == "1 · Ma túy · mới", minh.choices()
    card = said(await minh.press("1 · Ma túy · mới"))
    assert WORDS in card and "10.45510" in card and "đã xóa siêu dữ liệu" in card, card
    [photo] = photos_sent_to(minh.fake, minh.user_id)
    assert not Image.open(io.BytesIO(photo)).getexif(), "the photo reached the officer with its EXIF"

    assert "Người báo tin sẽ nhận được" in said(await minh.press("Xác nhận tiếp nhận"))
    assert "Thông báo tiếp nhận" in said(await drain_to(town, lan))
    await minh.press("Đề nghị cung cấp thêm")
    await minh.say("Chị thấy người bán đứng đầu hẻm hay cuối hẻm? Thường mấy giờ?")
    question = said(await drain_to(town, lan))
    assert "đầu hẻm hay cuối hẻm" in question and "Trả lời" in lan.choices(), question
    await lan.send_photo(photo_with_exif(artist=TIPSTER_NAME, camera="CanaryPhone"))
    added = said(await lan.say("Cuối hẻm, khoảng 9 giờ tối, đi xe wave xanh"))
    assert "Đã gửi câu trả lời" in added and "113" not in added, added
    assert "bổ sung" in said(await drain_to(town, minh))
    await minh.say("/tinbao")
    card = said(await minh.press("1 · Ma túy · đã tiếp nhận"))
    assert "Người báo tin: Cuối hẻm, khoảng 9 giờ tối" in card, card

    await minh.press("Trả lời người báo tin")
    await minh.say("Cảm ơn chị, tổ tuần tra sẽ để ý hẻm 5 buổi tối.")
    assert "tổ tuần tra" in said(await drain_to(town, lan))
    await minh.say("/tinbao")
    await minh.press("1 · Ma túy · đã tiếp nhận")
    await minh.press("Đổi tình trạng")
    asked = said(await minh.press("đã giải quyết"))
    assert "Vì sao" in asked, asked
    closed = said(await minh.say("Đã bắt quả tang 2 đối tượng, lập hồ sơ chuyển Công an tỉnh."))
    assert "đã giải quyết" in closed and "Người báo tin sẽ nhận được" in closed, closed
    assert "đã được xử lý: đã giải quyết" in said(await drain_to(town, lan))

    seen = everything_sent_to(minh.fake, minh.user_id)
    assert WORDS in seen  # the search below looks where the tip's words did arrive
    for marker in MARKERS:
        assert marker not in seen, f"{marker!r} reached the officer"
    for photo in photos_sent_to(minh.fake, minh.user_id):
        assert not Image.open(io.BytesIO(photo)).getexif()


# 2. Two officers, one tip --------------------------------------------------------------------------------------
async def test_two_officers_on_one_tip_old_buttons_and_the_same_moment(
    desk: tuple[Any, TelegramDriver, TelegramDriver],
) -> None:
    """Minh keeps a tip's card on his screen while Hùng (web chat) closes the tip; later both press the same tip's
    buttons at the same moment.

    Defects: (1) "/tinbao mới" listed every open tip under "Đang xử lý": only "moi" without accents was read.
    (2) the old card's "Trả lời người báo tin" on the closed tip asked for the reply, and only once Minh had typed
    it said the tip was closed; "Phân công" offered to assign the closed tip. (3) both officers pressing "Xác nhận
    tiếp nhận" at once: one of them got no answer at all (SQLite) or an HTTP 500 (PostgreSQL), a duplicate notice
    key. (4) both closing at once: each was told the tip now had his status; the tip kept one officer's outcome
    while the tipster was told the other's."""
    town, minh, _lan = desk
    hung = await town.join("Hùng", role="police")
    binh = await town.join("Bình")
    await quick_tip(binh)
    await quick_tip(binh, "Nhóm thanh niên đánh bạc ở quán cà phê số 7 mỗi tối.", "gambling")
    await quick_tip(binh, "Xe tải chở gỗ lậu đậu ở bãi đất trống cuối đường 30/4.", "other")
    await town.drain()
    await poll(hung)
    await poll(binh)
    await minh.say("/tinbao")
    await minh.press("1 · Ma túy · mới")
    [_t1, _t2, _t3] = await rows(town, Tip)
    await hung.press("tipp:open:1")
    await hung.press("tipp:ack:1")
    await minh.say("/tinbao")
    await minh.press("1 · Ma túy · đã tiếp nhận")
    listed = said(await minh.say("/tinbao mới"))
    assert "Tin báo (Mới): 2 tin" in listed and "1 · Ma túy" not in " ".join(minh.choices()), (
        listed,
        minh.choices(),
    )

    # The card of tip 1 stays on Minh's screen; Hùng closes the tip meanwhile.
    await minh.say("/tinbao")
    await minh.press("1 · Ma túy · đã tiếp nhận")
    card = card_buttons(minh, 1)
    await hung.press("tipp:status:1")
    await hung.press("tipp:st:1:resolved")
    await hung.say("Đã kiểm tra, bắt quả tang, lập biên bản.")
    # Each button as on another card of the tip left on screen (pressing one takes that card's buttons away).
    for label in ("Trả lời người báo tin", "Đề nghị cung cấp thêm", "Phân công", "Đổi tình trạng"):
        answer = said(await press_old(minh, card, label))
        assert "đã đóng" in answer and "đã giải quyết" in answer, (label, answer)
        assert "Nhập" not in answer and "Phân công tin báo số 1 cho" not in answer, (label, answer)
    typed = said(await minh.say("Cảm ơn anh chị đã báo tin"))
    assert "Đã lưu vào tin báo" not in typed, typed

    # Tip 2: both acknowledge at once; the tipster gets one notice, each officer an answer.
    await minh.say("/tinbao")
    await minh.press("2 · Cờ bạc · mới")
    await hung.press("tipp:open:2")
    theirs, mine = await asyncio.gather(hung.press("tipp:ack:2"), minh.press("Xác nhận tiếp nhận"))
    answers = [said(theirs), said(mine)]
    assert sum("Đã xác nhận tiếp nhận tin báo số 2" in a for a in answers) == 1, answers
    assert sum("đã được xác nhận tiếp nhận" in a for a in answers) == 1, answers
    notices = [m for m in await rows(town, OutboxMessage) if m.dedupe_key == "tip:2:ack"]
    assert len(notices) == 1

    # Tip 3: both close it at once, with different outcomes: one stands, the other is told and given his words.
    await minh.say("/tinbao")
    await minh.press("3 · Việc khác · mới")
    await minh.press("Đổi tình trạng")
    await minh.press("đã chuyển cơ quan có thẩm quyền")
    await hung.press("tipp:open:3")
    await hung.press("tipp:status:3")
    await hung.press("tipp:st:3:dismissed")
    mine, theirs = await asyncio.gather(
        minh.say("Chuyển Hạt kiểm lâm xử lý gỗ lậu."), hung.say("Xe đã rời đi, không còn dấu vết.")
    )
    answers = [said(mine), said(theirs)]
    [won] = [a for a in answers if "Tin báo số 3 hiện:" in a]
    [lost] = [a for a in answers if "đóng trong lúc anh/chị nhập" in a]
    [tip3] = [t for t in await rows(town, Tip) if t.id == 3]
    assert ("Hạt kiểm lâm" in lost) == (tip3.status == "dismissed"), (answers, tip3.status)
    await town.drain()
    told = said(await poll(binh))
    assert told.count("Tin báo số 3") == 1, told
    assert ("đã chuyển" in told) == (tip3.status == "transferred"), (told, tip3.status)


# 3. The week's desk work: the reports, a ward-wide warning, a reward, footage ------------------------------------
async def test_the_weeks_desk_work_reports_a_warning_a_reward_and_footage(
    desk: tuple[Any, TelegramDriver, TelegramDriver], manual_clock: Any
) -> None:
    """Bảo (leader of Tổ 4) misses Friday's report; on Saturday Minh sees who has not reported, warns the whole ward
    and follows who read it, pays a reward against its claim code and asks a camera owner for footage.

    Defects: (1) /xembaocao listed the first 30 of the 39 groups that had not reported, Tổ 4 (whose leader missed
    it) among 38 groups that have no leader, and "… và 9 mục khác" out of reach (handlers/reports/flows/police.py).
    (2) /xincamera found no camera within 50 m and said "Thử khoảng cách lớn hơn với /xincamera": Minh gave the place
    and the time all over again (handlers/cameras/flows/request.py)."""
    town, minh, _lan = desk
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    an = await town.join("An")
    chi = await town.join("Chi", group="Tổ 4")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await at(town, manual_clock, "2026-11-27T10:00:00")
    await quiet_week_reported(tam)
    mark = len(minh.fake.requests)
    await at(town, manual_clock, "2026-11-27T17:05:00")
    assert "Tổ 4, Khóm 2" in said(minh.sent_since(mark))

    await at(town, manual_clock, "2026-11-28T08:00:00")
    await minh.say("/xembaocao")
    overview = said(await minh.press("Kỳ kết thúc 27/11/2026"))
    assert "1/40 tổ đã gửi" in overview and "mục khác" not in overview, overview
    led, unled = overview.split("chưa có tổ trưởng")
    assert "• Tổ 4, Khóm 2" in led and "Khóm 1" not in led, overview
    assert "38 tổ" in led and "• Khóm 4: Tổ 1, Tổ 2, Tổ 3, Tổ 4, Tổ 5, Tổ 6" in unled, overview
    assert "Khóm 2: Tổ 1, Tổ 2, Tổ 5," in unled, overview  # Tổ 3 reported, Tổ 4 is above
    assert minh.choices()[0] == "Tổ 3, Khóm 2", minh.choices()

    # A ward-wide warning, and who read it.
    await minh.say("/soancanhbao")
    await minh.press("Lừa đảo qua mạng, điện thoại")
    await minh.press("Cảnh báo quan trọng")
    await minh.say("Gọi điện giả danh công an đòi chuyển tiền")
    await minh.say("Công an không gọi điện bắt chuyển tiền. Bà con tắt máy, báo công an phường.")
    for label in ("Không có ảnh", "Không có liên kết", "Chưa biết", "Toàn phường", "Gửi ngay"):
        await minh.press(label)
    assert "Đã gửi đến" in said(await minh.press("Gửi"))
    await town.drain()
    [alert] = [m for m in await poll(an) if any(c["payload"].startswith("ack:") for c in m["choices"])]
    assert "giả danh công an" in alert["text"] and "giả danh công an" in texts(await poll(chi))
    await an.press(next(c["payload"] for c in alert["choices"] if c["payload"].startswith("ack:")))
    followed = said(await minh.say("/canhbao"))
    assert "giả danh công an" in followed and "đã đọc 1" in followed, followed

    # A reward paid against its claim code, typed as the person shows it.
    receipt = await quick_tip(an)
    await town.drain()
    await minh.say("/tinbao")
    await minh.press("1 · Ma túy · mới")
    await minh.press("Tin có giá trị, khen thưởng")
    await minh.press("Ghi quyết định khen thưởng")
    await minh.say("2 triệu")
    await minh.say("15/QĐ-CAP")
    assert "2.000.000 đồng" in said(await minh.press("Hôm nay"))
    await minh.press("Lưu")
    await an.say(f"/tracuu {receipt}")
    await an.press("trwt:open")
    await an.press("trwt:way:code")
    found = CLAIM.search(texts(await an.press("trwt:show:yes")))
    assert found, "no claim code"
    await minh.say("/nhanthuong")
    valid = said(await minh.say(found.group(0).lower().replace("-", " ")))
    assert "hợp lệ" in valid and "2.000.000 đồng" in valid, valid
    assert "đã được nhận" in said(await minh.press("Đã trao"))
    assert "đã được sử dụng" in said(await minh.say(f"/nhanthuong {found.group(0)}"))

    # Footage: nothing within 50 m; a larger distance keeps the place and the time.
    await register(chi, (10.4564, 105.6332), "Cổng nhà quay ra hẻm 5")  # about 145 m from the place
    await minh.say("/xincamera")
    await minh.inject(lambda: minh.fake.user_location(minh.user_id, *HEM_5))
    await minh.press("50 m")
    none_near = said(await minh.press("3 giờ vừa qua"))
    assert "/xincamera" not in none_near and minh.choices() == ["100 m", "200 m", "500 m"], (
        none_near,
        minh.choices(),
    )
    listed = said(await minh.press("200 m"))
    assert "Camera 1 — 144 m" in listed, listed
    await minh.press(minh.choices()[0])
    await minh.press("Tiếp tục với 1 chủ camera")
    await minh.say("Có vụ trộm xe máy gần đầu hẻm 5 tối qua")
    assert "đã được gửi tới 1 chủ camera" in said(await minh.press("Gửi"))
    await town.drain()
    asked = texts(await poll(chi))
    assert "trộm xe máy gần đầu hẻm 5" in asked and "Ma túy" not in asked, asked
    [camera] = await rows(town, Camera)
    assert camera.owner_person_id is not None
