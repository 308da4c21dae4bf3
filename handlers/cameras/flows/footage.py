"""The police's side of footage requests: asking from a tip's view, the ward's recent requests, one request with
every owner's answer, the clips of one answer (only police of the requesting ward; every view audited), and
marking an answer useful or a clip as evidence (kept beyond the retention)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.payloads import read_any
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.i18n import _, fmt_datetime
from handlers.cameras.buttons import (
    AskCamerasNearTip,
    MarkEvidence,
    MarkUseful,
    MyRequests,
    NewRequest,
    OpenAnswer,
    OpenRequest,
)
from handlers.cameras.store import clips_of, is_police_of, person, police_wards, tip_place
from handlers.cameras.texts import ASK_STATUS, window_label
from models.base import pk
from models.cameras import AskStatus, FootageAsk, FootageClip, FootageRequest

router = Router("cameras.footage")
PAGE = 15
EXTENSIONS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "image/jpeg": "jpg",
    "image/png": "png",
}


@router.choice("camp")
async def pressed(ctx: Context) -> None:
    grants = await ctx.grants()
    if not police_wards(grants):
        ctx.reply(_("Only the ward police can do this."))
        return
    match read_any(
        ctx, AskCamerasNearTip, MyRequests, NewRequest, OpenRequest, OpenAnswer, MarkUseful, MarkEvidence
    ):
        case AskCamerasNearTip(tip_id=tip_id):
            place = await tip_place(ctx.session, tip_id)
            if place is None or not is_police_of(grants, place.ward_code):
                ctx.reply(_("There is no tip with that number in your ward."))
                return
            ctx.begin("footage", ward=place.ward_code, tip=place.tip_id)
        case NewRequest():
            ctx.begin("footage", ward=police_wards(grants)[0])
        case MyRequests():
            await show_requests(ctx)
        case OpenRequest(request_id=request_id):
            request = await officer_request(ctx, request_id)
            if request is not None:
                await show_request(ctx, request)
        case OpenAnswer(ask_id=ask_id):
            found = await officer_ask(ctx, ask_id)
            if found is not None:
                await show_answer(ctx, *found)
        case MarkUseful(ask_id=ask_id):
            found = await officer_ask(ctx, ask_id)
            if found is not None:
                ask, request = found
                ask.useful = True
                ctx.session.add(ask)
                ctx.audit("camera.useful", "footage_ask", str(ask.id), request.ward_code)
                ctx.reply(_("Marked as useful. Thank you for telling: it counts in the ward's review."))
        case MarkEvidence(clip_id=clip_id):
            clip = await ctx.session.get(FootageClip, clip_id)
            if clip is None:
                ctx.reply(_("There is no footage request with that number in your ward."))
                return
            found = await officer_ask(ctx, clip.ask_id)
            if found is None:
                return
            if clip.purged_at is not None:
                ctx.reply(_("That file was already deleted after the retention period."))
                return
            clip.evidence = True
            ctx.session.add(clip)
            ctx.audit("camera.clip.evidence", "footage_clip", str(clip.id), found[1].ward_code)
            ctx.reply(
                _("File {number} is kept as evidence; it will not be deleted with the others.").format(
                    number=clip.id
                )
            )
        case _:
            raise NotChosen()


async def officer_request(ctx: Context, request_id: int) -> FootageRequest | None:
    """The request, if the person is police of its ward; otherwise a reply that reveals nothing about it."""
    request = await ctx.session.get(FootageRequest, request_id)
    if request is None or not is_police_of(await ctx.grants(), request.ward_code):
        ctx.reply(_("There is no footage request with that number in your ward."))
        return None
    return request


async def officer_ask(ctx: Context, ask_id: int) -> tuple[FootageAsk, FootageRequest] | None:
    ask = await ctx.session.get(FootageAsk, ask_id)
    request = await officer_request(ctx, ask.request_id) if ask is not None else None
    if ask is None:
        ctx.reply(_("There is no footage request with that number in your ward."))
    if ask is None or request is None:
        return None
    return ask, request


async def show_requests(ctx: Context) -> None:
    wards = police_wards(await ctx.grants())
    requests = (
        await ctx.session.exec(
            select(FootageRequest)
            .where(col(FootageRequest.ward_code).in_(wards))
            .order_by(col(FootageRequest.id).desc())
            .limit(PAGE)
        )
    ).all()
    ctx.audit("camera.request.list", "footage_request", None, wards[0] if len(wards) == 1 else None)
    if not requests:
        ctx.reply(_("No footage request yet."), [Choice(_("New request"), NewRequest())])
        return
    choices = [
        Choice(
            _("No. {number} · {when}").format(number=r.id, when=fmt_datetime(r.created_at)),
            OpenRequest(pk(r)),
        )
        for r in requests
    ]
    ctx.reply(_("Recent footage requests, newest first:"), [*choices, Choice(_("New request"), NewRequest())])


async def show_request(ctx: Context, request: FootageRequest) -> None:
    ctx.audit("camera.request.view", "footage_request", str(request.id), request.ward_code)
    asks = (
        await ctx.session.exec(
            select(FootageAsk).where(FootageAsk.request_id == request.id).order_by(col(FootageAsk.id))
        )
    ).all()
    lines = [
        _("Footage request no. {number}, {window}.").format(
            number=request.id, window=window_label(request.window_start, request.window_end)
        ),
        _("Reason: {reason}").format(reason=request.reason),
    ]
    if request.tip_id:
        lines.append(_("For tip no. {number}.").format(number=request.tip_id))
    choices = []
    for ask in asks:
        owner = await person(ctx.session, ask.owner_person_id)
        name = (owner.display_name if owner and owner.display_name else None) or _("Owner")
        clips = len(await clips_of(ctx.session, pk(ask)))
        lines.append(
            _("{name} (camera {cameras}): {status}; files: {n}; reply by {deadline}.").format(
                name=name,
                cameras=", ".join(str(c) for c in ask.camera_ids),
                status=_(ASK_STATUS.get(ask.status, ask.status)),
                n=clips,
                deadline=fmt_datetime(ask.deadline_at),
            )
            + (" ★" if ask.useful else "")
        )
        status = _(ASK_STATUS.get(ask.status, ask.status))
        choices.append(Choice(f"{name} · {status}"[:60], OpenAnswer(pk(ask))))
    if not asks:
        lines.append(_("No owner was asked."))
    ctx.reply("\n".join(lines), choices)


async def show_answer(ctx: Context, ask: FootageAsk, request: FootageRequest) -> None:
    clips = await clips_of(ctx.session, pk(ask))
    owner = await person(ctx.session, ask.owner_person_id)
    lines = [
        _("Request no. {number} — {name} (camera {cameras}): {status}.").format(
            number=request.id,
            name=(owner.display_name if owner and owner.display_name else None) or _("Owner"),
            cameras=", ".join(str(c) for c in ask.camera_ids),
            status=_(ASK_STATUS.get(ask.status, ask.status)),
        )
    ]
    media = []
    choices = []
    for i, clip in enumerate(clips, 1):
        if clip.police_ref is None:
            lines.append(_("File {i}: deleted after the retention period.").format(i=i))
            continue
        media.append(
            Media(
                kind="image" if clip.kind == "photo" else "file",
                url=clip.police_ref,
                filename=f"footage-{request.id}-{ask.id}-{i}.{EXTENSIONS.get(clip.mime_type, 'bin')}",
                caption=(
                    _("File {i} (place and device details removed)")
                    if clip.stripped
                    else _("File {i} (kept as sent)")
                ).format(i=i)
                + (" — " + _("evidence") if clip.evidence else ""),
            )
        )
        if not clip.evidence:
            choices.append(Choice(_("Keep file {i} as evidence").format(i=i), MarkEvidence(pk(clip))))
    ctx.audit(
        "camera.clip.view",
        "footage_ask",
        str(ask.id),
        request.ward_code,
        files=[c.id for c in clips if c.police_ref],
    )
    if ask.status == AskStatus.HAVE and not ask.useful:
        choices.insert(0, Choice(_("Mark as useful"), MarkUseful(pk(ask))))
    ctx.reply("\n".join(lines), choices, tuple(media))
