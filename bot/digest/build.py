"""Composes a ward's weekly digest from the sections and group columns the routers declare (bot.extensions.digest_sections).

Texts are composed once per (audience, group, language) and shared by everyone with that key, so the work grows
with the number of groups, not of people; every section and column is asked once per ward (see bot.digest.memo).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.replies import Media
from bot.digest.chart import line_chart
from bot.digest.days import last_day, week_before
from bot.digest.table import XLSX_MIME, to_xlsx
from bot.extensions.digest_sections import Column, Registered, Scope, Section
from bot.i18n import _, fmt_date, fmt_number, local, use_locale
from bot.media import MediaStore

if TYPE_CHECKING:
    from bot.core.router import Registry
from models import Ward

log = logging.getLogger(__name__)
LINES_PER_SECTION = 6  # a digest is read on a phone
HISTORY_WEEKS = 8


@dataclass
class WardWeek:
    ward_code: int
    ward_name: str
    start: datetime
    end: datetime
    groups: dict[int, tuple[str, str]]  # id -> (group name, area name)
    sections: list[Registered]  # what the routers declare, in order
    columns: list[Column]
    texts: dict[tuple[str, int | None, str, bool], str] = field(default_factory=dict)
    found: dict[tuple[str, int | None, str], list[Section]] = field(default_factory=dict)
    police_media: dict[str, tuple[Media, ...]] = field(default_factory=dict)


async def ward_week(
    session: AsyncSession,
    ward_code: int,
    moment: datetime,
    groups: dict[int, tuple[str, str]],
    registry: Registry,
) -> WardWeek:
    """The ward's week for a digest due at `moment`: the whole local days before it (bot.digest.days), so a
    digest sent at 07:00, or caught up at noon, counts exactly the days its heading names."""
    ward = await session.get(Ward, ward_code)
    start, end = week_before(moment)
    return WardWeek(
        ward_code,
        ward.name if ward else str(ward_code),
        start,
        end,
        groups,
        registry.sections_in_order(),
        registry.columns_in_order(),
    )


async def sections(
    session: AsyncSession, declared: list[Registered], scope: Scope, start: datetime, end: datetime
) -> list[Section]:
    found = []
    for registered in declared:
        try:
            section = await registered.fn(session, scope, start, end)
        except Exception:
            # One feature's broken section must not cost every resident their digest.
            log.exception("digest section failed", extra={"section": registered.name})
            continue
        if section is not None and (section.lines or section.figures):
            found.append(section)
    return found


async def text_for(
    session: AsyncSession,
    week: WardWeek,
    audience: str,
    group_id: int | None,
    locale: str,
    *,
    for_person: bool,
) -> str:
    """The digest text for one key, composed once and then reused (a group chat shares its residents' sections)."""
    key = (audience, group_id, locale)
    if key + (for_person,) not in week.texts:
        with use_locale(locale):
            if key not in week.found:
                week.found[key] = await sections(
                    session, week.sections, Scope(week.ward_code, group_id, audience), week.start, week.end
                )
            week.texts[key + (for_person,)] = compose(week, week.found[key], group_id, audience, for_person)
    return week.texts[key + (for_person,)]


def compose(
    week: WardWeek, found: list[Section], group_id: int | None, audience: str, for_person: bool
) -> str:
    place = week.ward_name
    if group_id is not None and group_id in week.groups:
        group, area = week.groups[group_id]
        place = f"{group}, {area}"
    lines = [
        _("Weekly digest: {place}").format(place=place),
        _("{start} to {end}").format(
            start=fmt_date(week.start, "short"), end=fmt_date(last_day(week.end), "short")
        ),
    ]
    neighbours = audience != "police"
    if neighbours:
        # Sent to a whole neighbourhood, the digest speaks to "bà con", as a ward notice does.
        lines += ["", _("Dear residents of {place},").format(place=place)]
    for section in found:
        lines.append("")
        lines.append(f"▸ {section.title}")
        shown = section.lines[:LINES_PER_SECTION]
        lines += [f"  {line}" for line in shown]
        if len(section.lines) > len(shown):
            lines.append("  " + _("… and {n} more.").format(n=fmt_number(len(section.lines) - len(shown))))
    if not found:
        lines += ["", _("A quiet week: nothing to report.")]
    if neighbours:
        lines += ["", _("Thank you for keeping the neighbourhood safe together.")]
    if audience == "police":
        lines += [
            "",
            _(
                "Attached: the table of all {n} groups, and this week compared with the previous weeks."
            ).format(n=fmt_number(len(week.groups))),
        ]
    if for_person:
        lines += ["", _("To stop receiving this digest, type /bantin tat.")]
    return "\n".join(lines)


async def group_table(session: AsyncSession, week: WardWeek) -> list[list[object]]:
    """Every group of the ward with every registered column: one set-based query per column."""
    columns = week.columns
    values = []
    for column in columns:
        try:
            values.append(await column.fn(session, week.ward_code, week.start, week.end))
        except Exception:
            log.exception("digest column failed", extra={"column": column.name})
            values.append({})
    rows: list[list[object]] = [[_("Area"), _("Group"), *[_(c.header) for c in columns]]]
    for gid, (group, area) in week.groups.items():
        rows.append([area, group, *[v.get(gid, "") for v in values]])
    return rows


async def history(session: AsyncSession, week: WardWeek) -> tuple[list[datetime], dict[str, list[float]]]:
    """The first days of this week and the previous ones, oldest first, and the ward's figures by "section: figure"."""
    weeks = [week_before(week.end, n) for n in range(HISTORY_WEEKS - 1, -1, -1)]
    starts = [start for start, _end in weeks]
    series: dict[str, list[float]] = {}
    for index, (start, end) in enumerate(weeks):
        for section in await sections(
            session, week.sections, Scope(week.ward_code, None, "police"), start, end
        ):
            for name, value in section.figures.items():
                label = _("{section}: {figure}").format(section=section.title, figure=_(name))
                series.setdefault(label, [0.0] * len(weeks))[index] = float(value)
    return starts, series


async def police_media(
    session: AsyncSession, media: MediaStore, week: WardWeek, locale: str
) -> tuple[Media, ...]:
    """The chart and the table of all groups, made once per language and stored (encrypted) in the media store."""
    if locale in week.police_media:
        return week.police_media[locale]
    with use_locale(locale):
        starts, series = await history(session, week)
        labels = [fmt_date(start, "short") for start in starts]
        title = _("{ward}: this week and the previous weeks").format(ward=week.ward_name)
        # The chart keeps the few busiest figures, so it stays readable on a phone.
        busiest = dict(sorted(series.items(), key=lambda kv: -sum(kv[1]))[:6])
        chart = line_chart(title, labels, busiest)
        rows = await group_table(session, week)
        stamp = local(week.end).date().isoformat()
        chart_ref = await media.put(chart, "image/png", f"ban-tin-{week.ward_code}-{stamp}.png")
        table_ref = await media.put(to_xlsx(rows, stamp), XLSX_MIME, f"ban-tin-{week.ward_code}-{stamp}.xlsx")
        week.police_media[locale] = (
            Media(kind="image", url=chart_ref, filename=f"ban-tin-{stamp}.png", caption=title),
            Media(kind="file", url=table_ref, filename=f"ban-tin-{week.ward_code}-{stamp}.xlsx"),
        )
    return week.police_media[locale]
