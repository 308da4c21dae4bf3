"""Printable group invitations: one page per group, Vietnamese names intact, and a QR code that a phone reads
back as the group's join link (rasterised with pdfium and decoded with zxing-cpp, as a camera would)."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import timedelta

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageChops
from sqlmodel import select

from bot import clock
from bot.db import Database
from bot.directory.invites import create, links
from bot.i18n import _, use_locale
from bot.security import Keyring, normalize_code
from handlers.places.printing import InvitationPage, Issued, invitation_pdf, printable_groups, ward_pages
from models import Area, Group, Invite, Role, Ward
from tests.databases import TEST_SECRET

PLACES = {"Phố Cành Nàng": ["Tổ Hạ Trung", "Tổ Điền Lư"], "Thôn Ban Công": ["Tổ Lũng Niêm"]}
TELEGRAM_BOT = "andan_test_bot"
ZALO = "https://zalo.me/andan"


async def make_ward(db: Database, settings, role: str = Role.RESIDENT):  # type: ignore[no-untyped-def]
    """Xã Bá Thước with two areas and three groups (and a retired group), and one invite per group."""
    keyring = Keyring(TEST_SECRET.encode())
    async with db.session() as session:
        ward = (await session.exec(select(Ward).where(Ward.name == "Xã Bá Thước"))).one()
        for area_name, group_names in PLACES.items():
            area = Area(ward_code=ward.code, name=area_name, name_folded=area_name.lower())
            session.add(area)
            await session.flush()
            for name in [*group_names, "Tổ cũ"] if area_name == "Thôn Ban Công" else group_names:
                retired = clock.now() if name == "Tổ cũ" else None
                session.add(
                    Group(
                        area_id=area.id,
                        ward_code=ward.code,
                        name=name,
                        name_folded=name.lower(),
                        retired_at=retired,
                    )
                )
        await session.flush()
        issued = {}
        for area, group in await printable_groups(session, ward.code):
            made = await create(
                session, keyring, settings, role=role, ward_code=ward.code, area_id=area.id, group_id=group.id
            )
            found = {**links(settings, made.code, TELEGRAM_BOT), "zalo": ZALO}
            issued[group.id] = Issued(made.code, found, made.invite.expires_at)
        await session.commit()
        return ward.code, issued


def qr_of(pdf: bytes, index: int, dpi: int = 100) -> list[str]:
    page = pdfium.PdfDocument(pdf)[index]
    image = page.render(scale=dpi / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def grey_only(pdf: bytes, index: int) -> bool:
    """Nothing on the page is in colour: it prints the same on a black-and-white printer."""
    red, green, blue = pdfium.PdfDocument(pdf)[index].render(scale=1).to_pil().convert("RGB").split()
    return (
        not ImageChops.difference(red, green).getbbox() and not ImageChops.difference(green, blue).getbbox()
    )


@pytest.mark.parametrize("paper", ["A4", "A5"])
async def test_a_ward_of_three_groups_prints_three_pages_that_phones_can_read(  # type: ignore[no-untyped-def]
    db_url: str, settings_for, paper: str
) -> None:
    settings = settings_for(db_url, public_url="https://andan.example.vn")
    db = Database(db_url)
    try:
        ward_code, issued = await make_ward(db, settings)
        async with db.session() as session:
            pages = await ward_pages(session, ward_code, issued)
            codes = {i.code_hash for i in (await session.exec(select(Invite))).all()}
    finally:
        await db.dispose()
    assert [(p.area, p.group) for p in pages] == [
        ("Phố Cành Nàng", "Tổ Hạ Trung"),
        ("Phố Cành Nàng", "Tổ Điền Lư"),
        ("Thôn Ban Công", "Tổ Lũng Niêm"),
    ]  # the retired group gets no page
    pdf = await asyncio.to_thread(invitation_pdf, pages, paper)  # type: ignore[arg-type]

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (
        (210, 297) if paper == "A4" else (148, 210)
    )
    keyring = Keyring(TEST_SECRET.encode())
    for index, page in enumerate(pages):
        text = " ".join(reader.pages[index].extract_text().split())  # a long line may wrap on A5
        for expected in ("Xã Bá Thước, Tỉnh Thanh Hóa", page.area, page.group, page.code, page.web, ZALO):
            assert expected in text, (expected, text)
        assert page.telegram == f"https://t.me/{TELEGRAM_BOT}?start={page.code}" and page.telegram in text
        with use_locale("vi"):
            assert _("Or type this code:") in text
            assert _("1. Scan the QR code with your phone's camera, or open one of the links above.") in text
        # What the camera reads is the web join link of this group's own invite, which the database knows.
        assert qr_of(pdf, index) == [page.web]
        match = re.fullmatch(r"https://andan\.example\.vn/join/([A-Z0-9-]+)", page.web)
        assert match is not None and match.group(1) == page.code
        assert keyring.keyed_hash("invite", normalize_code(match.group(1))) in codes
        assert grey_only(pdf, index)


async def test_one_group_prints_one_page_for_its_leader(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(db_url)
    db = Database(db_url)
    try:
        ward_code, issued = await make_ward(db, settings, role=Role.GROUP_ADMIN)
        async with db.session() as session:
            groups = await printable_groups(session, ward_code)
            group_id = groups[1][1].id
            pages = await ward_pages(session, ward_code, issued, group_id=group_id, role=Role.GROUP_ADMIN)
            with pytest.raises(ValueError, match="Tổ Hạ Trung"):
                await ward_pages(session, ward_code, {group_id: issued[group_id]})  # an invite missing
    finally:
        await db.dispose()
    assert [p.group for p in pages] == ["Tổ Điền Lư"] and pages[0].role == Role.GROUP_ADMIN
    pdf = await asyncio.to_thread(invitation_pdf, pages, "A5")
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    with use_locale("vi"):
        assert _("Become your group's leader on An Dân") in text
    assert qr_of(pdf, 0) == [pages[0].web]


def test_long_names_and_links_stay_on_the_page() -> None:
    name = "Tổ dân phố số 12 đường Nguyễn Thị Minh Khai kéo dài đến cầu Ông Lãnh mới"
    page = InvitationPage(
        ward="Phường Cao Lãnh, Tỉnh Đồng Tháp",
        area=name,
        group=name,
        code="ACDE-FGHJ-KMNP",
        web="https://an-dan.mot-ten-mien-rat-dai.example.gov.vn/duong-dan/join/ACDE-FGHJ-KMNP",
        telegram="https://t.me/andan_phuong_cao_lanh_bot?start=ACDE-FGHJ-KMNP",
        zalo=ZALO,
        expires_at=clock.now() + timedelta(days=14),
    )
    for paper in ("A4", "A5"):
        pdf = invitation_pdf([page, page], paper)  # type: ignore[arg-type]
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 2
        assert qr_of(pdf, 1) == [page.web]
        # The last line (the validity date) is drawn above the bottom margin: render and look at the bottom band.
        image = pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
        bottom = image.crop((0, int(image.height * 0.94), image.width, image.height))
        assert bottom.getextrema() == (255, 255), "something was drawn in the bottom margin"
        assert isinstance(image, Image.Image)
    with pytest.raises(ValueError):
        invitation_pdf([page], "A3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        invitation_pdf([], "A4")
