"""/tongket (/yearreview): the ward admin's and police's view of the year in review: progress through the year,
the ward's figures the criteria rest on beside last year's ("so sánh với năm ngoái" leads here), the recognition files of the ward and of each area (XLSX and PDF), showing the drafts to group leaders, and the
year's criteria (the ward admin edits their texts, each edit a new version, and the thresholds of computed ones)."""

from __future__ import annotations

import asyncio

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.menu import command_payload, label_for
from bot.core.payloads import read_any
from bot.core.replies import Choice, Media, Reply
from bot.core.router import Router
from bot.delivery.outbox import enqueue_to_people
from bot.directory.geo import ward_kind_word
from bot.extensions.year_figures import Place
from bot.i18n import N_, _, current_locale, fmt_number
from bot.textnorm import fold
from handlers.review import access, criteria, document, evaluate, store, texts
from handlers.review.buttons import (
    AreaFiles,
    CriteriaList,
    EditCriterion,
    EditText,
    EditThreshold,
    GroupList,
    PlaceList,
    ReviewFile,
    ShowDrafts,
    Waiting,
)
from handlers.review.store import leaders_of
from models import Person, Role
from models.review import ReviewCriterion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_TEXT = 20
MAX_COUNT = 10_000

router = Router("review.overview")
editing = Flow("review_text", steps=("text",))
thresholds = Flow("review_threshold", steps=("value",))


@router.command(
    "tongket",
    "yearreview",
    help=N_("The year in review: ratings and the recognition file"),
    roles=[Role.WARD_ADMIN, Role.POLICE],
)
async def overview(ctx: Context) -> None:
    review = await access.officials_review(ctx)
    if review is None:  # not so: the command is for ward admins and police only
        return
    ward, year = review.ward_code, review.year
    ratings = await store.ratings(ctx.session, ward, year)
    groups = review.of_kind("group")
    grades = [evaluate.grade(ctx.app.settings, review, g.place) for g in groups]
    waiting = await store.waiting_entries(ctx.session, ward, year)
    missing = sum(1 for g in groups for r in review.results[g.place] if r.status == "missing")
    areas = review.of_kind("area")
    lines = [
        _("The year in review {year}, {ward}.").format(year=year, ward=review.ward_name),
        _(
            "Groups: {n}. Drafts shown to leaders: {shown}; seen by leaders: {seen}; grades proposed by the police: "
            "{proposed}; final grades: {final}."
        ).format(
            n=fmt_number(len(groups)),
            shown=fmt_number(sum(1 for r in ratings.values() if r.shown_at)),
            seen=fmt_number(sum(1 for r in ratings.values() if r.seen_at)),
            proposed=fmt_number(sum(1 for r in ratings.values() if r.proposed_grade)),
            final=fmt_number(sum(1 for r in ratings.values() if r.final_grade)),
        ),
        _("Draft grades: {grades}.").format(
            grades=", ".join(f"{texts.grade_name(g)} {fmt_number(grades.count(g))}" for g in texts.GRADES)
        ),
        _("Entered criteria waiting for the police: {waiting}; not entered yet: {missing}.").format(
            waiting=fmt_number(len(waiting)), missing=fmt_number(missing)
        ),
        _("Residential areas meeting the standard so far: {n} of {total}. The ward: {ward}.").format(
            n=fmt_number(sum(1 for a in areas if review.meets(a.place))),
            total=fmt_number(len(areas)),
            ward=_("meets it") if review.meets(Place("ward", ward)) else _("not yet"),
        ),
        *beside_last_year(review),
    ]
    kind = await ward_kind_word(ctx.session, ward)  # "phường", "xã" or "đặc khu": the ward's own word
    ctx.reply(
        "\n".join(lines),
        [
            Choice(_("The {kind}'s file (Excel)").format(kind=kind), ReviewFile("ward", ward, "xlsx")),
            Choice(_("The {kind}'s file (PDF)").format(kind=kind), ReviewFile("ward", ward, "pdf")),
            Choice(_("An area's file"), AreaFiles(0)),
            Choice(_("Groups' ratings"), GroupList()),
            Choice(_("Areas and the {kind}").format(kind=kind), PlaceList()),
            Choice(_("Waiting for the police"), Waiting()),
            Choice(_("Show drafts to group leaders"), ShowDrafts()),
            Choice(_("The criteria"), CriteriaList()),
        ],
    )


def beside_last_year(review: evaluate.Review) -> list[str]:
    """The ward's figures that the year's criteria rest on, this year beside last year, as the file shows them
    (small counts hidden): what the year-end meeting compares."""
    ward = Place("ward", review.ward_code)
    used = {c.row.figure for c in review.criteria if c.row.figure}
    specs = sorted((s for s in review.specs.values() if s.name in used), key=lambda s: (s.order, s.name))
    if not specs:
        return []
    lines = [
        _("The {ward}'s figures, {year} beside {last}:").format(
            ward=review.ward_name, year=review.year, last=review.year - 1
        )
    ]
    for spec in specs:
        now, before = review.figures.get(spec.name, ({}, {}))
        lines.append(
            _("• {label}: {this_year} ({last}: {last_year})").format(
                label=_(spec.label),
                this_year=texts.value(now.get(ward), spec),
                last=review.year - 1,
                last_year=texts.value(before.get(ward), spec),
            )
        )
    return lines


@router.choice(ReviewFile)
async def on_file(ctx: Context) -> None:
    pressed = ReviewFile.read(ctx)
    if pressed is None:
        raise NotChosen()
    review = await access.officials_review(
        ctx, _("Sorry, the recognition file is for the ward admin and the police.")
    )
    if review is None:
        return
    ward, year = review.ward_code, review.year
    scope = Place("ward", ward) if pressed.scope == "ward" else Place("area", pressed.place_id)
    if scope.kind == "ward" and pressed.place_id != ward or review.info(scope) is None:
        access.not_in_ward(ctx)
        return
    built = document.build(
        review,
        scope,
        ctx.app.settings,
        {
            Place(kind, place_id): row
            for kind in ("group", "area", "ward")
            for place_id, row in (await store.ratings(ctx.session, ward, year, kind)).items()
        },
        await store.nominations(ctx.session, ward, year),
    )
    stem = f"ho-so-an-toan-antt-{year}-{scope.kind}-{scope.id}"
    # Writing a ward's workbook or PDF takes long for a big ward: off the event loop (the locale goes along).
    if pressed.format == "xlsx":
        data, mime, filename = await asyncio.to_thread(document.to_xlsx, built), XLSX, stem + ".xlsx"
    else:
        data = await asyncio.to_thread(document.to_pdf, built, current_locale())
        mime, filename = "application/pdf", stem + ".pdf"
    ref = await ctx.app.media.put(data, mime, filename)
    ctx.audit("review.file_made", scope.kind, str(scope.id), ward, year=year, format=pressed.format)
    ctx.reply(
        built.title + " — " + built.subtitle,
        media=(Media(kind="file", url=ref, filename=filename, caption=built.title),),
    )


@router.choice(AreaFiles)
async def on_area_files(ctx: Context) -> None:
    pressed = AreaFiles.read(ctx)
    if pressed is None:
        raise NotChosen()
    ward = await access.officials_ward(
        ctx, _("Sorry, the recognition file is for the ward admin and the police.")
    )
    if ward is None:
        return
    _name, places = await evaluate.places_of(ctx.session, ward, evaluate.review_year())
    areas = [p for p in places if p.place.kind == "area"]
    if pressed.area_id == 0 and not areas:
        # Nothing to choose: say so, and where areas are added (the ward admin's /diaban), not "Which area?".
        places_entry = label_for(ctx.app.registry, "diaban")
        admin = Role.WARD_ADMIN in await ctx.roles()
        ctx.reply(
            _(
                "The ward has no residential area yet, so there is no area's file. The ward admin adds the areas "
                "and groups in /diaban; the ward's file covers the whole ward meanwhile."
            ),
            [Choice(places_entry, command_payload("diaban"))] if admin else [],
        )
        return
    if pressed.area_id == 0:
        ctx.reply(_("Which area?"), [Choice(a.name[:60], AreaFiles(a.place.id)) for a in areas])
        return
    area = next((a for a in areas if a.place.id == pressed.area_id), None)
    if area is None:
        access.not_in_ward(ctx)
        return
    ctx.reply(
        area.name,
        [
            Choice(_("Excel"), ReviewFile("area", area.place.id, "xlsx")),
            Choice(_("PDF"), ReviewFile("area", area.place.id, "pdf")),
        ],
    )


@router.choice(ShowDrafts)
async def on_show(ctx: Context) -> None:
    if ShowDrafts.read(ctx) is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    ward, year = review.ward_code, review.year
    now = clock.now()
    for info in review.of_kind("group"):
        row = await store.rating(ctx.session, ward, year, "group", info.place.id)
        store.record_draft(
            row, evaluate.grade(ctx.app.settings, review, info.place), evaluate.reasons(review, info.place)
        )
        row.shown_at = row.shown_at or now
        ctx.session.add(row)

    def key(person: Person) -> str:
        return f"review-draft:{ward}:{year}:{person.id}"

    leaders = await store.not_yet_sent(ctx.session, await leaders_of(ctx.session, ward), key)
    await enqueue_to_people(
        ctx.session,
        leaders,
        lambda: _draft_ready(year),
        kind="reminder",
        dedupe_key=key,
        source_kind="review_draft",
        source_id=f"{ward}:{year}",
    )
    ctx.audit("review.drafts_shown", "ward", str(ward), ward, year=year, leaders=len(leaders))
    ctx.reply(
        _(
            "The drafts are open to the group leaders; {n} leaders were told to look at them with /xeploai."
        ).format(n=fmt_number(len(leaders)))
    )


def _draft_ready(year: int) -> Reply:
    return Reply(
        _(
            "The draft rating of your group for {year} is ready. Look at it, add what is missing and comment: /xeploai"
        ).format(year=year)
    )


@router.choice(CriteriaList)
async def on_criteria(ctx: Context) -> None:
    if CriteriaList.read(ctx) is None:
        raise NotChosen()
    ward = await access.officials_ward(ctx)
    if ward is None:
        return
    year = evaluate.review_year()
    await criteria.ensure_year(ctx.session, ward, year, ctx.app.settings.default_locale)
    found = await criteria.of_year(ctx.session, ward, year)
    kinds = {
        "group": _("Self-managed groups"),
        "area": _("Residential areas"),
        "ward": _("The ward"),
        "organisation": _("Organisations"),
    }
    lines, choices = [], []
    admin = Role.WARD_ADMIN in await ctx.roles()
    for number, item in enumerate(found, 1):
        lines.append(
            f"{number}. [{kinds.get(item.row.place_kind, item.row.place_kind)}] {item.text}\n   "
            + _("{ref} (text version {v})").format(ref=item.row.legal_ref, v=item.version)
            + "\n   "
            + _("Measure: {measure}.").format(measure=measure(ctx, item.row))
        )
        if admin:
            choices.append(Choice(_("Edit no. {n}").format(n=number), EditCriterion(item.id)))
    ctx.reply("\n".join(lines), choices)


def measure(ctx: Context, row: ReviewCriterion) -> str:
    if row.figure is None:
        return texts.entered_by(row.place_kind)
    spec = ctx.app.registry.year_figures.get(row.figure)
    label = _(spec.label) if spec else row.figure
    return f"{label} {texts.threshold(spec, row.comparison, row.threshold)}".strip()


async def editable(ctx: Context, criterion_id: int) -> ReviewCriterion | None:
    return await access.of_own_ward(
        ctx,
        await ctx.session.get(ReviewCriterion, criterion_id),
        Role.WARD_ADMIN,
        _("Sorry, the ward admin of that ward edits its criteria."),
    )


@router.choice(EditCriterion)
async def on_edit(ctx: Context) -> None:
    pressed = read_any(ctx, EditCriterion, EditText, EditThreshold)
    if not isinstance(pressed, EditCriterion | EditText | EditThreshold):
        raise NotChosen()
    row = await editable(ctx, pressed.criterion_id)
    if row is None:
        return
    if isinstance(pressed, EditText):
        ctx.begin("review_text", criterion_id=row.id)
    elif isinstance(pressed, EditThreshold) and row.figure is not None:
        ctx.begin("review_threshold", criterion_id=row.id)
    else:
        choices = [Choice(_("Edit the text"), EditText(int(row.id or 0)))]
        if row.figure is not None:
            choices.append(Choice(_("Change the threshold"), EditThreshold(int(row.id or 0))))
        ctx.reply(_("Measure: {measure}.").format(measure=measure(ctx, row)), choices)


@router.choice(EditText)
async def on_edit_text(ctx: Context) -> None:
    await on_edit(ctx)


@router.choice(EditThreshold)
async def on_edit_threshold(ctx: Context) -> None:
    await on_edit(ctx)


@thresholds.ask("value")
async def ask_value(ctx: Context) -> None:
    row = await ctx.session.get(ReviewCriterion, ctx.data["criterion_id"])
    assert row is not None
    spec = ctx.app.registry.year_figures.get(row.figure or "")
    if spec is not None and spec.unit == "share":
        ctx.reply(_("Type the new threshold as a percentage from 0 to 100, for example 90."))
    else:
        ctx.reply(_("Type the new threshold as a whole number, for example 0."))


@thresholds.on("value")
async def on_value(ctx: Context) -> Outcome:
    row = await ctx.session.get(ReviewCriterion, ctx.data["criterion_id"])
    if row is None or row.ward_code != await store.official_ward(ctx):
        ctx.reply(_("Sorry, the ward admin of that ward edits its criteria."))
        return finish()
    spec = ctx.app.registry.year_figures.get(row.figure or "")
    typed = ctx.event.text.strip().rstrip("%").replace(",", ".").strip()
    try:
        value = float(typed)
    except ValueError:
        return retry(_("Please type a number."))
    share = spec is not None and spec.unit == "share"
    if not 0 <= value <= (100 if share else MAX_COUNT) or (not share and value != int(value)):
        return retry(_("Please type a number in the range asked."))
    old, row.threshold = row.threshold, value / 100 if share else value
    ctx.session.add(row)
    ctx.audit(
        "review.threshold_changed", "review_criterion", str(row.id), row.ward_code, old=old, new=row.threshold
    )
    ctx.reply(_("Saved. Measure: {measure}.").format(measure=measure(ctx, row)))
    return finish()


@editing.ask("text")
async def ask_text(ctx: Context) -> None:
    ctx.reply(_("Type the criterion's new text in one message. The earlier versions are kept."))


@editing.on("text")
async def on_text(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if ctx.event.choice or len(text) < MIN_TEXT:
        return retry(_("A criterion needs at least a full sentence."))
    if len(text) > criteria.MAX_TEXT:
        return retry(_("That is too long (at most {n} characters).").format(n=criteria.MAX_TEXT))
    row = await ctx.session.get(ReviewCriterion, ctx.data["criterion_id"])
    if row is None or row.ward_code != await store.official_ward(ctx):
        ctx.reply(_("Sorry, the ward admin of that ward edits its criteria."))
        return finish()
    current = next(c for c in await criteria.of_year(ctx.session, row.ward_code, row.year) if c.id == row.id)
    if fold(current.text) == fold(text):
        ctx.reply(_("That is the same text as version {n}; nothing was changed.").format(n=current.version))
        return finish()
    number = await criteria.new_text(ctx.session, current, text, ctx.person_id)
    ctx.audit("review.criterion_edited", "review_criterion", str(row.id), row.ward_code, version=number)
    ctx.reply(_("Saved as version {n}.").format(n=number))
    return finish()
