"""Residents' side: the scam check (/kiemtra) and the list of recent alerts, searchable without accents."""

from __future__ import annotations

from datetime import timedelta

from handlers.alerts.identifiers import accounts_in, domains_in, phones_in
from tests.test_alerts_steps import latest_alert, send


def test_identifiers_are_normalised_however_they_are_written() -> None:
    for written in ("0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "gọi 0912345678 ngay"):
        assert phones_in(written) == ["+84912345678"], written
    assert domains_in("vào https://www.Vay-Nhanh.vn/dang-ky?ref=1 hoặc zalo.me/abc") == [
        "vay-nhanh.vn",
        "zalo.me",
    ]
    assert accounts_in("STK 1903 5555 7777 Techcombank, gọi 0912 345 678") == ["190355557777"]
    # Place names and sums of money are not links or accounts.
    assert domains_in("Công an P.Cao Lãnh, TP.HCM, thư gửi a@gmail.com") == []
    assert accounts_in("chuyển 50.000.000 đồng trước ngày 23/11/2026") == []


async def test_scam_check_finds_an_earlier_alert_by_phone_link_words_and_code(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 7")
    await send(
        police,
        title="Giả danh công an yêu cầu chuyển tiền",
        body="Đối tượng gọi điện xưng là công an phường, đe dọa và yêu cầu chuyển tiền để “xác minh”.",
        watch="+84912345678\nhttps://www.vay-nhanh.vn\nSTK 1903 5555 7777",
    )
    await town.drain()  # pushes settle before Lan types (see deliver)
    code = (await latest_alert(town)).verification_code
    assert code

    replies = await lan.say("/kiemtra Có người gọi từ số 0912 345 678 bảo tôi là nghi phạm")
    text = lan.all_text(replies)
    assert "Giả danh công an yêu cầu chuyển tiền" in text and "+84912345678" in text

    await lan.say("/kiemtra")
    await town.restart()
    replies = await lan.say("Vay tiền nhanh không cần thế chấp tại vay-nhanh.vn/dang-ky")
    assert "Giả danh công an yêu cầu chuyển tiền" in lan.all_text(replies)

    replies = await lan.say("/kiemtra chuyen khoan vao stk 190355557777")
    assert "Giả danh công an" in lan.all_text(replies)

    replies = await lan.say("/kiemtra bên công an phường gọi yêu cầu chuyen tien gấp")  # words, accents mixed
    assert "Giả danh công an" in lan.all_text(replies)

    replies = await lan.say(f"/kiemtra {code.lower()}")
    assert "✅" in lan.all_text(replies) and "Giả danh công an" in lan.all_text(replies)
    replies = await lan.say("/kiemtra Công an phường thông báo, mã xác minh: QQQQQQ. Chuyển tiền ngay.")
    assert "❌" in lan.all_text(replies) and "QQQQQQ" in lan.all_text(replies)

    replies = await lan.say("/kiemtra Số 0987 654 321 nhắn tin trúng thưởng xe máy")
    text = lan.all_text(replies)
    assert "Giả danh công an" not in text and "113" in text and "OTP" in text


async def test_residents_list_recent_alerts_newest_first_and_search_without_accents(
    town, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    outsider = await town.join("Hoa", area="Khóm 1", group="Tổ 1")
    replies = await lan.say("/canhbao")
    assert "chưa có" in lan.all_text(replies) or "no alerts" in lan.all_text(replies)
    await send(
        police,
        title="Trộm cắp xe đạp điện",
        body="Nhiều vụ trộm xe đạp điện trước cửa nhà.",
        category="theft",
        severity="important",
        scope=("scope:areas", "Khóm 2", "area:done"),
    )
    await town.drain()
    manual_clock.advance(timedelta(hours=1))
    await send(police, title="Lừa đảo mã OTP", body="Không đọc mã OTP cho bất kỳ ai qua điện thoại.")
    await town.drain()
    text = lan.all_text(await lan.say("/canhbao"))
    assert text.index("Lừa đảo mã OTP") < text.index("Trộm cắp xe đạp điện")
    found = lan.all_text(await lan.say("/canhbao trom cap"))
    assert "Trộm cắp xe đạp điện" in found and "Lừa đảo mã OTP" not in found
    elsewhere = outsider.all_text(await outsider.say("/canhbao"))
    assert "Lừa đảo mã OTP" in elsewhere and "Trộm cắp" not in elsewhere  # Khóm 1 was not targeted
