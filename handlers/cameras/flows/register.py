"""/camera: an owner registers their cameras (place, what it looks at, night recording, days kept), lists them,
pauses, edits or removes one. The ward's police and ward admin also find the ward's registry here; nobody else
ever sees another person's camera."""

from __future__ import annotations

import re

from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import numbers_shown, typed_number
from bot.directory.extent import outside
from bot.i18n import N_, _, fmt_number, ngettext
from bot.numberwords import number_in_words
from bot.textnorm import fold, strip_accents
from handlers.cameras.buttons import (
    CameraAction,
    ConfirmRemove,
    KeepAsIs,
    KeepDays,
    NewCamera,
    Night,
    OpenCamera,
    SaveCamera,
    WardRegistry,
)
from handlers.cameras.store import home_place, my_camera, my_cameras, staff_wards, ward_cameras
from handlers.cameras.texts import (
    FACING_MAX,
    KEEP_CHOICES,
    MAX_KEEP_DAYS,
    PLACE_MAX,
    camera_line,
    keep_label,
)
from handlers.common import yes_no
from models import Person, Ward
from models.base import pk
from models.cameras import Camera, CameraStatus

router = Router("cameras.register")
flow = Flow("camera", steps=("place", "facing", "night", "keep", "confirm"))
PAGE = 20
WHO_SEES = N_(
    "Only the ward police and the ward admin see your cameras; other residents never do. The police may ask "
    "you for footage through An Dân only, and you may always say no."
)


@router.command("camera", "cameras", help=N_("Register your security cameras, or manage them"))
async def cameras(ctx: Context) -> None:
    mine = await my_cameras(ctx.session, ctx.person_id)
    staff = staff_wards(await ctx.grants())
    if not mine and not staff:
        if await home_place(ctx.session, await ctx.grants()) is None:
            ctx.reply(_("Please join your ward first (/batdau); then you can register your cameras."))
            return
        ctx.reply(
            _(
                "Register a camera that looks at a street or a public place, and the ward police can ask you "
                "for a recording when something happens nearby."
            )
            + " "
            + _(WHO_SEES)
        )
        ctx.begin("camera")
        return
    lines = [
        ngettext_cameras(len(mine)),
        *[camera_line(c) for c in mine],
    ]
    choices = [Choice(_("Camera {number}").format(number=c.id), OpenCamera(pk(c))) for c in mine]
    choices.append(Choice(_("Register a camera"), NewCamera()))
    if staff:
        choices.append(Choice(_("The ward's camera registry"), WardRegistry(0)))
    ctx.reply("\n".join(lines), choices)


def ngettext_cameras(n: int) -> str:
    if n == 0:
        return _("You have not registered any camera.")
    return ngettext("You have registered {n} camera:", "You have registered {n} cameras:", n).format(
        n=fmt_number(n)
    )


# The form (new or edit) ------------------------------------------------------------------------------------
def editing(ctx: Context) -> list[Choice]:
    """While editing a camera, every question may be answered "keep as it is"."""
    return [Choice(_("Keep as it is"), KeepAsIs())] if ctx.data.get("camera_id") else []


@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    ctx.reply(
        _(
            "Where is the camera? Share its location (📎 → Location), or type its address: house number and "
            "street (e.g. 12 Nguyễn Huệ, hẻm 5)."
        )
        if ctx.can_share_location()
        else _("Where is the camera? Type its address: house number and street (e.g. 12 Nguyễn Huệ, hẻm 5)."),
        editing(ctx),
    )


@flow.on("place", files=True)
async def on_place(ctx: Context) -> Outcome:
    if KeepAsIs.read(ctx) and ctx.data.get("camera_id"):
        return goto("facing")
    event = ctx.event
    if event.kind == Kind.LOCATION and event.location is not None:
        place = await home_place(ctx.session, await ctx.grants())
        ward = await ctx.session.get(Ward, place[0]) if place else None
        if ward is not None and await outside(
            ward, event.location.latitude, event.location.longitude, ctx.app.settings.ward_margin_km
        ):
            return retry(
                _(
                    "That location is far outside {ward}. Only cameras in your ward can be registered; please "
                    "share the camera's own location or type its address."
                ).format(ward=ward.name)
            )
        ctx.data.update(lat=event.location.latitude, lon=event.location.longitude, address=None)
        return goto("facing")
    text = event.text.strip()
    if event.kind in (Kind.TEXT, Kind.MEDIA) and 5 <= len(text) <= PLACE_MAX:
        not_kept(ctx)
        ctx.data.update(address=text, lat=None, lon=None)
        return goto("facing")
    if event.kind in (Kind.TEXT, Kind.MEDIA) and len(text) > PLACE_MAX:
        return retry(_("Please keep the address under {n} characters.").format(n=PLACE_MAX))
    return retry(_("Please share the camera's location, or type its address (at least 5 characters)."))


def not_kept(ctx: Context) -> None:
    """A photo sent with words where words are asked: the words answer, and the person learns the photo is not
    kept (the registry holds no pictures of anyone's house)."""
    if ctx.event.kind == Kind.MEDIA:
        ctx.reply(_("Photos are not kept in this form; I took the words you wrote with it."))


@flow.ask("facing")
async def ask_facing(ctx: Context) -> None:
    ctx.reply(
        _(
            "What does it look at? A direction or a few words, e.g. “the alley gate and the street towards "
            "the market”."
        ),
        editing(ctx),
    )


@flow.on("facing", files=True)
async def on_facing(ctx: Context) -> Outcome:
    if KeepAsIs.read(ctx) and ctx.data.get("camera_id"):
        return goto("night")
    text = ctx.event.text.strip()
    if ctx.event.kind not in (Kind.TEXT, Kind.MEDIA) or len(text) < 3:
        return retry(_("Please write in a few words what the camera looks at."))
    if len(text) > FACING_MAX:
        return retry(_("Please keep it under {n} characters.").format(n=FACING_MAX))
    not_kept(ctx)
    ctx.data["facing"] = text
    return goto("night")


@flow.ask("night")
async def ask_night(ctx: Context) -> None:
    ctx.reply(
        _("Does it record at night?"),
        yes_no(_("Yes, at night too"), _("No, daytime only"), Night) + editing(ctx),
    )


@flow.on("night")
async def on_night(ctx: Context) -> Outcome:
    if KeepAsIs.read(ctx) and ctx.data.get("camera_id"):
        return goto("keep")
    ctx.data["night"] = Night.expect(ctx).yes
    return goto("keep")


@flow.ask("keep")
async def ask_keep(ctx: Context) -> None:
    ctx.reply(
        _(
            "How many days does it keep its recordings before recording over them? Choose, or type the number "
            "of days."
        ),
        [Choice(keep_label(d), KeepDays(d)) for d in KEEP_CHOICES] + editing(ctx),
    )


@flow.on("keep")
async def on_keep(ctx: Context) -> Outcome:
    number = typed_number(ctx)
    asked = ctx.data.pop("asked_days", False)
    if number is not None and ctx.event.kind == Kind.CHOICE and not asked and not numbers_shown(ctx):
        # "3" typed under buttons is the third button (15 days) to the dispatcher, and three days to whoever read
        # "type the number of days": when the two differ, ask which, once. Where the choices are a numbered list
        # (the Zalo Bot), "3" is its third line, as the person reads it.
        meant = KeepDays.read(ctx)
        if (meant is None or meant.days != number) and 1 <= number <= MAX_KEEP_DAYS:
            ctx.data["asked_days"] = True
            ctx.reply(
                _("Do you mean {days}, or the choice “{choice}”?").format(
                    days=keep_label(number), choice=ctx.choice_label or "—"
                ),
                [
                    Choice(keep_label(number), KeepDays(number)),
                    Choice(ctx.choice_label or "—", ctx.event.choice or KeepDays(number)),
                ],
            )
            return stay()
    if KeepAsIs.read(ctx) and ctx.data.get("camera_id"):
        return goto("confirm")
    chosen = KeepDays.read(ctx)
    days = chosen.days if chosen else read_days(ctx.event.text) if ctx.event.kind == Kind.TEXT else None
    if days is None or not 1 <= days <= MAX_KEEP_DAYS:
        return retry(_("Please choose, or type a number of days from 1 to {n}.").format(n=MAX_KEEP_DAYS))
    ctx.data["keep"] = days
    return goto("confirm")


# How long a recorder keeps its footage, as owners type it: "10", "10 ngày", "một tuần", "hai tuần", "1 tháng",
# "mười lăm ngày", "nửa tháng", "khoảng 7 ngày ạ" (folded words).
UNITS = {
    "ngay": 1, "d": 1, "day": 1, "days": 1, "tuan": 7, "week": 7, "weeks": 7, "thang": 30, "month": 30,
    "months": 30, "nam": 365, "year": 365, "years": 365,
}  # fmt: skip
# Said before the number ("khoảng 7 ngày", "tầm một tuần", "lưu được 15 ngày") and after it ("10 ngày thôi ạ").
BEFORE_DAYS = frozenset(
    "khoang tam chung chac duoc luu la co ghi trong xap xi gan hon about around roughly maybe approx".split()
)
AFTER_DAYS = frozenset("a ah nhe nha thoi do the roi gi phai nhi luon thi la".split())
RANGE = re.compile(r"(?:khoang |tam )?(\d{1,3}) ?(?:-|–|den|toi|to) ?(\d{1,3}) ?(?:ngay|d|days?)?")


def read_days(text: str) -> int | None:
    """ "10", "10 ngày", "2 tuần" (14), "một tuần" (7), "mười ngày", "1 tháng" (30), "nửa tháng" (15), "1 tháng
    rưỡi" (45), "5-7 ngày" (5): how long a recorder keeps its footage, in days; None when the text says no such
    thing."""
    plain = strip_accents(text).lower().strip(" .!?")
    if (found := RANGE.fullmatch(plain)) is not None:
        return min(int(found.group(1)), int(found.group(2)))  # the fewer days, for the police to ask in time
    # "tầm" (about) written with its accent is never "tám" (eight); typed without, both readings are tried.
    said = re.sub(r"(\d)([a-z])", r"\1 \2", fold(re.sub(r"\btầm\b", " ", text.lower()))).split()
    while len(said) > 1 and said[-1] in AFTER_DAYS:
        said.pop()
    first = None
    while said:
        days = _days(said)
        if days is not None and 1 <= days <= MAX_KEEP_DAYS:
            return days
        first = days if first is None else first
        if said[0] not in BEFORE_DAYS:
            break
        said = said[1:]  # "tam 10 ngay", "khoảng một tuần"
    return first


def _days(said: list[str]) -> int | None:
    half = said[-1] == "ruoi"  # "một tháng rưỡi": and a half
    if half:
        said = said[:-1]
    if len(said) == 2 and said[0] == "nua" and said[1] in UNITS:
        return UNITS[said[1]] // 2  # "nửa tháng"
    unit = 1
    if len(said) >= 2 and said[-1] in UNITS:
        unit, said = UNITS[said[-1]], said[:-1]
    elif said in (["tuan"], ["thang"], ["week"], ["month"]):
        return UNITS[said[0]] + (UNITS[said[0]] // 2 if half else 0)  # "tuần" alone: one week
    number = number_in_words(said) if said else None
    if number is None:
        return None
    return number * unit + (unit // 2 if half else 0)


def draft(ctx: Context) -> Camera:
    """The camera as the form holds it (not saved)."""
    return Camera(
        id=ctx.data.get("camera_id"),
        ward_code=0,
        place_text=ctx.data.get("address"),
        latitude=ctx.data.get("lat"),
        longitude=ctx.data.get("lon"),
        facing=ctx.data.get("facing", ""),
        records_at_night=bool(ctx.data.get("night", True)),
        keep_days=int(ctx.data.get("keep", 1)),
        status=ctx.data.get("status", CameraStatus.ACTIVE),
    )


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    line = camera_line(draft(ctx))
    if not ctx.data.get("camera_id"):
        line = line.split(": ", 1)[1]
    ctx.reply(
        _("Please check:") + "\n" + line + "\n\n" + _(WHO_SEES),
        yes_no(_("Save"), _("Cancel"), SaveCamera),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not SaveCamera.expect(ctx).yes:
        ctx.reply(_("Nothing was saved."))
        return finish()
    now = clock.now()
    camera_id = ctx.data.get("camera_id")
    if camera_id:
        camera = await my_camera(ctx.session, ctx.person_id, int(camera_id))
        if camera is None:
            ctx.reply(_("That camera is no longer registered."))
            return finish()
    else:
        place = await home_place(ctx.session, await ctx.grants())
        if place is None:
            ctx.reply(_("Please join your ward first (/batdau); then you can register your cameras."))
            return finish()
        if len(await my_cameras(ctx.session, ctx.person_id)) >= ctx.app.settings.camera_max_per_owner:
            ctx.reply(
                _(
                    "You have registered {n} cameras, the most one person may. Remove one to add another."
                ).format(n=ctx.app.settings.camera_max_per_owner)
            )
            return finish()
        ward_code, area_id, group_id = place
        camera = Camera(
            owner_person_id=ctx.person_id,
            ward_code=ward_code,
            area_id=area_id,
            group_id=group_id,
            facing="",
            keep_days=1,
        )
    shown = draft(ctx)
    camera.place_text, camera.latitude, camera.longitude = shown.place_text, shown.latitude, shown.longitude
    camera.facing, camera.records_at_night, camera.keep_days = (
        shown.facing,
        shown.records_at_night,
        shown.keep_days,
    )
    camera.updated_at = now
    ctx.session.add(camera)
    await ctx.session.flush()
    ctx.audit("camera.edit" if camera_id else "camera.register", "camera", str(camera.id), camera.ward_code)
    text = (
        _("Camera {number} is updated.") if camera_id else _("Camera {number} is registered. Thank you!")
    ).format(number=camera.id)
    ctx.reply(
        text + " " + _("Type /camera to see, pause, edit or remove your cameras."),
        [Choice(_("Register another camera"), NewCamera())],
    )
    return finish()


# One camera, and the buttons outside the form --------------------------------------------------------------
async def show_camera(ctx: Context, camera: Camera) -> None:
    number = pk(camera)
    pause = (
        Choice(_("Resume"), CameraAction(number, "resume"))
        if camera.status == CameraStatus.PAUSED
        else Choice(_("Pause"), CameraAction(number, "pause"))
    )
    note = (
        _("While paused, the police do not see it when they look for cameras.")
        if camera.status == CameraStatus.PAUSED
        else ""
    )
    ctx.reply(
        "\n".join(x for x in (camera_line(camera), note) if x),
        [
            pause,
            Choice(_("Edit"), CameraAction(number, "edit")),
            Choice(_("Remove"), CameraAction(number, "remove")),
        ],
    )


@router.choice("cam")
async def pressed(ctx: Context) -> None:
    match read_any(ctx, OpenCamera, CameraAction, ConfirmRemove, NewCamera, WardRegistry):
        case NewCamera():
            if await home_place(ctx.session, await ctx.grants()) is None:
                ctx.reply(_("Please join your ward first (/batdau); then you can register your cameras."))
                return
            ctx.begin("camera")
        case OpenCamera(camera_id=camera_id):
            camera = await owned(ctx, camera_id)
            if camera is not None:
                await show_camera(ctx, camera)
        case CameraAction(camera_id=camera_id, action=action):
            camera = await owned(ctx, camera_id)
            if camera is None:
                return
            await act(ctx, camera, action)
        case ConfirmRemove(camera_id=camera_id):
            camera = await owned(ctx, camera_id)
            if camera is None:
                return
            camera.status, camera.removed_at, camera.updated_at = (
                CameraStatus.REMOVED,
                clock.now(),
                clock.now(),
            )
            ctx.session.add(camera)
            ctx.audit("camera.remove", "camera", str(camera.id), camera.ward_code)
            ctx.reply(
                _("Camera {number} is removed. The police will not ask you about it again.").format(
                    number=camera.id
                )
            )
        case WardRegistry(page=page):
            await show_registry(ctx, page)
        case _:
            raise NotChosen()


async def owned(ctx: Context, camera_id: int) -> Camera | None:
    camera = await my_camera(ctx.session, ctx.person_id, camera_id)
    if camera is None:
        ctx.reply(_("You have no camera with that number. Type /camera to see yours."))
    return camera


async def act(ctx: Context, camera: Camera, action: str) -> None:
    number = pk(camera)
    if action in ("pause", "resume"):
        camera.status = CameraStatus.PAUSED if action == "pause" else CameraStatus.ACTIVE
        camera.updated_at = clock.now()
        ctx.session.add(camera)
        ctx.audit(f"camera.{action}", "camera", str(number), camera.ward_code)
        ctx.reply(
            _("Camera {number} is paused: the police will not ask about it until you resume it.").format(
                number=number
            )
            if action == "pause"
            else _("Camera {number} is active again.").format(number=number)
        )
    elif action == "edit":
        ctx.begin(
            "camera",
            camera_id=number,
            address=camera.place_text,
            lat=camera.latitude,
            lon=camera.longitude,
            facing=camera.facing,
            night=camera.records_at_night,
            keep=camera.keep_days,
            status=camera.status,
        )
    else:
        ctx.reply(
            _("Remove camera {number}? The police will no longer see it or ask you about it.").format(
                number=number
            ),
            [
                Choice(_("Yes, remove it"), ConfirmRemove(number)),
                Choice(_("No, keep it"), OpenCamera(number)),
            ],
        )


# The ward's registry (police and ward admin only) ----------------------------------------------------------
async def show_registry(ctx: Context, page: int) -> None:
    wards = staff_wards(await ctx.grants())
    if not wards:
        ctx.reply(_("Only the ward police and the ward admin can see the ward's camera registry."))
        return
    lines: list[str] = []
    shown = 0
    total = 0
    for ward_code in wards:
        found = await ward_cameras(ctx.session, ward_code)
        total += len(found)
        ward = await ctx.session.get(Ward, ward_code)
        lines.append(
            _("Camera registry of {ward}: {n} registered.").format(
                ward=ward.name if ward else ward_code, n=fmt_number(len(found))
            )
        )
        owners = {
            p.id: p
            for p in (
                await ctx.session.exec(
                    select(Person).where(
                        col(Person.id).in_([c.owner_person_id for c in found if c.owner_person_id])
                    )
                )
            ).all()
        }
        for camera in found[page * PAGE : (page + 1) * PAGE]:
            owner = owners.get(camera.owner_person_id or 0)
            lines.append(
                camera_line(camera)
                + " — "
                + _("owner: {name}").format(
                    name=(owner.display_name if owner and owner.display_name else "—")
                )
            )
            shown += 1
        ctx.audit("camera.registry.view", "camera", None, ward_code, page=page, shown=shown)
    choices = [Choice(_("More"), WardRegistry(page + 1))] if total > (page + 1) * PAGE else []
    ctx.reply("\n".join(lines), choices)
