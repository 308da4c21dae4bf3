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
from bot.core.wording import holds_any
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
from handlers.tips.store import claim_acknowledgement, police_of_ward, ward_name
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


# What an officer types after /tinbao, or says ("xem tin báo mới", "tin bao qua han"), for each list; accents agree
# where both are written ("mọi tin báo" is every tip, not the new ones). Closed before open: "đã xử lý" is closed,
# "đang xử lý" open.
LIST_WORDS: dict[str, tuple[str, ...]] = {
    "overdue": ("quahan", "quá hạn", "trễ hạn", "overdue"),
    "new": ("mới", "chưa tiếp nhận", "chưa xác nhận", "new"),
    "closed": ("đã đóng", "đã xử lý", "đã giải quyết", "closed"),
    "open": ("đang xử lý", "open"),
}


@router.command("tinbao", "tips", help=N_("Tips received by your ward (police)"), roles=POLICE)
async def inbox(ctx: Context) -> None:
    await show_list(ctx, wanted_list(ctx.event.args))


def wanted_list(typed: str) -> str:
    """The list an officer's words ask for: a key of FILTERS, "cat:<key>" when they name a category ("/tinbao ma
    túy"), or "open". Before, only the keys were read: "/tinbao mới", typed with its accents as officers type it,
    listed every open tip under "Đang xử lý"."""
    text = typed.strip().lower()
    if text in FILTERS or ListTips.category_in(text) in CATEGORIES:
        return text  # a button's own key, or typed as one
    for key, said in LIST_WORDS.items():
        if holds_any(text, said):
            return key
    for key, label in CATEGORIES.items():
        names = {key, *(part.strip() for part in _(label).split(",")), *label.split(" or ")}
        if key != "other" and holds_any(text, [name.lower() for name in names if name.strip()]):
            return ListTips.of_category(key).wanted
    return "open"


async def show_list(ctx: Context, wanted: str) -> None:
    """`wanted` as typed after /tinbao or carried by a ListTips button: a key of FILTERS (or its Vietnamese
    alias), or a category (ListTips.of_category) for its open tips."""
    wards = await police_wards(ctx)
    query = select(Tip).where(col(Tip.ward_code).in_(wards), col(Tip.purged_at).is_(None))
    category = ListTips.category_in(wanted)
    if category in CATEGORIES:
        query = query.where(Tip.category == category, col(Tip.status).in_(TipStatus.OPEN))
    elif wanted == "new":
        query = query.where(Tip.status == TipStatus.NEW)
    elif wanted == "closed":
        query = query.where(col(Tip.status).in_(TipStatus.CLOSED))
    else:
        query = query.where(col(Tip.status).in_(TipStatus.OPEN))
        if wanted == "overdue":
            now = clock.now()
            query = query.where(overdue_where(now))
    tips = list((await ctx.session.exec(query.order_by(col(Tip.id).desc()).limit(PAGE))).all())
    ctx.audit(
        "tip.list", "tip", None, wards[0] if len(wards) == 1 else None, filter=wanted[:20], shown=len(tips)
    )
    lines = [
        _("Tips ({filter}): {n} shown, newest first.").format(
            filter=category_name(category) if category in CATEGORIES else _(FILTERS.get(wanted, N_("Open"))),
            n=len(tips),
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
        # Nothing here names the tipster's chat app: "Zalo lets An Dân write…" told the police how an anonymous
        # tipster writes to An Dân.
        lines.append(
            _(
                "Not delivered yet: {count} message(s) to the tipster, whose chat app does not take them now. They "
                "go out as soon as the tipster writes to An Dân again."
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
    number = pk(tip)
    if tip.acknowledged_at is not None or not await claim_acknowledgement(ctx.session, number, clock.now()):
        ctx.reply(_("Tip no. {number} was already acknowledged.").format(number=tip.id))
        return
    await ctx.session.refresh(tip)
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


async def closed_already(ctx: Context, tip: Tip) -> None:
    """A button that would change a tip another officer closed meanwhile (Telegram keeps a card's buttons on screen
    until one of them is pressed): say when, how and by whom it was closed, and change nothing. Before, "Reply to
    the tipster" asked for the reply and only said so once it was typed, and "Assign" offered the closed tip."""
    notes = await ctx.session.exec(
        select(TipMessage)
        .where(TipMessage.tip_id == tip.id, TipMessage.kind == "status")
        .order_by(col(TipMessage.id).desc())
    )
    # The closing note, not a note made on the way ("being verified": a status that keeps the tip open).
    closing = next((m for m in notes.all() if (m.detail or {}).get("status") in TipStatus.CLOSED), None)
    closer = (
        await ctx.session.get(Person, closing.author_person_id)
        if closing is not None and closing.author_person_id
        else None
    )
    by = (
        _("you")
        if closer is not None and closer.id == ctx.person_id
        else officer_label(closer)
        if closer is not None
        else "—"
    )
    ctx.reply(
        _(
            "Tip no. {number} is already closed ({status}, {when}, by {officer}), so nothing was changed and nothing "
            "can be sent to the tipster any more."
        ).format(
            number=pk(tip),
            status=status_name(tip.status),
            when=fmt_datetime(tip.closed_at) if tip.closed_at else "—",
            officer=by,
        ),
        [Choice(_("Open the tip"), OpenTip(pk(tip)))],
    )


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
