"""The recognition file: one document per residential area and one for the ward, as XLSX (openpyxl) and as a
printable PDF (fpdf2, DejaVu Sans as in handlers/places/printing.py).

Both are drawn from the same sections: the criteria with their legal references, figures of this year beside
last year, status and evidence; the groups' ratings from draft to final decision; every figure of the place;
the evidence behind each figure (its source table and the ids of the records counted, and what was due with no
record: a report never sent); and the households and people proposed for recognition. Small counts of people's
actions are shown as "fewer than 5" (bot.digest.small), and their records are not listed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.digest.small import SMALL
from bot.extensions.year_figures import Figure, Place, YearFigure
from bot.i18n import _, fmt_date, fmt_datetime
from bot.settings import Settings
from handlers.places.printing import _font_files
from handlers.review import texts
from handlers.review.evaluate import Review, grade, reasons
from models.review import ReviewNomination, ReviewRating

Cell = str | int | float | None
XLSX_CELL = 32000  # a cell holds at most 32,767 characters: longer evidence continues on the next row
PDF_CELL = 700


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    widths: tuple[int, ...] = ()
    compact: bool = False  # printed as one paragraph per row (long lists: a table of them is slow to lay out)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]


def _number(figure: Figure | None, spec: YearFigure) -> Cell:
    """The raw value for a spreadsheet, blank where the shown value is hidden or absent."""
    if figure is None:
        return None
    if spec.unit == "count" and texts.small(figure, spec):
        return None
    return round(figure.value, 4)


def _records(review: Review, figure: Figure, spec: YearFigure) -> str:
    """What the evidence names behind a figure: the ids of its records, and what was due with no record to name
    (a report never sent: the group and its deadline). A figure too small to show names nothing, or its list
    would tell the count; a count of records with no ids is anonymous (tips)."""
    if texts.small(figure, spec):
        return _("(fewer than {n}: the records are not listed, as the count is not shown)").format(n=SMALL)
    said = []
    if figure.record_ids:
        said.append(", ".join(str(i) for i in figure.record_ids))
    if figure.missing:
        due: dict[Place, list[str]] = {}
        for missing in figure.missing:
            due.setdefault(missing.place, []).append(fmt_date(missing.due))
        said.append(
            _("due with no record: {items}").format(
                items="; ".join(f"{_name(review, place)}: {', '.join(days)}" for place, days in due.items())
            )
        )
    if said:
        return "; ".join(said)
    if figure.value:
        return _("(anonymous count: no record is named)")
    return _("(none)")


def _places(review: Review, scope: Place) -> tuple[list[Place], list[Place]]:
    """(places whose criteria the file judges, groups whose ratings it lists)."""
    if scope.kind == "ward":
        judged = [scope] + [p.place for p in review.of_kind("area")]
        groups = [p.place for p in review.of_kind("group")]
    else:
        judged = [scope]
        groups = [p.place for p in review.of_kind("group") if p.area_id == scope.id]
    return judged, groups


def _name(review: Review, place: Place) -> str:
    info = review.info(place)
    return info.name if info else str(place.id)


def build(
    review: Review,
    scope: Place,
    settings: Settings,
    ratings: dict[Place, ReviewRating],
    nominations: list[ReviewNomination],
) -> Document:
    """`ratings`: the year's decisions by place (groups' grades, areas' and the ward's standing)."""
    judged, groups = _places(review, scope)
    criteria = Section(
        _("Criteria"),
        [
            _("Place"),
            _("Criterion"),
            _("Legal reference"),
            _("Measure"),
            _("This year ({year})").format(year=review.year),
            _("Last year ({year})").format(year=review.year - 1),
            _("Assessment"),
            _("Evidence"),
        ],
        widths=(18, 50, 36, 26, 18, 18, 14, 40),
    )
    # The ward's file judges the ward and its areas (its groups are in the ratings); an area's, the area and its groups.
    for place in judged + (groups if scope.kind == "area" else []):
        for result in review.results.get(place, []):
            row = result.criterion.row
            spec = review.specs.get(row.figure) if row.figure else None
            if row.figure is None:
                measure = texts.entered_by(row.place_kind)
            else:
                label = _(spec.label) if spec else row.figure
                measure = f"{label} {texts.threshold(spec, row.comparison, row.threshold)}".strip()
            detail = result.reason
            if result.entry is not None:
                detail = "; ".join(
                    x
                    for x in (
                        result.reason,
                        _("proposal: {note}").format(note=result.entry.note) if result.entry.note else "",
                        _("police: {note}").format(note=result.entry.confirm_note)
                        if result.entry.confirm_note
                        else "",
                    )
                    if x
                )
            elif row.figure is not None and result.this_year is not None:
                detail = _("{reason}; records: {source}").format(
                    reason=result.reason, source=result.this_year.source
                )
            criteria.rows.append(
                [
                    _name(review, place),
                    result.criterion.text,
                    row.legal_ref,
                    measure,
                    texts.value(result.this_year, spec) if row.figure else texts.status_name(result.status),
                    texts.value(result.last_year, spec) if row.figure else "",
                    texts.status_name(result.status),
                    detail,
                ]
            )
    standing = Section(
        _("Standing"),
        [
            _("Place"),
            _("Result"),
            _("Criteria not met or without data"),
            _("Proposed by the police"),
            _("Decision"),
            _("Decided on"),
        ],
        widths=(24, 26, 80, 24, 24, 18),
    )
    for place in judged:
        decided = ratings.get(place)
        standing.rows.append(
            [
                _name(review, place),
                _("meets the standard") if review.meets(place) else _("does not meet the standard yet"),
                "\n".join(reasons(review, place)),
                texts.standing_name(decided.proposed_grade) if decided else "—",
                texts.standing_name(decided.final_grade) if decided else "—",
                fmt_datetime(decided.decided_at) if decided and decided.decided_at else "",
            ]
        )
    rated = Section(
        _("Group ratings"),
        [
            _("Group"),
            _("Draft grade"),
            _("Why"),
            _("Draft seen by the leader"),
            _("Leader's comment"),
            _("Proposed by the police"),
            _("Final grade"),
            _("Decided on"),
        ],
        widths=(22, 16, 50, 18, 30, 16, 16, 18),
    )
    for place in groups:
        rating = ratings.get(place)
        rated.rows.append(
            [
                _name(review, place),
                texts.grade_name(grade(settings, review, place)),
                "\n".join(reasons(review, place)),
                fmt_datetime(rating.seen_at) if rating and rating.seen_at else _("not yet"),
                rating.comment if rating else "",
                texts.grade_name(rating.proposed_grade) if rating else "—",
                texts.grade_name(rating.final_grade) if rating else "—",
                fmt_datetime(rating.decided_at) if rating and rating.decided_at else "",
            ]
        )
    figure_places = judged + groups if scope.kind == "area" else judged
    figures = Section(
        _("Figures"),
        [
            _("Place"),
            _("Figure"),
            _("Figure name"),
            _("This year ({year})").format(year=review.year),
            _("Number"),
            _("Last year ({year})").format(year=review.year - 1),
            _("Number"),
        ],
        widths=(24, 40, 28, 22, 10, 22, 10),
    )
    evidence = Section(
        _("Evidence"),
        [_("Figure"), _("Place"), _("Year"), _("Source table"), _("Records counted")],
        widths=(28, 24, 8, 22, 80),
        compact=True,
    )
    for spec in sorted(review.specs.values(), key=lambda s: (s.order, s.name)):
        this_year, last_year = review.figures.get(spec.name, ({}, {}))
        for place in figure_places:
            now, before = this_year.get(place), last_year.get(place)
            figures.rows.append(
                [
                    _name(review, place),
                    _(spec.label),
                    spec.name,
                    texts.value(now, spec),
                    _number(now, spec),
                    texts.value(before, spec),
                    _number(before, spec),
                ]
            )
            for year, found in ((review.year, now), (review.year - 1, before)):
                if found is None:
                    continue
                ids = _records(review, found, spec)
                for start in range(0, len(ids), XLSX_CELL):
                    evidence.rows.append(
                        [spec.name, _name(review, place), year, found.source, ids[start : start + XLSX_CELL]]
                    )
    proposed = Section(
        _("Proposed for recognition"),
        [_("Group"), _("Household or person"), _("Reason"), _("Proposed on")],
        widths=(24, 30, 60, 16),
    )
    group_ids = {p.id for p in groups}
    for nomination in nominations:
        if nomination.group_id in group_ids:
            proposed.rows.append(
                [
                    _name(review, Place("group", nomination.group_id)),
                    nomination.name,
                    nomination.reason,
                    fmt_date(nomination.proposed_at),
                ]
            )
    return Document(
        _("Recognition file “An toàn về an ninh, trật tự” {year}").format(year=review.year),
        _name(review, scope) if scope.kind == "ward" else f"{_name(review, scope)}, {review.ward_name}",
        [standing, criteria, rated, figures, evidence, proposed],
    )


def to_xlsx(document: Document) -> bytes:
    book = Workbook()
    first = True
    for section in document.sections:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = section.title[:31]
        sheet.append([document.title])
        sheet.append([document.subtitle])
        sheet.append(section.header)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append(row)
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.freeze_panes = "A4"
        for index, width in enumerate(section.widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clip(value: Cell) -> str:
    text = "" if value is None else str(value)
    return (
        text
        if len(text) <= PDF_CELL
        else text[: PDF_CELL - 1] + "… " + _("(the full list is in the Excel file)")
    )


def to_pdf(document: Document, locale: str) -> bytes:
    # Imported when a file is made, as handlers/places/printing.py does: most processes never print.
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    regular, bold = _font_files()
    pdf.add_font("dejavu", "", str(regular))
    pdf.add_font("dejavu", "B", str(bold))
    pdf.set_lang(locale)
    pdf.set_creator("An Dân")
    pdf.set_title(document.title)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 14)
    pdf.multi_cell(0, 7, document.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("dejavu", "", 11)
    pdf.multi_cell(0, 6, document.subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in document.sections:
        pdf.ln(4)
        pdf.set_font("dejavu", "B", 11)
        pdf.multi_cell(0, 6, section.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if not section.rows:
            pdf.set_font("dejavu", "", 8)
            pdf.multi_cell(0, 5, _("Nothing to list."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        pdf.set_font("dejavu", "", 7)
        if section.compact:
            for values in section.rows:
                line = " · ".join(_clip(v) for v in values if v not in (None, ""))
                pdf.multi_cell(0, 3.6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        widths = section.widths or tuple(1 for _h in section.header)
        with pdf.table(col_widths=widths, line_height=3.6, first_row_as_headings=True) as table:
            heading = table.row()
            for title in section.header:
                heading.cell(title)
            for values in section.rows:
                row = table.row()
                for value in values:
                    row.cell(_clip(value))
    return bytes(pdf.output())
