"""/tinbao (/tips): the ward police inbox — lists with filters, one tip in full, and its one-press actions (what
each press does is in flows/police_actions.py).

Every view and action checks that the officer is police of the tip's ward and is written to the audit log with
the officer as actor. The tipster never appears in either.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.delivery.outbox import progress
from bot.directory.people import holds
from bot.i18n import N_, _, fmt_datetime
from handlers.cameras.buttons import tip_choice
from handlers.tips.buttons import (
    AckTip,
    AskTipster,
    AssignTip,
    CategoryFilters,
    ChangeStatus,
    ExportTip,
    ExtendDeadline,
    ListTips,
    OpenTip,
    OriginalFiles,
    ReplyToTipster,
    RewardView,
)
from handlers.tips.clocks import Rules, is_overdue, overdue_where
from handlers.tips.notify import notify_officers, reachable, tell_tipster
from handlers.tips.store import police_of_ward, ward_name
from handlers.tips.texts import (
    CATEGORIES,
    category_name,
    clocks_lines,
    occurred_label,
    officer_label,
    place_of,
    status_name,
)
from models import Person, Role, Tip, TipAttachment, TipMessage, TipStatus
from models.base import pk
from models.outbox import OutboxStatus

router = Router("tips.police")
POLICE = {Role.POLICE.value}
PAGE = 15
FILTERS = {"open": N_("Open"), "new": N_("New"), "overdue": N_("Overdue"), "closed": N_("Closed")}
NEXT_STATUS = {
    TipStatus.NEW: [TipStatus.VERIFYING, TipStatus.TRANSFERRED, TipStatus.RESOLVED, TipStatus.DISMISSED],
    TipStatus.ACKNOWLEDGED: [
        TipStatus.VERIFYING,
        TipStatus.TRANSFERRED,
        TipStatus.RESOLVED,
        TipStatus.DISMISSED,
    ],
    TipStatus.VERIFYING: [TipStatus.TRANSFERRED, TipStatus.RESOLVED, TipStatus.DISMISSED],
}


@router.command("tinbao", "tips", help=N_("Tips received by your ward (police)"), roles=POLICE)
async def inbox(ctx: Context) -> None:
    await show_list(ctx, ctx.event.args.strip().lower() or "open")


async def show_list(ctx: Context, wanted: str) -> None:
    """`wanted` as typed after /tinbao or carried by a ListTips button: a key of FILTERS (or its Vietnamese
    alias), or a category (ListTips.of_category) for its open tips."""
    wards = await police_wards(ctx)
    query = select(Tip).where(col(Tip.ward_code).in_(wards), col(Tip.purged_at).is_(None))
    category = ListTips.category_in(wanted)
    if category in CATEGORIES:
        query = query.where(Tip.category == category, col(Tip.status).in_(TipStatus.OPEN))
    elif wanted == "new" or wanted == "moi":
        query = query.where(Tip.status == TipStatus.NEW)
    elif wanted == "closed":
        query = query.where(col(Tip.status).in_(TipStatus.CLOSED))
    else:
        query = query.where(col(Tip.status).in_(TipStatus.OPEN))
        if wanted in ("overdue", "quahan"):
            now = clock.now()
            query = query.where(overdue_where(now))
    tips = list((await ctx.session.exec(query.order_by(col(Tip.id).desc()).limit(PAGE))).all())
    ctx.audit(
        "tip.list", "tip", None, wards[0] if len(wards) == 1 else None, filter=wanted[:20], shown=len(tips)
    )
    lines = [
        _("Tips ({filter}): {n} shown, newest first.").format(
            filter=_(FILTERS.get(wanted, N_("Open"))), n=len(tips)
        )
    ]
    if not tips:
        lines.append(_("None."))
    choices = []
    for tip in tips:
        late = " ⚠" if is_overdue(tip, rules=Rules.of(ctx.app.settings)) else ""
        choices.append(
            Choice(
                f"{tip.id} · {category_name(tip.category)} · {status_name(tip.status)}{late}",
                OpenTip(pk(tip)),
            )
        )
    choices += [Choice(_(label), ListTips(key)) for key, label in FILTERS.items() if key != wanted]
    choices.append(Choice(_("By category"), CategoryFilters(0)))
    ctx.reply("\n".join(lines), choices)


async def show_categories(ctx: Context) -> None:
    ctx.reply(
        _("Which category?"),
        [Choice(_(label), ListTips.of_category(key)) for key, label in CATEGORIES.items()],
    )


async def show_tip(ctx: Context, tip: Tip) -> None:
    assert tip.id is not None
    ctx.audit("tip.view", "tip", str(tip.id), tip.ward_code)
    assigned = await ctx.session.get(Person, tip.assigned_to) if tip.assigned_to else None
    lines = [
        _("Tip no. {number} — {category} — {status}").format(
            number=tip.id, category=category_name(tip.category), status=status_name(tip.status)
        ),
        _("Ward: {ward}. Received {when}.").format(
            ward=await ward_name(ctx.session, tip.ward_code), when=fmt_datetime(tip.received_at)
        ),
    ]
    if tip.anonymous:
        lines.append(
            _("Anonymous tip. Replies reach the tipster through An Dân: {answer}.").format(
                answer=_("yes")
                if await reachable(ctx.session, tip)
                else _("no, only when they look the tip up")
            )
        )
    else:
        lines.append(
            _("Named tip (tố giác): {name}, phone {phone}.").format(
                name=tip.reporter_name, phone=tip.reporter_phone
            )
        )
    lines += [
        _("What happened: {text}").format(text=tip.text or "—"),
        _("Where: {place}").format(place=place_of(tip)),
        _("When: {when}").format(when=occurred_label(tip.occurred)),
        _("Assigned to: {officer}").format(officer=officer_label(assigned)),
        *clocks_lines(tip, Rules.of(ctx.app.settings)),
    ]
    if tip.outcome_reason:
        lines.append(_("Outcome: {reason}").format(reason=tip.outcome_reason))
    messages = (
        await ctx.session.exec(
            select(TipMessage).where(TipMessage.tip_id == tip.id).order_by(col(TipMessage.id))
        )
    ).all()
    for m in messages:
        who = _("Tipster") if m.direction == "tipster" else _("Police")
        lines.append(f"{fmt_datetime(m.at)} — {who}: {m.text}")
    waiting = (await progress(ctx.session, "tip", str(tip.id))).get(OutboxStatus.HELD, 0)
    if waiting:
        lines.append(
            _(
                "Not delivered yet: {count} message(s) to the tipster. Zalo lets An Dân write to a person only "
                "for a few days after their last message; they go out as soon as the tipster writes again."
            ).format(count=waiting)
        )
    files = (
        await ctx.session.exec(
            select(TipAttachment).where(TipAttachment.tip_id == tip.id).order_by(col(TipAttachment.id))
        )
    ).all()
    media = tuple(
        Media(
            kind="image" if a.kind == "photo" else "file",
            url=a.police_ref,
            filename=file_name(tip, i, a),
            caption=_("Attachment {i} (metadata removed)").format(i=i)
            if a.stripped
            else _("Attachment {i} (kept as sent)").format(i=i),
        )
        for i, a in enumerate(files, 1)
        if a.police_ref
    )
    for i, a in enumerate(files, 1):
        if not a.police_ref:
            lines.append(
                _(
                    "Attachment {i}: a photo that could not be cleaned of its metadata; ask for the original "
                    "only if needed."
                ).format(i=i)
            )
    ctx.reply("\n".join(lines), actions(tip, bool(files)), media)


EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "image/heic": "heic",
    "image/webp": "webp",
    # the kinds bot.cleaning produces, so an officer's download opens in the right program
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/ogg": "ogv",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "audio/amr": "amr",
    "audio/webm": "weba",
    "audio/x-matroska": "mka",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


def file_name(tip: Tip, index: int, attachment: TipAttachment, original: bool = False) -> str:
    """A neutral name: the tipster's own file name could carry their name or device."""
    ext = EXTENSIONS.get(attachment.mime_type, "bin")
    return f"tip-{tip.id}-{index}{'-original' if original else ''}.{ext}"


def actions(tip: Tip, has_files: bool) -> list[Choice]:
    n = pk(tip)
    found: list[Choice] = []
    if tip.status == TipStatus.NEW:
        found.append(Choice(_("Acknowledge receipt"), AckTip(n)))
    if tip.status in TipStatus.OPEN:
        found += [
            Choice(_("Reply to the tipster"), ReplyToTipster(n)),
            Choice(_("Ask for more information"), AskTipster(n)),
            Choice(_("Assign"), AssignTip(n)),
            Choice(_("Change status"), ChangeStatus(n)),
        ]
    if tip.status == TipStatus.TRANSFERRED:
        # The art. 147 deadline is the investigating body's: the ward police record what they were told of it.
        found.append(Choice(_("Record an extension they told you of"), ExtendDeadline(n)))
    found.append(Choice(_("Useful tip and reward"), RewardView(n)))
    found.append(Choice(_("Export as a record"), ExportTip(n)))
    found.append(tip_choice(n))  # footage from cameras near the tip (handlers/cameras)
    if has_files:
        found.append(Choice(_("Original files"), OriginalFiles(n)))
    return found


async def acknowledge(ctx: Context, tip: Tip) -> None:
    """Record the notice of receipt and send it to the tipster (or keep it for their look-up)."""
    if tip.acknowledged_at is not None:
        ctx.reply(_("Tip no. {number} was already acknowledged.").format(number=tip.id))
        return
    number = pk(tip)
    tip.acknowledged_at = clock.now()
    if tip.status == TipStatus.NEW:
        tip.status = TipStatus.ACKNOWLEDGED
    if tip.assigned_to is None:
        tip.assigned_to = ctx.person_id
    ctx.session.add(tip)

    def text_fn() -> str:
        return _(
            "Notice of receipt: the ward police have received your tip no. {number} and will look into it."
        ).format(number=number)

    ctx.session.add(
        TipMessage(
            tip_id=number, direction="police", kind="notice", text=text_fn(), author_person_id=ctx.person_id
        )
    )
    sent = await tell_tipster(
        ctx.session, tip, text_fn, dedupe=f"tip:{number}:ack", quiet_hours=ctx.app.settings.quiet_hours
    )
    ctx.audit("tip.acknowledge", "tip", str(number), tip.ward_code, delivered=sent)
    # What usually comes next, one press away: Telegram takes the tip card's buttons away once one is pressed.
    ctx.reply(
        _("Tip no. {number} acknowledged.").format(number=number) + " " + delivered_note(sent),
        [
            Choice(_("Reply to the tipster"), ReplyToTipster(number)),
            Choice(_("Ask for more information"), AskTipster(number)),
            Choice(_("Open the tip"), OpenTip(number)),
        ],
    )


def delivered_note(sent: bool) -> str:
    if sent:
        return _("The tipster will receive it.")
    return _("The tipster cannot be reached through An Dân; they will see it when they look the tip up.")


async def notify_assignee(ctx: Context, tip: Tip, officer: Person) -> None:
    number = pk(tip)
    from bot.core.replies import Reply

    await notify_officers(
        ctx.session,
        tip,
        lambda: Reply(
            _("Tip no. {number} has been assigned to you.").format(number=number),
            (Choice(_("Open it"), OpenTip(number)),),
        ),
        dedupe=f"tip:{number}:assign:{officer.id}:{clock.now().isoformat()}",
    )


async def ward_officers(ctx: Context, tip: Tip) -> list[Person]:
    return await police_of_ward(ctx.session, tip.ward_code)


async def police_wards(ctx: Context) -> list[int]:
    return sorted({g.ward_code for g in await ctx.grants() if g.role == Role.POLICE})


async def officer_tip(ctx: Context, tip_id: str | int | None) -> Tip | None:
    """The tip, if the person is police of its ward; otherwise a reply that reveals nothing about it."""
    tip = await ctx.session.get(Tip, int(str(tip_id))) if str(tip_id or "").isdigit() else None
    if (
        tip is None
        or tip.purged_at is not None
        or not holds(await ctx.grants(), Role.POLICE, ward_code=tip.ward_code)
    ):
        ctx.reply(_("There is no tip with that number in your ward."))
        return None
    return tip
