"""What one press of a police button does: a list, one tip opened, acknowledged, assigned, its status changed,
exported, its originals released.

Actions that need typed words (a reply, a question, a reason) start the short forms in `police_forms`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable

from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.payloads import read_any
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.core.typed import fitting
from bot.directory.geo import ward_kind_word
from bot.i18n import _, fmt_datetime
from handlers.tips.buttons import (
    AckTip,
    AskTipster,
    AssignTip,
    AssignTo,
    CategoryFilters,
    ChangeStatus,
    ExportTip,
    ExtendDeadline,
    ListTips,
    OpenTip,
    OriginalFiles,
    ReleaseOriginals,
    ReplyToTipster,
    SetStatus,
)
from handlers.tips.clocks import Rules, decision_deadline, transfer_deadline
from handlers.tips.flows.police import (
    NEXT_STATUS,
    POLICE,
    acknowledge,
    closed_already,
    file_name,
    notify_assignee,
    officer_tip,
    show_categories,
    show_list,
    show_tip,
    ward_officers,
)
from handlers.tips.store import ward_name
from handlers.tips.texts import category_name, occurred_label, officer_label, place_of, status_name
from models import Person, Tip, TipAttachment, TipMessage, TipStatus
from models.base import pk

router = Router("tips.police_actions")
Action = Callable[[Context, Tip], Awaitable[None]]


@router.choice(OpenTip)
async def on_press(ctx: Context) -> None:
    """Police buttons ("tipp:<action>:<tip>[:<value>]", see buttons.py); every press re-checks the officer's ward."""
    if not (await ctx.roles()) & POLICE:
        ctx.reply(_("Sorry, this is for the ward police."))
        return
    if ctx.event.is_group:  # others in the group would read the tip
        ctx.reply(_("Please open tips in a private chat with me: type /tinbao there."))
        return
    pressed = read_any(
        ctx,
        ListTips,
        CategoryFilters,
        OpenTip,
        AckTip,
        ReplyToTipster,
        AskTipster,
        AssignTip,
        AssignTo,
        ChangeStatus,
        SetStatus,
        ExtendDeadline,
        ExportTip,
        OriginalFiles,
        ReleaseOriginals,
    )
    match pressed:
        case ListTips(wanted=wanted):
            await show_list(ctx, wanted or "open")
        case CategoryFilters():
            await show_categories(ctx)
        case OpenTip(tip_id=n):
            await on_tip(ctx, n, show_tip)
        case AckTip(tip_id=n):
            await on_tip(ctx, n, acknowledge, open_only=True)
        case ReplyToTipster(tip_id=n):
            await on_tip(ctx, n, reply, open_only=True)
        case AskTipster(tip_id=n):
            await on_tip(ctx, n, ask, open_only=True)
        case AssignTip(tip_id=n):
            await on_tip(ctx, n, assign, open_only=True)
        case AssignTo(tip_id=n, officer_id=officer_id):
            await on_tip(ctx, n, lambda c, tip: assign_to(c, tip, officer_id), open_only=True)
        case ChangeStatus(tip_id=n):
            await on_tip(ctx, n, status, open_only=True)
        case SetStatus(tip_id=n, status=new_status):
            await on_tip(ctx, n, lambda c, tip: set_status(c, tip, new_status), open_only=True)
        case ExtendDeadline(tip_id=n):
            await on_tip(ctx, n, extend)
        case ExportTip(tip_id=n):
            await on_tip(ctx, n, export)
        case OriginalFiles(tip_id=n):
            await on_tip(ctx, n, originals)
        case ReleaseOriginals(tip_id=n):
            await on_tip(ctx, n, originals_ok)
        case _:
            raise NotChosen()


async def on_tip(ctx: Context, tip_id: int, action: Action, *, open_only: bool = False) -> None:
    """Run `action` on the tip if the officer is police of its ward (otherwise a reply that reveals nothing); an
    action that changes an open tip (`open_only`), pressed on a tip closed meanwhile, says so and does nothing."""
    tip = await officer_tip(ctx, tip_id)
    if tip is None:
        return
    if open_only and tip.status in TipStatus.CLOSED:
        await closed_already(ctx, tip)
        return
    await action(ctx, tip)


async def reply(ctx: Context, tip: Tip) -> None:
    ctx.begin("tip_answer", tip=tip.id, kind="reply")


async def ask(ctx: Context, tip: Tip) -> None:
    ctx.begin("tip_answer", tip=tip.id, kind="ask")


async def assign(ctx: Context, tip: Tip) -> None:
    officers = await ward_officers(ctx, tip)
    ctx.reply(
        _("Assign tip no. {number} to:").format(number=tip.id),
        [
            Choice(
                officer_label(o) + (_(" (you)") if o.id == ctx.person_id else ""), AssignTo(pk(tip), pk(o))
            )
            for o in officers[:20]
        ],
    )


async def assign_to(ctx: Context, tip: Tip, officer_id: int) -> None:
    officer = next((o for o in await ward_officers(ctx, tip) if o.id == officer_id), None)
    if officer is None:
        ctx.reply(_("That officer is not police of this ward."))
        return
    tip.assigned_to = officer.id
    ctx.session.add(tip)
    ctx.audit("tip.assign", "tip", str(tip.id), tip.ward_code, officer=officer.id)
    if officer.id != ctx.person_id:
        await notify_assignee(ctx, tip, officer)
    ctx.reply(
        _("Tip no. {number} is assigned to {officer}.").format(number=tip.id, officer=officer_label(officer))
    )


async def status(ctx: Context, tip: Tip) -> None:
    options = NEXT_STATUS.get(tip.status, [])
    if not options:
        ctx.reply(_("Tip no. {number} is closed.").format(number=tip.id))
        return
    choices = [Choice(status_name(s), SetStatus(pk(tip), s)) for s in options]
    # Typed rather than pressed (a press carries no text): under the tip, "giải quyết" or "xong" is the status it
    # names, and words that fit two statuses equally ("xác minh xong") ask which of those two (SetStatus.ask_which).
    meant = fitting([{"label": c.label, "payload": c.payload} for c in choices], ctx.event.text)
    named = SetStatus.unpack(meant[0]) if len(meant) == 1 else None
    if named is not None:
        await set_status(ctx, tip, named.status)
        return
    ctx.reply(
        _("New status of tip no. {number}:").format(number=tip.id),
        [c for c in choices if c.payload in meant] or choices,
    )


async def set_status(ctx: Context, tip: Tip, value: str) -> None:
    if value not in NEXT_STATUS.get(tip.status, []):
        ctx.reply(
            _('That change is not possible from status "{status}".').format(status=status_name(tip.status))
        )
        return
    ctx.begin("tip_close", tip=tip.id, status=value)


async def extend(ctx: Context, tip: Tip) -> None:
    """Record an extension of the investigating body's deadline (art. 147) the ward police were told of. The
    same button once let them extend it on an open tip: pressed there, it says why it no longer does."""
    if tip.status != TipStatus.TRANSFERRED:
        ctx.reply(
            _(
                "This button is no longer valid: the decision deadline (Criminal Procedure Code, art. 147) belongs "
                "to the investigating body, not the ward police. After you transfer tip no. {number}, you can "
                "record here an extension they tell you of."
            ).format(number=tip.id)
        )
        return
    due = decision_deadline(tip, Rules.of(ctx.app.settings))
    ctx.begin("tip_extension_told", tip=tip.id, due=due.isoformat())


async def export(ctx: Context, tip: Tip) -> None:
    """A CSV record of the tip (kept encrypted like any media), for the case file."""
    assert tip.id is not None
    messages = (
        await ctx.session.exec(
            select(TipMessage).where(TipMessage.tip_id == tip.id).order_by(col(TipMessage.id))
        )
    ).all()
    files = (await ctx.session.exec(select(TipAttachment).where(TipAttachment.tip_id == tip.id))).all()
    assigned = await ctx.session.get(Person, tip.assigned_to) if tip.assigned_to else None
    rules = Rules.of(ctx.app.settings)
    rows = [
        [_("Field"), _("Value")],
        [_("Tip no."), str(tip.id)],
        [
            (await ward_kind_word(ctx.session, tip.ward_code)).capitalize(),
            await ward_name(ctx.session, tip.ward_code),
        ],
        [_("Category"), category_name(tip.category)],
        [_("Status"), status_name(tip.status)],
        [_("Received"), fmt_datetime(tip.received_at)],
        [_("Kind"), _("anonymous tip") if tip.anonymous else _("named tip (tố giác)")],
        [_("Name"), tip.reporter_name or ""],
        [_("Phone"), tip.reporter_phone or ""],
        [_("What happened"), tip.text or ""],
        [_("Where"), place_of(tip)],
        [_("When"), occurred_label(tip.occurred)],
        [_("Files"), str(len(files))],
        [_("Assigned to"), officer_label(assigned)],
        [_("Notice of receipt due"), fmt_datetime(tip.receipt_due_at)],
        [_("Notice of receipt sent"), fmt_datetime(tip.acknowledged_at) if tip.acknowledged_at else ""],
        [_("Transfer due"), fmt_datetime(transfer_deadline(tip, rules))],
        [_("Investigating body's decision due (information)"), fmt_datetime(decision_deadline(tip, rules))],
        [_("Extension"), tip.extension_reason or ""],
        [_("Closed"), fmt_datetime(tip.closed_at) if tip.closed_at else ""],
        [_("Outcome"), tip.outcome_reason or ""],
    ]
    for m in messages:
        rows.append(
            [fmt_datetime(m.at), (_("Tipster") if m.direction == "tipster" else _("Police")) + ": " + m.text]
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = ("\ufeff" + buffer.getvalue()).encode()  # a BOM so spreadsheet programs read Vietnamese correctly
    name = f"tin-bao-{tip.id}.csv"
    ref = await ctx.app.media.put(data, "text/csv", name)
    ctx.audit("tip.export", "tip", str(tip.id), tip.ward_code)
    ctx.reply(
        _("Record of tip no. {number}:").format(number=tip.id),
        media=(Media(kind="file", url=ref, filename=name),),
    )


async def originals(ctx: Context, tip: Tip) -> None:
    ctx.reply(
        _(
            "The original files may contain the place and time they were taken, the device, even the "
            "tipster's name. Release them only if the case needs them; your request is written to the audit "
            "log."
        ),
        [Choice(_("Release the originals"), ReleaseOriginals(pk(tip)))],
    )


async def originals_ok(ctx: Context, tip: Tip) -> None:
    files = (
        await ctx.session.exec(
            select(TipAttachment).where(TipAttachment.tip_id == tip.id).order_by(col(TipAttachment.id))
        )
    ).all()
    ctx.audit(
        "tip.original_released",
        "tip",
        str(tip.id),
        tip.ward_code,
        attachments=[a.id for a in files],
        at=clock.now().isoformat(),
    )
    media = tuple(
        Media(kind="file", url=a.original_ref, filename=file_name(tip, i, a, original=True))
        for i, a in enumerate(files, 1)
    )
    ctx.reply(_("Original files of tip no. {number} ({n}).").format(number=tip.id, n=len(media)), media=media)
