"""Hostile and revealing files in tips, through the web chat as a tipster and an officer would use it: a pixel
bomb refused quickly while the server keeps answering, a large legal photo cleaned off the event loop, HEIC
converted, PDF/DOCX/MP4 metadata gone from the police copy, the voice-note and "may identify you" choices both
ways (when the file arrives, in the summary, and when adding to a sent tip), a burst beyond the cleaning queue,
and a cleaning pool that survives a job that runs out of time or memory. Every file is made here."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import av
import docx
import numpy as np
import pillow_heif
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlmodel import select

from bot.cleaning import Cleaner, Verdict
from bot.settings import Settings
from models import Tip, TipAttachment
from tests.conftest import Town
from tests.databases import DEMO_WARD
from tests.test_tips import CODE, fetch, photo_with_exif, poll, texts

MARK = "Nguyen Van Tipster"
GPS = "+10.4551+105.6332/"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/'
    b'elements/1.1/"><dc:creator><rdf:Seq><rdf:li>' + MARK.encode() + b"</rdf:li></rdf:Seq></dc:creator>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


# Files, made here ----------------------------------------------------------------------------------------
@cache
def pixel_bomb() -> bytes:
    """About 20 kB of PNG that declares 13,000 × 13,000 pixels (169 million, half a gigabyte once decoded)."""
    out = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(out, format="PNG")
    return out.getvalue()


@cache
def large_photo() -> bytes:
    """A legal 49-megapixel JPEG (the budget is 50): most of a second of decoding and re-encoding, 147 MB a copy."""
    out = io.BytesIO()
    gradient = Image.linear_gradient("L").resize((7000, 7000))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)).save(
        out, format="JPEG", quality=85
    )
    return out.getvalue()


def heic_photo() -> bytes:
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = exif[0x0110] = "TipsterPhone"
    exif[0x8825] = {1: "N", 2: (10.0, 27.0, 30.0), 3: "E", 4: (105.0, 38.0, 5.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, format="HEIF", exif=exif)
    return out.getvalue()


def pdf_with_author() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": MARK, "/Creator": "TipsterWord", "/Producer": "TipsterPDF"})
    writer.xmp_metadata = XMP
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_author() -> bytes:
    document = docx.Document()
    document.add_paragraph("Xe máy màu đỏ, biển số 66B1-123.45")
    document.core_properties.author = document.core_properties.last_modified_by = MARK
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def mp4_with_gps() -> bytes:
    """An MP4 (brand mp42) with the `©xyz` location atom phones write, and an author tag."""
    out = io.BytesIO()
    with av.open(out, "w", format="mov", container_options={"brand": "mp42"}) as container:
        container.metadata.update({"location": GPS, "artist": MARK})
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def voice_note() -> bytes:
    """Half a second of Opus in Ogg, as messaging apps record, with an author tag."""
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        container.metadata["artist"] = MARK
        stream = container.add_stream("libopus" if "libopus" in av.codecs_available else "opus", rate=48000)
        sample_format = stream.codec_context.format.name
        for i in range(25):
            samples = np.zeros((1, 960), np.int16 if sample_format == "s16" else np.float32)
            frame = av.AudioFrame.from_ndarray(samples, format=sample_format, layout="mono")
            frame.sample_rate, frame.pts = 48000, i * 960
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ghi-chu.txt", f"Người gửi: {MARK}")
    return out.getvalue()


# Helpers -------------------------------------------------------------------------------------------------
def media_files(town: Town) -> int:
    root = Path(town.settings.media_dir)
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


async def start_tip(person) -> None:  # type: ignore[no-untyped-def]
    await person.say("/togiac")
    await person.press("cat:theft")
    await person.say("Có người lạ cạy khóa xe máy trước nhà số 12.")


async def finish_anonymous(person) -> tuple[list[dict[str, Any]], str]:  # type: ignore[no-untyped-def]
    """From the "what" step to the summary of an anonymous tip; returns the summary replies and its text."""
    await person.press("what:done")
    await person.press("where:unknown")
    await person.press("when:today")
    await person.press(f"tward:{DEMO_WARD}")
    await person.press("ident:anon")
    replies = await person.press("mayreply:no")
    return replies, texts(replies)


async def send(person) -> str:  # type: ignore[no-untyped-def]
    replies = await person.press("tsend:yes")
    found = CODE.search(texts(replies))
    assert found, texts(replies)
    return found.group(0)


async def police_copies(town: Town, officer) -> list[bytes]:  # type: ignore[no-untyped-def]
    """What the officer downloads from the newest tip."""
    async with town.app.db.session() as session:  # type: ignore[union-attr]
        tip = (await session.exec(select(Tip).order_by(Tip.id.desc()))).first()  # type: ignore[union-attr]
    assert tip is not None
    replies = await officer.press(f"tipp:open:{tip.id}")
    return [await fetch(officer, m["url"]) for r in replies for m in r.get("media", [])]


async def attachments(town: Town) -> list[TipAttachment]:
    async with town.app.db.session() as session:  # type: ignore[union-attr]
        return list((await session.exec(select(TipAttachment).order_by(TipAttachment.id))).all())  # type: ignore[arg-type]


class LagProbe:
    """Sleeps 10 ms in a loop and records the worst extra delay: how long the event loop was kept busy."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, loop.time() - started - 0.01)

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def health_checks(url: str, stop: asyncio.Event) -> list[float]:
    """GET /healthz every 50 ms until stopped; each answer's time."""
    import aiohttp

    times = []
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            started = time.monotonic()
            async with http.get(url + "/healthz") as response:
                assert response.status == 200
            times.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
    return times


# Tests ---------------------------------------------------------------------------------------------------
async def test_a_pixel_bomb_is_refused_quickly_and_a_large_photo_is_cleaned_off_the_event_loop(town) -> None:  # type: ignore[no-untyped-def]
    bomb, photo = (
        pixel_bomb(),
        large_photo(),
    )  # made before the probe starts: making them is not the server's work
    lan = await town.join("Lan")
    await start_tip(lan)
    before = media_files(town)
    stop = asyncio.Event()
    checks = asyncio.create_task(health_checks(town.server.url, stop))
    with LagProbe() as probe:
        started = time.monotonic()
        replies = await lan.send_file(bomb, "anh.png", "image/png")
        bomb_seconds = time.monotonic() - started
        assert "quá nhiều điểm ảnh" in texts(replies) and "chưa được lưu" in texts(replies)
        assert media_files(town) == before  # nothing of it was kept

        replies = await lan.send_file(photo, "IMG_0001.jpg", "image/jpeg")
        assert "Đã nhận (đến giờ là 1 tệp)" in texts(replies)
    stop.set()
    health = await checks
    assert bomb_seconds < 5, bomb_seconds  # most of it is starting the workers; the refusal itself is instant
    assert probe.worst < 0.25, f"the event loop stalled {probe.worst * 1000:.0f} ms"
    assert health and max(health) < 0.25, max(health)
    assert len(bomb) < 30_000

    _replies, summary = await finish_anonymous(lan)
    assert "Tệp: 1" in summary and "Trước khi gửi" not in summary
    await send(lan)
    [attachment] = await attachments(town)
    assert attachment.stripped and attachment.mime_type == "image/jpeg" and attachment.kind == "photo"


async def test_heic_pdf_docx_and_mp4_reach_the_police_without_what_identifies_the_sender(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Công an Minh", role="police")
    await start_tip(lan)
    sent = [
        (heic_photo(), "IMG_0042.HEIC", "image/heic"),
        (pdf_with_author(), "to-giac.pdf", "application/pdf"),
        (
            docx_with_author(),
            "bien-so.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (mp4_with_gps(), "VID_0007.mp4", "video/mp4"),
    ]
    assert b"TipsterPhone" in sent[0][0] and MARK.encode() in sent[1][0] and b"\xa9xyz" in sent[3][0]
    for data, name, mime in sent:
        replies = await lan.send_file(data, name, mime)
        assert "Đã nhận" in texts(replies) and "thông tin ẩn" not in texts(replies), texts(replies)
    _replies, summary = await finish_anonymous(lan)
    assert "Tệp: 4" in summary and "Trước khi gửi" not in summary  # all four cleaned: nothing to warn about
    await send(lan)
    rows = await attachments(town)
    assert [a.kind for a in rows] == ["photo", "file", "file", "video"] and all(a.stripped for a in rows)

    await town.drain()
    await poll(officer)
    photo, pdf, document, video = await police_copies(town, officer)

    assert photo[:2] == b"\xff\xd8" and b"TipsterPhone" not in photo  # HEIC → JPEG, EXIF gone
    converted = Image.open(io.BytesIO(photo))
    assert converted.format == "JPEG" and converted.size == (64, 48) and not converted.getexif()

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and not reader.metadata and reader.xmp_metadata is None
    assert MARK.encode() not in pdf and b"TipsterPDF" not in pdf and b"TipsterWord" not in pdf

    cleaned = docx.Document(io.BytesIO(document))
    assert cleaned.core_properties.author == "" and cleaned.core_properties.last_modified_by == ""
    assert cleaned.paragraphs[0].text == "Xe máy màu đỏ, biển số 66B1-123.45"
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        assert not any(MARK.encode() in archive.read(name) for name in archive.namelist())

    assert b"\xa9xyz" not in video and GPS.encode() not in video and MARK.encode() not in video
    with av.open(io.BytesIO(video)) as container:
        assert "location" not in container.metadata
        assert [s.type for s in container.streams] == ["video"]
        assert sum(1 for _ in container.demux(container.streams.video[0]) if _.size) == 5  # every frame kept


async def test_a_voice_note_in_an_anonymous_tip_asks_first_and_both_answers_work(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Công an Minh", role="police")
    await start_tip(lan)
    before = media_files(town)

    replies = await lan.send_file(voice_note(), "voice.ogg", "audio/ogg")
    assert "công an sẽ nghe được giọng nói của anh/chị" in texts(replies)
    assert lan.choices() == ["Giữ bản ghi âm", "Xóa đi, tôi sẽ gõ chữ", "Xong"]
    assert (
        media_files(town) == before + 2
    )  # kept encrypted until the tipster decides: original and police copy
    replies = await lan.press("Xóa đi, tôi sẽ gõ chữ")
    assert "Đã xóa" in texts(replies) and "gõ chữ" in texts(replies) and lan.choices() == ["Xong"]
    assert media_files(town) == before
    await lan.say("Tôi nghe thấy họ gọi nhau là anh Tư.")

    await lan.send_file(voice_note(), "voice.ogg", "audio/ogg")
    replies = await lan.press("Giữ bản ghi âm")
    assert "Đã giữ lại" in texts(replies) and lan.choices() == ["Xong"]

    _replies, summary = await finish_anonymous(lan)
    assert "Tệp: 1" in summary and "Trước khi gửi: 1 tệp" in summary and "Xóa các tệp đó" in lan.choices()
    await send(lan)
    [attachment] = await attachments(town)
    assert attachment.kind == "voice" and attachment.stripped and attachment.mime_type == "audio/ogg"
    await town.drain()
    await poll(officer)
    [heard] = await police_copies(town, officer)
    assert MARK.encode() not in heard
    with av.open(io.BytesIO(heard)) as container:
        assert [s.type for s in container.streams] == ["audio"]


async def test_a_file_that_cannot_be_cleaned_asks_keep_or_remove_at_arrival_in_the_summary_and_later(
    town,
) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Công an Minh", role="police")
    await start_tip(lan)
    before = media_files(town)

    replies = await lan.send_file(a_zip(), "ghi-chu.zip", "application/zip")
    assert "không xóa được các thông tin ẩn" in texts(replies)
    assert lan.choices() == ["Giữ nguyên tệp", "Xóa tệp này", "Xong"]
    replies = await lan.press("Giữ nguyên tệp")
    assert "Đã giữ lại" in texts(replies)
    await lan.send_file(a_zip(), "ghi-chu-2.zip", "application/zip")
    await lan.say("Thêm một chi tiết: họ đi xe màu đỏ.")  # the question stays open while they write
    assert "Xóa tệp này" in lan.choices()
    replies = await lan.press("Xóa tệp này")
    assert "Đã xóa" in texts(replies) and media_files(town) == before + 2

    # In the summary of an anonymous tip, the one kept is shown again with a way to remove it.
    _replies, summary = await finish_anonymous(lan)
    assert "Tệp: 1" in summary and "Trước khi gửi: 1 tệp" in summary
    replies = await lan.press("tsend:dropfiles")
    assert (
        "Đã xóa 1 tệp" in texts(replies)
        and "Tệp: 0" in texts(replies)
        and "Trước khi gửi" not in texts(replies)
    )
    assert media_files(town) == before
    code = await send(lan)
    assert await attachments(town) == []

    # Adding to the sent (anonymous) tip by its code asks the same, and keeping sends it as it was.
    helper = await town.person("Máy khác")
    await helper.say(f"/tracuu {code}")
    await helper.press("tstat:add")
    replies = await helper.send_file(a_zip(), "them.zip", "application/zip")
    assert "không xóa được các thông tin ẩn" in texts(replies)
    assert helper.choices() == ["Giữ nguyên tệp", "Xóa tệp này", "Gửi", "Hủy"]
    await helper.press("tadd:keep")
    replies = await helper.press("tadd:send")
    assert "Đã bổ sung" in texts(replies)
    [attachment] = await attachments(town)
    assert not attachment.stripped and attachment.kind == "file"
    await town.drain()
    await poll(officer)
    [as_sent] = await police_copies(town, officer)
    assert as_sent == a_zip() or MARK.encode() in as_sent  # the tipster chose to send it as it was


async def test_a_burst_beyond_the_cleaning_queue_is_answered_politely_and_loses_nothing_confirmed(  # type: ignore[no-untyped-def]
    db_url, settings_for
) -> None:
    town = Town(settings_for(db_url, files_workers=1, files_queue=1))
    await town.start()
    try:
        people = [await town.join(f"Người {i}") for i in range(5)]
        for person in people:
            await start_tip(person)
            replies = await person.send_file(photo_with_exif(), "IMG.jpg", "image/jpeg")
            assert "Đã nhận (đến giờ là 1 tệp)" in texts(replies)
        burst = await asyncio.gather(
            *(p.send_file(large_photo(), "IMG_big.jpg", "image/jpeg") for p in people)
        )
        busy = [
            p
            for p, replies in zip(people, burst, strict=True)
            if "đang có nhiều tệp chờ kiểm tra" in texts(replies)
        ]
        taken = [
            p
            for p, replies in zip(people, burst, strict=True)
            if "Đã nhận (đến giờ là 2 tệp)" in texts(replies)
        ]
        assert busy and len(taken) >= 2 and len(busy) + len(taken) == len(people), [texts(r) for r in burst]
        for person in busy:  # nothing they had confirmed was lost, and the same file goes through later
            replies = await person.send_file(large_photo(), "IMG_big.jpg", "image/jpeg")
            assert "Đã nhận (đến giờ là 2 tệp)" in texts(replies)
        for person in people:
            _replies, summary = await finish_anonymous(person)
            assert "Tệp: 2" in summary
            await send(person)
        rows = await attachments(town)
        assert len(rows) == 2 * len(people) and all(a.stripped and a.police_ref for a in rows)
    finally:
        await town.close()


@pytest.mark.parametrize("limit", ["seconds", "memory"])
async def test_a_job_over_its_time_or_memory_is_not_cleanable_and_the_pool_goes_on(limit: str) -> None:
    tight = {"files_job_seconds": 0.2} if limit == "seconds" else {"files_job_memory_mb": 250}
    cleaner = Cleaner(Settings(_env_file=None, files_workers=1, **tight))  # type: ignore[arg-type]

    async def small_photo_cleaned() -> bool:
        # A few tries: on a busy host even a tiny job may once exceed a 0.2 s limit; a broken pool never passes.
        for _ in range(5):
            done = await cleaner.clean(photo_with_exif())
            if done.verdict is Verdict.CLEANED:
                return b"TipsterPhone" not in done.data
        return False

    try:
        assert await small_photo_cleaned()  # the worker is up before the clock matters
        too_much = await cleaner.clean(large_photo())
        assert too_much.verdict is Verdict.NOT_CLEANABLE
        assert await small_photo_cleaned()  # a new worker took over
        assert (await cleaner.clean(pixel_bomb())).verdict is Verdict.TOO_MANY_PIXELS
    finally:
        await cleaner.close()
