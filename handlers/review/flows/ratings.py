"""The ratings for the police and the ward admin (from /tongket): every group with its draft, proposed and final
grade; one group's criteria, the leader's comment, and the buttons to propose (police) or record (ward admin) its
grade; the same for whether each residential area and the ward meet the standard, with the criteria no figure
measures, which the police enter there (an area and the ward have no leader to propose them; the ward admin may
propose them, the police confirm); and the entered criteria waiting for the police to confirm.

On a place's screen the criteria to enter are numbered in the order of their buttons, which come first: a number
typed (or read off the Zalo Bot's numbered lines) is the criterion of that number."""

from __future__ import annotations

from typing import Literal

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice
from bot.core.router import Router
from bot.extensions.year_figures import Place
from bot.i18n import _, fmt_datetime
from handlers.review import access, evaluate, store, texts
from handlers.review.buttons import (
    Confirm,
    FillCriterion,
    Grade,
    GroupList,
    OpenGroup,
    OpenPlace,
    PlaceList,
    PlaceMet,
    Standard,
    Waiting,
)
from handlers.review.criteria import of_year
from handlers.review.flows import notes
from models import Role

router = Router("review.ratings")


@router.choice(GroupList)
async def on_groups(ctx: Context) -> None:
    if GroupList.read(ctx) is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    ratings = await store.ratings(ctx.session, review.ward_code, review.year)
    lines, choices = [], []
    for info in review.of_kind("group"):
        row = ratings.get(info.place.id)
        draft = texts.grade_name(evaluate.grade(ctx.app.settings, review, info.place))
        final = texts.grade_name(row.final_grade) if row and row.final_grade else "—"
        seen = _("seen") if row and row.seen_at else _("not seen")
        lines.append(
            _("{group}: draft {draft} ({seen}), final {final}").format(
                group=info.name, draft=draft, seen=seen, final=final
            )
        )
        choices.append(Choice(info.name[:60], OpenGroup(info.place.id)))
    ctx.reply("\n".join(lines) or _("The ward has no groups yet."), choices)


@router.choice(OpenGroup)
async def on_group(ctx: Context) -> None:
    pressed = OpenGroup.read(ctx)
    if pressed is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    ward, year = review.ward_code, review.year
    place = Place("group", pressed.group_id)
    info = access.in_ward(ctx, review, place)
    if info is None:
        return
    row = await store.rating(ctx.session, ward, year, "group", place.id)
    grade = evaluate.grade(ctx.app.settings, review, place)
    lines = [
        _("{group}, {year}: draft grade {grade}.").format(
            group=info.name, year=year, grade=texts.grade_name(grade)
        )
    ]
    lines += [f"• {reason}" for reason in evaluate.reasons(review, place)]
    lines.append(
        _("The leader saw the draft on {when}.").format(when=fmt_datetime(row.seen_at))
        if row.seen_at
        else _("The leader has not seen the draft yet.")
    )
    if row.comment:
        lines.append(_("Leader's comment: {comment}").format(comment=row.comment))
    if row.proposed_grade:
        lines.append(
            _("Proposed by the police: {grade} — {note}").format(
                grade=texts.grade_name(row.proposed_grade), note=row.proposed_note
            )
        )
    if row.final_grade:
        lines.append(
            _("Final grade: {grade} — {note}").format(
                grade=texts.grade_name(row.final_grade), note=row.final_note
            )
        )
    roles = await ctx.roles()
    step: Literal["propose", "final"] = "final" if Role.WARD_ADMIN in roles else "propose"
    label = _("Record: {grade}") if step == "final" else _("Propose: {grade}")
    choices = [
        Choice(label.format(grade=texts.grade_name(g))[:60], Grade(step, place.id, g)) for g in texts.GRADES
    ]
    ctx.reply("\n".join(lines), choices)


@router.choice(Grade)
async def on_grade(ctx: Context) -> None:
    pressed = Grade.read(ctx)
    if pressed is None:
        raise NotChosen()
    notes.begin(
        ctx,
        "grade",
        step=pressed.step,
        group_id=pressed.group_id,
        grade=pressed.grade,
        year=evaluate.review_year(),
    )


@router.choice(Waiting)
async def on_waiting(ctx: Context) -> None:
    if Waiting.read(ctx) is None:
        raise NotChosen()
    ward = await access.officials_ward(ctx)
    if ward is None:
        return
    year = evaluate.review_year()
    waiting = await store.waiting_entries(ctx.session, ward, year)
    if not waiting:
        ctx.reply(_("Nothing is waiting for the police."))
        return
    found = {c.id: c for c in await of_year(ctx.session, ward, year)}
    _name, places = await evaluate.places_of(ctx.session, ward, year)
    names = {p.place: p.name for p in places}
    police = Role.POLICE in await ctx.roles()
    for entry in waiting[:10]:
        criterion = found.get(entry.criterion_id)
        text = _("{place}: “{criterion}” proposed as {met}. Note: {note}").format(
            place=names.get(Place(entry.place_kind, entry.place_id), "?"),  # type: ignore[arg-type]
            criterion=criterion.text if criterion else "?",
            met=_("met") if entry.met else _("not met"),
            note=entry.note,
        )
        choices = (
            [
                Choice(_("Confirm"), Confirm(int(entry.id or 0), True)),
                Choice(_("Do not confirm"), Confirm(int(entry.id or 0), False)),
            ]
            if police
            else []
        )
        ctx.reply(text, choices)
    if len(waiting) > 10:
        ctx.reply(_("… and {n} more: open this list again when these are done.").format(n=len(waiting) - 10))


@router.choice(Confirm)
async def on_confirm(ctx: Context) -> None:
    pressed = Confirm.read(ctx)
    if pressed is None:
        raise NotChosen()
    if await access.entry_to_confirm(ctx, pressed.entry_id) is None:
        return
    notes.begin(ctx, "confirm", entry_id=pressed.entry_id, ok=pressed.ok)


@router.choice(PlaceList)
async def on_places(ctx: Context) -> None:
    if PlaceList.read(ctx) is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    places = review.of_kind("ward") + review.of_kind("area")
    lines = [
        _("{place}: {standing}").format(
            place=p.name, standing=_("meets the standard") if review.meets(p.place) else _("not yet")
        )
        for p in places
    ]
    choices = [Choice(p.name[:60], OpenPlace(p.place.kind, p.place.id)) for p in places]  # type: ignore[arg-type]
    ctx.reply("\n".join(lines), choices)


@router.choice(OpenPlace)
async def on_place(ctx: Context) -> None:
    pressed = OpenPlace.read(ctx)
    if pressed is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    ward, year = review.ward_code, review.year
    place = Place(pressed.kind, pressed.place_id)
    info = access.in_ward(ctx, review, place)
    if info is None:
        return
    row = await store.rating(ctx.session, ward, year, place.kind, place.id)
    lines = [
        _("{place}, {year}: {standing}.").format(
            place=info.name,
            year=year,
            standing=_("meets the standard") if review.meets(place) else _("does not meet the standard yet"),
        )
    ]
    results = review.results.get(place, [])
    lines += [
        f"• {texts.status_name(r.status)}: {r.reason}"
        for r in results
        if r.status != "met" and not r.criterion.entered
    ]
    roles = await ctx.roles()
    choices: list[Choice] = []
    entered = [r for r in results if r.criterion.entered]
    if entered:
        lines.append(_("Entered by the police:"))
        button = _("Enter no. {n}") if Role.POLICE in roles else _("Propose no. {n}")
        for number, result in enumerate(entered, 1):
            lines.append(
                f"{texts.MARKS[result.status]} {number}. {result.criterion.text}\n   {result.reason}"
            )
            choices.append(
                Choice(
                    button.format(n=number),
                    FillCriterion(pressed.kind, place.id, result.criterion.id, number),
                )
            )
    if row.proposed_grade:
        lines.append(
            _("Proposed by the police: {standing} — {note}").format(
                standing=texts.standing_name(row.proposed_grade), note=row.proposed_note
            )
        )
    if row.final_grade:
        lines.append(
            _("Decided: {standing} — {note}").format(
                standing=texts.standing_name(row.final_grade), note=row.final_note
            )
        )
    step: Literal["propose", "final"] = "final" if Role.WARD_ADMIN in roles else "propose"
    label = _("Record: {standing}") if step == "final" else _("Propose: {standing}")
    choices += [
        Choice(
            label.format(standing=texts.standing_name(texts.MEETS if meets else texts.NOT_MEETS))[:60],
            Standard(step, pressed.kind, place.id, meets),
        )
        for meets in (True, False)
    ]
    ctx.reply("\n".join(lines), choices)


@router.choice(FillCriterion)
async def on_fill(ctx: Context) -> None:
    """A criterion of an area or the ward chosen: was it met this year? The note for the record follows."""
    pressed = FillCriterion.read(ctx)
    if pressed is None:
        raise NotChosen()
    review = await access.officials_review(ctx)
    if review is None:
        return
    place = Place(pressed.kind, pressed.place_id)
    info = access.in_ward(ctx, review, place)
    if info is None:
        return
    criterion = next(
        (
            c
            for c in review.criteria
            if c.id == pressed.criterion_id and c.entered and c.row.place_kind == place.kind
        ),
        None,
    )
    if criterion is None:
        ctx.reply(_("Sorry, that criterion is not one to enter for this place."))
        return
    ctx.reply(
        _("No. {n}: {criterion}").format(n=pressed.number, criterion=criterion.text)
        + "\n"
        + _("Did {place} meet it in {year}? Then type a short note for the record.").format(
            place=info.name, year=review.year
        ),
        [
            Choice(_("Met"), PlaceMet(True, pressed.kind, place.id, criterion.id)),
            Choice(_("Not met"), PlaceMet(False, pressed.kind, place.id, criterion.id)),
        ],
    )


@router.choice(PlaceMet)
async def on_place_met(ctx: Context) -> None:
    answered = PlaceMet.read(ctx)
    if answered is None:
        raise NotChosen()
    notes.begin(
        ctx,
        "enter",
        kind=answered.kind,
        place_id=answered.place_id,
        criterion_id=answered.criterion_id,
        met=answered.yes,
    )


@router.choice(Standard)
async def on_standard(ctx: Context) -> None:
    pressed = Standard.read(ctx)
    if pressed is None:
        raise NotChosen()
    notes.begin(
        ctx,
        "standard",
        step=pressed.step,
        kind=pressed.kind,
        place_id=pressed.place_id,
        meets=pressed.meets,
        year=evaluate.review_year(),
    )
