"""/xeploai: a group leader sees the group's draft rating for the year, with why it is not higher and what is still
missing; proposes the criteria people enter (the police confirm), comments, and proposes households or people for
recognition. Opening it records that the leader saw the draft: the final grade waits for that.

Only the criteria the leader can propose are numbered, in the order of their buttons: a number typed (or read off
the Zalo Bot's numbered lines) is the criterion of that number. The records fill in the others, which are listed
without numbers."""

from __future__ import annotations

from sqlmodel import select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.extensions.year_figures import Place
from bot.i18n import N_, _, fmt_date, fmt_datetime
from handlers.review import criteria, evaluate, store, texts
from handlers.review.buttons import Comment, Met, Nominate, PickCriterion, Propose
from handlers.review.flows import notes
from models import Household, Role
from models.review import ReviewNomination

MAX_NAME, MAX_REASON = 120, 1000

router = Router("review.leader")
nominating = Flow("review_nominate", steps=("name", "reason"))


@router.command(
    "xeploai", "grouprating", help=N_("Your group's draft rating for the year"), roles=[Role.GROUP_ADMIN]
)
async def draft(ctx: Context) -> None:
    group = await store.leader_group(ctx)
    if group is None:
        ctx.reply(_("Sorry, this is for the leader of a self-managed group."))
        return
    year = evaluate.review_year()
    review = await store.review_of(ctx.session, ctx.app.registry, ctx.app.settings, group.ward_code, year)
    place = Place("group", int(group.id or 0))
    info = review.info(place)
    grade = evaluate.grade(ctx.app.settings, review, place)
    if info is None or grade is None:
        # Retired before the year began: no draft to show, and none to record as seen.
        ctx.reply(
            _("{group} was retired on {date}: it has no rating for {year}.").format(
                group=group.name, date=fmt_date(group.retired_at), year=year
            )
            if group.retired_at is not None
            else _("{group} is not in the review of {year}, so it has no rating.").format(
                group=group.name, year=year
            )
        )
        return
    row = await store.rating(ctx.session, group.ward_code, year, "group", place.id)
    now = clock.now()
    store.record_draft(row, grade, evaluate.reasons(review, place))
    if row.seen_at is None:
        row.seen_at, row.seen_by = now, ctx.person_id
        row.shown_at = row.shown_at or now
        ctx.audit("review.draft_seen", "review_rating", str(row.id), group.ward_code, grade=grade)
    ctx.session.add(row)
    lines = [
        _("Draft rating of {group} for {year}: {grade}.").format(
            group=info.name, year=year, grade=texts.grade_name(grade)
        )
    ]
    if group.retired_at is not None:
        lines.append(
            _("The group was retired on {date}: the draft rates what it did until then.").format(
                date=fmt_date(group.retired_at)
            )
        )
    results = review.results.get(place, [])
    measured = [r for r in results if not r.criterion.entered]
    entered = [r for r in results if r.criterion.entered]
    if measured:
        lines.append(_("From the year's records:"))
        lines += [f"{texts.MARKS[r.status]} {r.criterion.text}\n   {r.reason}" for r in measured]
    choices: list[Choice] = []
    if entered:
        lines.append(_("Proposed by you, confirmed by the police:"))
        for number, result in enumerate(entered, 1):
            lines.append(
                f"{texts.MARKS[result.status]} {number}. {result.criterion.text}\n   {result.reason}"
            )
            choices.append(
                Choice(_("Propose no. {n}").format(n=number), PickCriterion(result.criterion.id, number))
            )
    missing = [r for r in results if r.status in ("missing", "waiting")]
    if missing:
        lines.append(
            _(
                "Still missing: {n}. To propose a numbered criterion, choose its number below (or type it)."
            ).format(n=len(missing))
        )
    if row.proposed_grade:
        lines.append(_("Proposed by the police: {grade}.").format(grade=texts.grade_name(row.proposed_grade)))
    if row.final_grade:
        lines.append(
            _("Final grade: {grade} ({when}).").format(
                grade=texts.grade_name(row.final_grade), when=fmt_datetime(row.decided_at or now)
            )
        )
    if row.comment:
        lines.append(_("Your comment: {comment}").format(comment=row.comment))
    choices += [
        Choice(_("Comment on the draft"), Comment()),
        Choice(_("Propose for recognition"), Nominate()),
    ]
    ctx.reply("\n".join(lines), choices)


@router.choice(PickCriterion)
async def on_pick(ctx: Context) -> None:
    """A numbered criterion chosen: did the group meet it this year? The note for the police follows."""
    pressed = PickCriterion.read(ctx)
    if pressed is None:
        raise NotChosen()
    group = await store.leader_group(ctx)
    criterion = None
    if group is not None:
        of_group = await criteria.of_year(ctx.session, group.ward_code, evaluate.review_year(), "group")
        criterion = next((c for c in of_group if c.id == pressed.criterion_id and c.entered), None)
    if criterion is None:
        ctx.reply(_("Sorry, this is for the leader of the group."))
        return
    ctx.reply(
        _("No. {n}: {criterion}").format(n=pressed.number, criterion=criterion.text)
        + "\n"
        + _("Did your group meet it this year? Then type a short note for the police."),
        [Choice(_("Met"), Met(True, criterion.id)), Choice(_("Not met"), Met(False, criterion.id))],
    )


@router.choice(Met)
async def on_met(ctx: Context) -> None:
    answered = Met.read(ctx)
    if answered is None:
        raise NotChosen()
    notes.begin(ctx, "propose", criterion_id=answered.criterion_id, met=answered.yes)


@router.choice(Propose)
async def on_propose(ctx: Context) -> None:
    pressed = Propose.read(ctx)
    if pressed is None:
        raise NotChosen()
    notes.begin(ctx, "propose", criterion_id=pressed.criterion_id, met=pressed.met)


@router.choice(Comment)
async def on_comment(ctx: Context) -> None:
    if Comment.read(ctx) is None:
        raise NotChosen()
    notes.begin(ctx, "comment", year=evaluate.review_year())


@router.choice(Nominate)
async def on_nominate(ctx: Context) -> None:
    if Nominate.read(ctx) is None:
        raise NotChosen()
    ctx.begin("review_nominate", year=evaluate.review_year())


@nominating.ask("name")
async def ask_name(ctx: Context) -> None:
    ctx.reply(
        _(
            "Whom do you propose for recognition? Type the household's address and head, or the person's full name."
        )
    )


@nominating.on("name")
async def on_name(ctx: Context) -> Outcome:
    name = " ".join(ctx.event.text.split())
    if ctx.event.choice or len(name) < 2:
        return retry(_("Please type a name or an address."))
    if len(name) > MAX_NAME:
        return retry(_("That is too long (at most {n} characters).").format(n=MAX_NAME))
    ctx.data["name"] = name
    return goto("reason")


@nominating.ask("reason")
async def ask_reason(ctx: Context) -> None:
    ctx.reply(_("For what? Type what they did this year, in a few sentences."))


@nominating.on("reason")
async def on_reason(ctx: Context) -> Outcome:
    reason = " ".join(ctx.event.text.split())
    if ctx.event.choice or len(reason) < 5:
        return retry(_("Please say in a few words what they did."))
    if len(reason) > MAX_REASON:
        return retry(_("That is too long (at most {n} characters).").format(n=MAX_REASON))
    group = await store.leader_group(ctx)
    if group is None:
        ctx.reply(_("Sorry, this is for the leader of a self-managed group."))
        return finish()
    name: str = ctx.data["name"]
    household = await _household(ctx, int(group.id or 0), name)
    row = ReviewNomination(
        ward_code=group.ward_code,
        year=int(ctx.data["year"]),
        group_id=int(group.id or 0),
        household_id=household,
        name=name,
        reason=reason,
        proposed_by=ctx.person_id,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.audit("review.nominated", "review_nomination", str(row.id), group.ward_code)
    ctx.reply(_("Proposed: {name}. It is listed in the year's recognition file.").format(name=name))
    return finish()


async def _household(ctx: Context, group_id: int, name: str) -> int | None:
    """The group's household the leader named by its exact address, if any (the file then links to it)."""
    found = (
        await ctx.session.exec(
            select(Household.id).where(Household.group_id == group_id, Household.address == name)
        )
    ).first()
    return int(found) if found is not None else None
