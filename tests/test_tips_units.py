"""The small pieces tips rely on: metadata stripping, emergency words, dates as Vietnamese write them, phone
numbers, working days around public holidays, and receipt codes."""

from __future__ import annotations

import io
from datetime import date, datetime

from PIL import Image, PngImagePlugin

from bot import clock
from bot.cleaning import images
from bot.security import Keyring
from handlers.tips.clocks import add_working_days, decision_due, latest_extension, receipt_due, transfer_due
from handlers.tips.flows.report import is_emergency
from handlers.tips.store import RISK_UNCLEANED, Refused, bucket_of, indicators, keep_file, normalize_phone
from handlers.tips.when import parse_day, typed_when
from tests.test_tips import photo_with_exif


def test_photo_metadata_is_removed_and_the_picture_kept() -> None:
    original = photo_with_exif(artist="Lê Văn Tèo", camera="SecretPhone")
    stripped = images.clean(original, 50_000_000)  # what a cleaning worker runs
    assert stripped is not None and stripped.ok
    data, mime = stripped.data, stripped.mime_type
    assert mime == "image/jpeg" and b"SecretPhone" not in data and "Tèo".encode() not in data
    clean = Image.open(io.BytesIO(data))
    assert not clean.getexif() and clean.size == (64, 48) and "icc_profile" not in clean.info


def test_png_text_chunks_and_transparency() -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyễn Văn A")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    stripped = images.clean(out.getvalue(), 50_000_000)
    assert stripped is not None
    data, mime = stripped.data, stripped.mime_type
    assert mime == "image/png" and b"Author" not in data and Image.open(io.BytesIO(data)).mode == "RGBA"


def test_not_an_image() -> None:
    assert images.clean(b"%PDF-1.4 not an image", 50_000_000) is None


def test_emergency_words_without_accents_and_in_english() -> None:
    assert is_emergency("Nhà bên cạnh ĐANG CHÁY!")
    assert is_emergency("nha ben canh dang chay")
    assert is_emergency("someone is bleeding on the street")
    assert not is_emergency(
        "Có người chạy xe lạng lách mỗi tối"
    )  # "chạy" (to ride) is not "cháy" (fire) in context
    assert not is_emergency("Tụ tập đánh bạc ở quán cà phê")


def test_dates_as_people_type_them() -> None:
    previous = clock.install(clock.ManualClock(datetime.fromisoformat("2026-11-23T02:00:00+00:00")))
    try:
        assert parse_day("20/11") == date(2026, 11, 20)
        assert parse_day("20-11-2026") == date(2026, 11, 20)
        assert parse_day("5.1.26") == date(2026, 1, 5)
        assert parse_day("25/12") == date(2025, 12, 25)  # without a year, a day still to come means last year
        assert parse_day("hôm qua") == date(2026, 11, 22)
        assert parse_day("31/2") is None and parse_day("mai") is None
        assert parse_day("toi qua") == parse_day("last night") == date(2026, 11, 22)
        # Only a day alone: a story is no decision's date.
        assert parse_day("tối qua tui thấy tụi nó") is None
    finally:
        clock.install(previous)


def test_when_it_happened_typed_instead_of_pressed() -> None:
    # 23/11 09:00 in Vietnam. A habit said with a time is a habit; "lúc này" (now) and "lúc nãy" (a moment ago)
    # fold alike, so typed without accents neither is guessed.
    previous = clock.install(clock.ManualClock(datetime.fromisoformat("2026-11-23T02:00:00+00:00")))
    try:
        assert typed_when("tối nào cũng vậy, tối nay cũng có") == "often"
        assert typed_when("moi dem tu 10h") == typed_when("every night") == "often"
        assert typed_when("bây giờ luôn") == typed_when("dang xay ra") == typed_when("right now") == "now"
        assert typed_when("sáng nay") == typed_when("hoi chieu") == typed_when("vừa xong") == "today"
        assert typed_when("tối qua lúc 10 giờ") == date(2026, 11, 22)
        assert typed_when("hom kia") == date(2026, 11, 21)
        assert typed_when("tuần trước") == typed_when("lau roi") == "earlier"
        assert typed_when("luc nay") is None and typed_when("không biết nữa") is None
        assert typed_when("hôm nay là ngày mấy?") is None
    finally:
        clock.install(previous)


def test_phone_numbers_and_indicators() -> None:
    assert normalize_phone("0912 345 678") == "+84912345678"
    assert normalize_phone("+84 912.345.678") == "+84912345678"
    assert normalize_phone("123") is None
    assert indicators("gọi 0912345678, vào https://www.vay-nhanh.vn/x, mail a@b.com") == [
        "+84912345678",
        "vay-nhanh.vn",
    ]


def test_working_days_skip_weekends_and_vietnamese_holidays() -> None:
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 27)  # 24/11 is Vietnam Cultural Day
    assert add_working_days(date(2026, 8, 28), 3) == date(2026, 9, 7)  # 31/8, 1/9 and 2/9 are holidays
    monday = datetime.fromisoformat("2026-11-23T02:00:00+00:00")
    assert receipt_due(monday).isoformat() == "2026-11-27T16:59:59+00:00"
    assert decision_due(monday).isoformat() == "2026-12-13T16:59:59+00:00"
    assert transfer_due(monday).isoformat() == "2026-11-24T02:00:00+00:00"  # 24 hours, holiday or not
    assert transfer_due(monday, ward_kind="đặc khu").isoformat() == "2026-11-25T02:00:00+00:00"  # an island
    # After a transfer, the investigating body's extension and the procuracy's: 2 + 2 months at most.
    assert latest_extension(monday).isoformat() == "2027-03-23T16:59:59+00:00"


def test_receipt_buckets_ignore_how_the_code_is_typed() -> None:
    keyring = Keyring(b"k")
    assert bucket_of(keyring, "ACDE-FGHJ-KMNP-QRTU") == bucket_of(keyring, "acde fghj kmnp qrtu")
    assert len(bucket_of(keyring, "ACDE-FGHJ-KMNP-QRTU")) == 4


async def test_a_photo_that_cannot_be_cleaned_is_marked_for_the_tipster_to_decide(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.cleaning import Cleaner
    from bot.media import MediaStore
    from bot.settings import Settings

    class App:
        media = MediaStore(tmp_path, Keyring(b"k"))
        cleaner = Cleaner(Settings(_env_file=None, files_workers=1))  # type: ignore[call-arg]

    try:
        stored = await keep_file(App(), b"\x00\x00\x00\x18ftypheic GPS inside", "photo", "image/heic")  # type: ignore[arg-type]
    finally:
        await App.cleaner.close()
    assert not isinstance(stored, Refused)
    assert stored.risk == RISK_UNCLEANED and not stored.stripped and stored.kind == "file"
    original = await App.media.get(stored.original_ref)
    assert original is not None and original.data.endswith(b"GPS inside")
