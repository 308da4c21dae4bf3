"""The mediation book (sổ theo dõi hòa giải) of an area or group for one year, as CSV and XLSX for the ward's
yearly report.

Who sees what: the head of the mediation group gets every case of their area, private ones included (art. 21:
they answer for the group's records). Everyone else who may export (mediators, group leaders, area and ward
leaders) gets the open, non-private cases they may see (see `store.can_view`), and is told how many private
cases were left out: the yearly totals can be reconciled with the head's copy without revealing who took part.
A mediator follows a private case they handle in /hoagiai, not in a file that may be forwarded around.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import defaultdict
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import true
from sqlmodel import and_, col, or_, select

from bot import clock
from bot.core.context import Context
from bot.core.replies import Media
from bot.core.router import Router
from bot.i18n import N_, _, fmt_date, fmt_datetime, local, zone
from handlers.mediation import store
from handlers.mediation.texts import kind_label, status_label
from models import Role
from models.mediation import MediationCase, MediationParty, MediationSession

BOOK_ROLES = (
    Role.MEDIATOR.value,
    Role.MEDIATION_HEAD.value,
    Role.GROUP_ADMIN.value,
    Role.AREA_LEADER.value,
    Role.WARD_ADMIN.value,
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = Router("mediation.book")


def headers() -> list[str]:
    return [
        _("Case number"),
        _("Date received"),
        _("Kind of dispute"),
        _("Requester"),
        _("Other parties"),
        _("Mediator"),
        _("Sessions"),
        _("Outcome"),
        _("Date closed"),
        _("Agreement or next steps"),
        _("Public or private"),
    ]


@router.command(
    "sohoagiai",
    "mediationbook",
    help=N_("Export the mediation book (CSV and Excel), e.g. /sohoagiai 2026"),
    roles=BOOK_ROLES,
)
async def export(ctx: Context) -> None:
    arg = ctx.event.args.strip()
    year = int(arg) if arg.isdigit() and 2000 <= int(arg) <= 2100 else local(clock.now()).year
    grants = [g for g in await ctx.grants() if g.role in BOOK_ROLES]
    places = [
        and_(
            col(MediationCase.ward_code) == g.ward_code,
            col(MediationCase.group_id) == g.group_id
            if g.group_id
            else col(MediationCase.area_id) == g.area_id
            if g.area_id
            else true(),
        )
        for g in grants
    ]
    start = datetime(year, 1, 1, tzinfo=zone())
    end = datetime(year + 1, 1, 1, tzinfo=zone())
    found = (
        await ctx.session.exec(
            select(MediationCase)
            .where(or_(*places), MediationCase.created_at >= start, MediationCase.created_at < end)
            .order_by(col(MediationCase.created_at), col(MediationCase.id))
        )
    ).all()
    visible, hidden = [], 0
    for case in found:
        everyone = await ctx.grants()
        if (store.is_head(everyone, case) or not case.private) and await store.can_view(
            ctx.session, ctx.person_id, everyone, case
        ):
            visible.append(case)
        else:
            hidden += 1
    rows = await book_rows(ctx, visible)
    stem = f"so-hoa-giai-{year}"
    # Written off the event loop: a ward's book may hold many cases.
    csv_ref = await ctx.app.media.put(await asyncio.to_thread(to_csv, rows), "text/csv", f"{stem}.csv")
    xlsx_ref = await ctx.app.media.put(
        await asyncio.to_thread(to_xlsx, rows, str(year)), XLSX, f"{stem}.xlsx"
    )
    caption = _("Mediation book {year}: {n} case(s).").format(year=year, n=len(visible))
    if hidden:
        caption += " " + _(
            "{n} case(s) are not listed: private cases are in the book of the head of the "
            "mediation group only."
        ).format(n=hidden)
    ctx.audit(
        "mediation.book_exported",
        "mediation_book",
        str(year),
        grants[0].ward_code if grants else None,
        rows=len(visible),
    )
    ctx.reply(
        caption,
        media=(
            Media(kind="file", url=csv_ref, filename=f"{stem}.csv", caption=caption),
            Media(kind="file", url=xlsx_ref, filename=f"{stem}.xlsx"),
        ),
    )


async def book_rows(ctx: Context, found: list[MediationCase]) -> list[list[str]]:
    ids = [c.id for c in found]
    people: dict[int, list[MediationParty]] = defaultdict(list)
    meetings: dict[int, list[MediationSession]] = defaultdict(list)
    if ids:
        for party in (
            await ctx.session.exec(
                select(MediationParty)
                .where(col(MediationParty.case_id).in_(ids))
                .order_by(col(MediationParty.id))
            )
        ).all():
            people[party.case_id].append(party)
        for meeting in (
            await ctx.session.exec(
                select(MediationSession)
                .where(
                    col(MediationSession.case_id).in_(ids), col(MediationSession.status).in_(store.PLANNED)
                )
                .order_by(col(MediationSession.starts_at))
            )
        ).all():
            meetings[meeting.case_id].append(meeting)
    rows = [headers()]
    for case in found:
        assert case.id is not None
        rows.append(
            [
                case.number or "",
                fmt_date(case.created_at, "short"),
                kind_label(case.kind),
                case.requester_name,
                "; ".join(p.name for p in people[case.id] if p.role != "requester"),
                case.mediator_name or "",
                "; ".join(fmt_datetime(m.starts_at) + ", " + m.place for m in meetings[case.id]),
                status_label(case.status),
                fmt_date(case.closed_at, "short") if case.closed_at else "",
                case.agreement or case.next_steps or "",
                _("private") if case.private else _("public"),
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Vietnamese correctly


def to_xlsx(rows: list[list[str]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
