"""The note every decision of the review carries: the police confirming an entered criterion, the police
proposing and the ward admin recording a group's grade, a leader's proposal and comment, the police entering (the
ward admin proposing) a criterion of an area or the ward. One short form; the
decision is applied (and audited) when the note arrives, after checking again who may make it. A note that says
only what a button just offered said ("đạt" after "Có, đạt") is a press typed, not a note: it is asked again."""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.typed import typed_choice
from bot.core.wording import words
from bot.i18n import _
from handlers.review import access, evaluate, store, texts
from models import Area, Group, Role
from models.review import ReviewCriterion

MAX_NOTE = 1000
flow = Flow("review_note", steps=("note",))


def begin(ctx: Context, action: str, **data: object) -> None:
    # The buttons of the message answered (the conversation's offer until this note is asked): their words typed
    # at the note are not a note.
    offered = [{"label": c["label"], "payload": c["payload"]} for c in ctx.state.choices]
    ctx.begin("review_note", action=action, offered=offered, **data)


def button_words(offered: list[dict[str, str]], text: str) -> bool:
    """Whether `text` says nothing but words of one of the `offered` buttons, or means one of them as a typed
    press does ("ok" for "Có, đạt")."""
    said = set(words(text))
    if not said:
        return False
    return any(said <= set(words(c["label"])) for c in offered) or typed_choice(offered, text) is not None


@flow.ask("note")
async def ask_note(ctx: Context) -> None:
    action = ctx.data["action"]
    if action == "comment":
        ctx.reply(
            _("Type your comment on the draft rating in one message (at most {n} characters).").format(
                n=MAX_NOTE
            )
        )
    elif action == "propose" or (action == "enter" and Role.POLICE not in await ctx.roles()):
        ctx.reply(_("Type a short note the police can check: what you know, and since when."))
    else:
        ctx.reply(_("Type a short note for the record: on what the decision rests."))


@flow.on("note")
async def on_note(ctx: Context) -> Outcome:
    note = " ".join(ctx.event.text.split())
    if ctx.event.choice or len(note) < 2:
        return retry(_("Please type a few words."))
    if len(note) > MAX_NOTE:
        return retry(_("That is too long (at most {n} characters).").format(n=MAX_NOTE))
    if button_words(ctx.data.get("offered", []), note):
        return retry(
            _(
                "That is the button's words, not a note. Please type the note in a few words: what it rests on."
            )
        )
    action = ctx.data["action"]
    if action == "confirm":
        await _confirm(ctx, note)
    elif action == "grade":
        await _grade(ctx, note)
    elif action == "standard":
        await _standard(ctx, note)
    elif action == "propose":
        await _propose(ctx, note)
    elif action == "enter":
        await _enter(ctx, note)
    else:
        await _comment(ctx, note)
    return finish()


async def _confirm(ctx: Context, note: str) -> None:
    entry = await access.entry_to_confirm(ctx, ctx.data["entry_id"])
    if entry is None:
        return
    ward = entry.ward_code
    ok = bool(ctx.data["ok"])
    store.confirm_entry(ctx.session, entry, ok, note, ctx.person_id)
    ctx.audit(
        "review.entry_confirmed" if ok else "review.entry_rejected",
        "review_entry",
        str(entry.id),
        ward,
        note=note,
    )
    ctx.reply(_("Recorded: confirmed.") if ok else _("Recorded: not confirmed."))


async def _grade(ctx: Context, note: str) -> None:
    ward = await store.official_ward(ctx)
    step, grade, year = ctx.data["step"], ctx.data["grade"], int(ctx.data["year"])
    needed = Role.POLICE if step == "propose" else Role.WARD_ADMIN
    if ward is None or needed not in await ctx.roles() or grade not in texts.GRADES:
        ctx.reply(_("Sorry, the police propose a grade and the ward admin records the final one."))
        return
    group = await ctx.session.get(Group, int(ctx.data["group_id"]))
    if group is None or group.ward_code != ward:
        ctx.reply(_("Sorry, that group is not in your ward."))
        return
    row = await store.rating(ctx.session, ward, year, "group", int(group.id or 0))
    now = clock.now()
    if step == "propose":
        row.proposed_grade, row.proposed_note, row.proposed_by, row.proposed_at = (
            grade,
            note,
            ctx.person_id,
            now,
        )
        ctx.audit("review.grade_proposed", "review_rating", str(row.id), ward, grade=grade, note=note)
        ctx.reply(
            _("Proposed: {grade}. The ward admin records the final grade.").format(
                grade=texts.grade_name(grade)
            )
        )
    else:
        if not await store.may_decide(ctx.session, row):
            ctx.reply(
                _(
                    "The group's leader has not seen the draft rating yet, so the final grade cannot be recorded. "
                    "Show the drafts from /tongket and wait until the leader has opened /xeploai."
                )
            )
            return
        row.final_grade, row.final_note, row.decided_by, row.decided_at = grade, note, ctx.person_id, now
        ctx.audit("review.grade_decided", "review_rating", str(row.id), ward, grade=grade, note=note)
        ctx.reply(_("Final grade recorded: {grade}.").format(grade=texts.grade_name(grade)))
    ctx.session.add(row)


async def _standard(ctx: Context, note: str) -> None:
    """Whether an area or the ward meets the standard: the police propose, the ward admin decides."""
    ward = await store.official_ward(ctx)
    step, kind, place_id = ctx.data["step"], ctx.data["kind"], int(ctx.data["place_id"])
    needed = Role.POLICE if step == "propose" else Role.WARD_ADMIN
    if ward is None or needed not in await ctx.roles():
        ctx.reply(
            _("Sorry, the police propose and the ward admin decides whether a place meets the standard.")
        )
        return
    if not await _of_ward(ctx, ward, kind, place_id):
        return
    value = texts.MEETS if ctx.data["meets"] else texts.NOT_MEETS
    row = await store.rating(ctx.session, ward, int(ctx.data["year"]), kind, place_id)
    now = clock.now()
    if step == "propose":
        row.proposed_grade, row.proposed_note, row.proposed_by, row.proposed_at = (
            value,
            note,
            ctx.person_id,
            now,
        )
        ctx.audit("review.standard_proposed", "review_rating", str(row.id), ward, standing=value, note=note)
        ctx.reply(
            _("Proposed: {standing}. The ward admin records the decision.").format(
                standing=texts.standing_name(value)
            )
        )
    else:
        row.final_grade, row.final_note, row.decided_by, row.decided_at = value, note, ctx.person_id, now
        ctx.audit("review.standard_decided", "review_rating", str(row.id), ward, standing=value, note=note)
        ctx.reply(_("Decision recorded: {standing}.").format(standing=texts.standing_name(value)))
    ctx.session.add(row)


async def _of_ward(ctx: Context, ward: int, kind: str, place_id: int) -> bool:
    """Whether the area (or the ward) is the person's ward's; says so when not."""
    area = await ctx.session.get(Area, place_id) if kind == "area" else None
    if (kind == "ward" and place_id != ward) or (kind == "area" and (area is None or area.ward_code != ward)):
        access.not_in_ward(ctx)
        return False
    return True


async def _enter(ctx: Context, note: str) -> None:
    """A criterion of an area or the ward that no figure measures. The police's entry stands as theirs: they are
    the ones who confirm, so it is confirmed as it is made, with their note. The ward admin's is a proposal that
    waits for the police, as a leader's does."""
    ward = await store.official_ward(ctx)
    kind, place_id = ctx.data["kind"], int(ctx.data["place_id"])
    criterion = await ctx.session.get(ReviewCriterion, int(ctx.data["criterion_id"]))
    if (
        ward is None
        or criterion is None
        or criterion.ward_code != ward
        or criterion.figure is not None
        or criterion.place_kind != kind
        or criterion.year != evaluate.review_year()
    ):
        ctx.reply(_("Sorry, the police of the ward enter the criteria of its areas and of the ward."))
        return
    if not await _of_ward(ctx, ward, kind, place_id):
        return
    met = bool(ctx.data["met"])
    police = Role.POLICE in await ctx.roles()
    entry = await store.propose_entry(
        ctx.session, int(criterion.id or 0), ward, kind, place_id, met, "" if police else note, ctx.person_id
    )
    if police:
        store.confirm_entry(ctx.session, entry, True, note, ctx.person_id)
        ctx.audit("review.entry_entered", "review_entry", str(entry.id), ward, met=met, note=note)
        ctx.reply(_("Recorded: {status}.").format(status=texts.status_name("met" if met else "unmet")))
        return
    ctx.audit("review.entry_proposed", "review_entry", str(entry.id), ward, met=met, note=note)
    ctx.reply(_("Sent to the police to confirm: they find it under “Waiting for the police” in /tongket."))


async def _propose(ctx: Context, note: str) -> None:
    group = await store.leader_group(ctx)
    criterion = await ctx.session.get(ReviewCriterion, ctx.data["criterion_id"])
    if (
        group is None
        or criterion is None
        or criterion.ward_code != group.ward_code
        or criterion.figure is not None
    ):
        ctx.reply(_("Sorry, this is for the leader of the group."))
        return
    met = bool(ctx.data["met"])
    entry = await store.propose_entry(
        ctx.session,
        int(criterion.id or 0),
        group.ward_code,
        "group",
        int(group.id or 0),
        met,
        note,
        ctx.person_id,
    )
    ctx.audit("review.entry_proposed", "review_entry", str(entry.id), group.ward_code, met=met, note=note)
    ctx.reply(_("Sent to the police to confirm. You can see where it stands in /xeploai."))


async def _comment(ctx: Context, note: str) -> None:
    group = await store.leader_group(ctx)
    if group is None:
        ctx.reply(_("Sorry, this is for the leader of the group."))
        return
    row = await store.rating(ctx.session, group.ward_code, int(ctx.data["year"]), "group", int(group.id or 0))
    row.comment, row.commented_by, row.commented_at = note, ctx.person_id, clock.now()
    ctx.session.add(row)
    ctx.audit("review.commented", "review_rating", str(row.id), group.ward_code)
    ctx.reply(_("Your comment is saved with the draft; the police and the ward admin see it."))
