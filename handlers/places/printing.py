"""Printable group invitations: one PDF page per group with a QR code, the links and the code to type.

The page is drawn in black only (vector QR modules, no greys) so that it survives a black-and-white office
printer and photocopies, on A4 and on A5 alike: both share the √2 aspect ratio, so A5 is the A4 layout scaled.
The font is DejaVu Sans from matplotlib's bundled data (a dependency already), which covers every Vietnamese
letter; no system font is read. Invites are made by the caller (`bot.directory.invites.create`): this module only
lays out what it is given, and `ward_pages` reads the ward's places to go with those invites.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.directory.geo import ward_label
from bot.i18n import _, fmt_date, use_locale
from models import Area, Group, Province, Role, Ward

if TYPE_CHECKING:
    from fpdf import FPDF

Paper = Literal["A4", "A5"]
FONT = "dejavu"
_PT = 25.4 / 72  # millimetres per point
_A4_WIDTH = 210.0
# ISO 216 sizes in millimetres, given as numbers: fpdf2 warns on every use of its "A5" name (its size changed once).
_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}


@dataclass(frozen=True)
class InvitationPage:
    """What one group's page shows. `web` (the web chat's join link) is what the QR code holds."""

    ward: str  # "Phường Cao Lãnh, Tỉnh Đồng Tháp"
    area: str
    group: str
    code: str
    web: str
    telegram: str | None = None
    zalo: str | None = None  # the Zalo chat's page, where people type /thamgia: Zalo links carry no code
    role: str = Role.RESIDENT
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Issued:
    """An invite the caller made for one group: its code and its links as `bot.directory.invites.links` returns
    them ("web", and "telegram" when the bot's username is known), plus "zalo" when the deployment has one."""

    code: str
    links: Mapping[str, str]
    expires_at: datetime | None = None


@cache
def _font_files() -> tuple[Path, Path]:
    """DejaVu Sans (regular, bold) inside the installed matplotlib, found without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which ships the DejaVu Sans font) is not installed")
    ttf = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"


def _qr_matrix(data: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # M tolerates a crease or a smudge on a notice board; the quiet zone is left as blank paper around it.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


class _Layout:
    """Draws on one page in A4 millimetres and points, scaled to the paper."""

    def __init__(self, pdf: FPDF, scale: float) -> None:
        self.pdf = pdf
        self.s = scale

    def mm(self, value: float) -> float:
        return value * self.s

    def text(
        self, text: str, size: float, *, bold: bool = False, min_size: float | None = None, gap: float = 0
    ) -> None:
        """A centred line, shrunk down to `min_size` to fit the width, wrapped if it still does not."""
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        text = unicodedata.normalize("NFC", text)
        pt = size * self.s
        floor = (min_size or size) * self.s
        style = "B" if bold else ""
        pdf.set_font(FONT, style, pt)
        while pt > floor and pdf.get_string_width(text) > pdf.epw:
            pt = max(floor, pt - 0.5)
            pdf.set_font(FONT, style, pt)
        pdf.multi_cell(pdf.epw, pt * _PT * 1.3, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + self.mm(gap))

    def qr(self, data: str, size: float, gap: float = 0) -> None:
        pdf = self.pdf
        matrix = _qr_matrix(data)
        side = self.mm(size)
        module = side / len(matrix)
        left = (pdf.w - side) / 2
        top = pdf.get_y()
        pdf.set_fill_color(0)
        # One rectangle per horizontal run of dark modules: a small file, and crisp at any printer resolution.
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(left + start * module, top + r * module, (c - start) * module, module, style="F")
        pdf.set_y(top + side + self.mm(gap))

    def rule(self, gap: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(0)
        pdf.set_line_width(self.mm(0.4))
        y = pdf.get_y()
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.set_y(y + self.mm(gap))


def _clip(name: str, limit: int = 120) -> str:
    """Names are bounded where they are made; this keeps any page to one sheet whatever it is given."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _instructions(page: InvitationPage) -> tuple[str, str]:
    if page.role == Role.GROUP_ADMIN:
        return (
            _("1. Scan the QR code with your phone's camera, or open one of the links above."),
            _("2. If the chat asks for a code, type the code above. It works once: keep it to yourself."),
        )
    return (
        _("1. Scan the QR code with your phone's camera, or open one of the links above."),
        _("2. If the chat asks for a code, type the code above: it puts you in your group."),
    )


def _draw(pdf: FPDF, page: InvitationPage, scale: float) -> None:
    out = _Layout(pdf, scale)
    pdf.add_page()
    pdf.set_text_color(0)
    pdf.set_y(out.mm(18))
    title = (
        _("Become your group's leader on An Dân")
        if page.role == Role.GROUP_ADMIN
        else _("Join your group on An Dân")
    )
    out.text(title, 20, bold=True, min_size=14, gap=3)
    out.text(_clip(page.ward), 14, min_size=10, gap=1)
    out.text(f"{_clip(page.area)} · {_clip(page.group)}", 28, bold=True, min_size=16, gap=6)
    out.qr(page.web, 110, gap=5)
    out.text(_("Or type this code:"), 13, gap=0)
    pdf.set_char_spacing(out.mm(1.5))
    out.text(page.code, 36, bold=True, min_size=24, gap=5)
    pdf.set_char_spacing(0)
    out.text(_("Web chat: {link}").format(link=page.web), 12, min_size=9, gap=1)
    if page.telegram:
        out.text(_("Telegram: {link}").format(link=page.telegram), 12, min_size=9, gap=1)
    if page.zalo:
        out.text(
            _("Zalo: open {link} and type /thamgia {code}").format(link=page.zalo, code=page.code),
            12,
            min_size=9,
            gap=1,
        )
    pdf.set_y(pdf.get_y() + out.mm(4))
    out.rule(gap=4)
    first, second = _instructions(page)
    out.text(first, 12.5, gap=1)  # prose wraps rather than shrinks
    out.text(second, 12.5, gap=3)
    if page.expires_at is not None:
        out.text(_("Valid until {date}.").format(date=fmt_date(page.expires_at)), 11, gap=0)


def invitation_pdf(pages: list[InvitationPage], paper: Paper = "A4", *, locale: str = "vi") -> bytes:
    """One page per group, in `locale` (Vietnamese unless asked otherwise: the paper goes on a notice board)."""
    from fpdf import FPDF

    if paper not in _SIZES:
        raise ValueError(f"paper must be A4 or A5, not {paper!r}")
    if not pages:
        raise ValueError("no page to print")
    pdf = FPDF(orientation="P", unit="mm", format=_SIZES[paper])
    scale = pdf.w / _A4_WIDTH
    regular, bold = _font_files()
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_auto_page_break(False)
    pdf.set_margins(15 * scale, 12 * scale, 15 * scale)
    pdf.set_lang(locale)
    pdf.set_creator("An Dân")
    with use_locale(locale):
        pdf.set_title(_("Invitations to An Dân"))
        for page in pages:
            _draw(pdf, page, scale)
    return bytes(pdf.output())


async def printable_groups(
    session: AsyncSession, ward_code: int, group_id: int | None = None
) -> list[tuple[Area, Group]]:
    """The ward's groups that are in use (or the one group), in the order they were set up."""
    query = (
        select(Area, Group)
        .join(Group, col(Group.area_id) == col(Area.id))
        .where(
            col(Group.ward_code) == ward_code,
            col(Group.retired_at).is_(None),
            col(Area.retired_at).is_(None),
        )
        .order_by(col(Area.id), col(Group.id))
    )
    if group_id is not None:
        query = query.where(col(Group.id) == group_id)
    return [(area, group) for area, group in (await session.exec(query)).all()]


async def ward_pages(
    session: AsyncSession,
    ward_code: int,
    issued: Mapping[int, Issued],
    *,
    group_id: int | None = None,
    role: str = Role.RESIDENT,
) -> list[InvitationPage]:
    """The pages for a ward's groups (or one group), given the invite made for each group id.

    A group without an invite in `issued` is an error rather than a missing page: the caller makes one for each
    group that `printable_groups` returns."""
    ward = await session.get(Ward, ward_code)
    if ward is None:
        raise ValueError(f"no ward has the code {ward_code}")
    province = await session.get(Province, ward.province_code)
    if province is None:
        raise ValueError(f"ward {ward_code} has no province")
    label = ward_label(ward, province)
    pages = []
    for area, group in await printable_groups(session, ward_code, group_id):
        made = issued.get(group.id or 0)
        if made is None:
            raise ValueError(f"no invite was given for the group {group.name!r} (id {group.id})")
        pages.append(
            InvitationPage(
                ward=label,
                area=area.name,
                group=group.name,
                code=made.code,
                web=made.links["web"],
                telegram=made.links.get("telegram"),
                zalo=made.links.get("zalo"),
                role=role,
                expires_at=made.expires_at,
            )
        )
    return pages
