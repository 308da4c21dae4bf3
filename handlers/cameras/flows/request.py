"""/xincamera (/footage): a police officer asks the owners of cameras near a place for footage of a time window.

The place is a tip's own place (from the tip's view), a shared location or a typed address; then a radius and a
window. The ward's active cameras that may have seen it are listed nearest first. A shared location cannot be
compared with cameras registered by an address only (the Zalo Bot cannot share a location, and no map service
places an address), nor a typed address with cameras registered by a location only: the officer is told how many
were not searched and searches them by street, or by location, rather than hear "no camera". The officer picks
owners and writes a short reason. Each owner gets one request through the outbox: the window, the reason (never the tip's
content or the tipster) and the deadline before their recording is overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from bot import clock
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.delivery.outbox import enqueue_to_person
from bot.directory.extent import outside
from bot.i18n import N_, _, fmt_datetime, fmt_number, local, ngettext, zone
from handlers.cameras.buttons import (
    Answer,
    BackToOwners,
    MyRequests,
    OpenRequest,
    OwnersChosen,
    PickOwner,
    Radius,
    SearchUnplaced,
    SendRequests,
    UseTipPlace,
    Window,
)
from handlers.cameras.store import nearby, person, police_wards, tip_place
from handlers.cameras.streets import street_of
from handlers.cameras.texts import PLACE_MAX, REASON_MAX, distance_label, keep_label, window_label
from handlers.common import yes_no
from models import Person, Priority, Role, Ward
from models.base import pk
from models.cameras import Camera, CameraStatus, FootageAsk, FootageRequest

router = Router("cameras.request")
flow = Flow("footage", steps=("place", "radius", "window", "owners", "more", "reason", "confirm"))
POLICE = {Role.POLICE.value}
RADII = (50, 100, 200, 500)
MAX_RADIUS = 2000
WINDOWS = (1, 3, 6, 12, 24)
MAX_WINDOW_HOURS = 72
MAX_LISTED = 20
TYPED_WINDOW = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s+(\d{1,2})[:hg](\d{2})?\s*(?:-|–|đến|den|to)\s*"
    r"(?:(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s+)?(\d{1,2})[:hg](\d{2})?\s*$",
    re.IGNORECASE,
)


@router.command(
    "xincamera", "footage", help=N_("Ask camera owners near a place for footage (police)"), roles=POLICE
)
async def footage(ctx: Context) -> None:
    wards = police_wards(await ctx.grants())
    ctx.begin("footage", ward=wards[0])


# Place --------------------------------------------------------------------------------------------------------
@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    ctx.data.pop("widen", None)  # back at the start: every distance again
    choices = [Choice(_("The tip's place"), UseTipPlace())] if ctx.data.get("tip") else []
    choices.append(Choice(_("My recent requests"), MyRequests()))
    text = _("Where did it happen? Share a location, or type the address (house number and street).")
    if ctx.data.get("tip"):
        text = _("Footage for tip no. {number}.").format(number=ctx.data["tip"]) + " " + text
    ctx.reply(text, choices)


@flow.on("place")
async def on_place(ctx: Context) -> Outcome:
    if MyRequests.read(ctx):
        from handlers.cameras.flows.footage import show_requests

        ctx.end()
        await show_requests(ctx)
        return stay()
    ward = await ctx.session.get(Ward, ctx.data["ward"])
    if UseTipPlace.read(ctx) and ctx.data.get("tip"):
        place = await tip_place(ctx.session, int(ctx.data["tip"]))
        if place is None or (place.latitude is None and not place.place_text):
            return retry(_("The tip gives no place. Please share a location or type the address."))
        ctx.data.update(lat=place.latitude, lon=place.longitude, address=place.place_text)
        return goto("radius")
    event = ctx.event
    if event.kind == Kind.LOCATION and event.location is not None:
        lat, lon = event.location.latitude, event.location.longitude
        if ward is not None and await outside(ward, lat, lon, ctx.app.settings.ward_margin_km):
            return retry(
                _(
                    "That place is far outside {ward}, so no camera registered here could have seen it. Please "
                    "share a place in the ward, or type its address."
                ).format(ward=ward.name)
            )
        ctx.data.update(lat=lat, lon=lon, address=None)
        return goto("radius")
    text = event.text.strip()
    if event.kind == Kind.TEXT and 5 <= len(text) <= PLACE_MAX:
        ctx.data.update(lat=None, lon=None, address=text)
        return goto("radius")
    return retry(_("Please share a location, or type the address (at least 5 characters)."))


# Radius and window --------------------------------------------------------------------------------------------
@flow.ask("radius")
async def ask_radius(ctx: Context) -> None:
    # After a search that found nothing (`look`), only the larger distances: the place and the time are kept.
    radii = [m for m in RADII if m > ctx.data["radius"]] if ctx.data.get("widen") else list(RADII)
    ctx.reply(
        _("How far around it?"),
        [Choice(_("{m} m").format(m=fmt_number(m)), Radius(m)) for m in radii],
    )


@flow.on("radius")
async def on_radius(ctx: Context) -> Outcome:
    metres = Radius.expect(ctx).metres
    if not 1 <= metres <= MAX_RADIUS:
        return retry(_("Please choose one of the distances."))
    ctx.data["radius"] = metres
    if ctx.data.pop("widen", False):
        return await look(ctx)  # the window chosen before still holds
    return goto("window")


@flow.ask("window")
async def ask_window(ctx: Context) -> None:
    ctx.reply(
        _(
            "Which time? Choose, or type the day and hours, e.g. “23/11 20:00-22:30” (a window of at most {n} "
            "hours)."
        ).format(n=MAX_WINDOW_HOURS),
        [Choice(ngettext("The last hour", "The last {n} hours", h).format(n=h), Window(h)) for h in WINDOWS],
    )


def read_window(text: str, now: datetime) -> tuple[datetime, datetime] | None:
    """ "23/11 20:00-22:30", "23/11/2026 22:00 - 24/11 01:00" (local time) as aware UTC; None if unreadable."""
    found = TYPED_WINDOW.match(text)
    if not found:
        return None
    d1, m1, y1, h1, n1, d2, m2, y2, h2, n2 = found.groups()
    year = int(y1) if y1 else local(now).year
    try:
        start = datetime(year, int(m1), int(d1), int(h1), int(n1 or 0), tzinfo=zone())
        if d2:
            end = datetime(int(y2) if y2 else year, int(m2), int(d2), int(h2), int(n2 or 0), tzinfo=zone())
        else:
            end = start.replace(hour=int(h2), minute=int(n2 or 0))
            if end <= start:
                end += timedelta(days=1)  # "22:00-01:00": past midnight
    except ValueError:
        return None
    if not y1 and start > now:
        start, end = start.replace(year=year - 1), end.replace(year=end.year - 1)  # "31/12" typed in January
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


@flow.on("window")
async def on_window(ctx: Context) -> Outcome:
    now = clock.now()
    chosen = Window.read(ctx)
    if chosen is not None and chosen.hours in WINDOWS:
        start, end = now - timedelta(hours=chosen.hours), now
    elif ctx.event.kind == Kind.TEXT and (read := read_window(ctx.event.text, now)) is not None:
        start, end = read
    else:
        return retry(_("Please choose, or type the day and hours like “23/11 20:00-22:30”."))
    if end <= start:
        return retry(_("The end of the window must come after its start."))
    if start > now:
        return retry(_("That time has not come yet; cameras cannot have recorded it."))
    if end - start > timedelta(hours=MAX_WINDOW_HOURS):
        return retry(_("Please ask for at most {n} hours at a time.").format(n=MAX_WINDOW_HOURS))
    ctx.data.update(start=start.isoformat(), end=min(end, now).isoformat(), picked=[])
    return await look(ctx)


async def look(ctx: Context) -> Outcome:
    """Search around the place for the window the form holds. Nothing within the distance chosen: the larger
    distances are offered at once, the place and the time kept. Before, the officer was told to try a larger
    distance "with /xincamera", and gave the place and the time all over again."""
    found = await search(ctx)
    if not found and ctx.data["unsearched"]:
        ctx.reply(
            _("No camera registered with a location is within {m} m of that place.").format(
                m=fmt_number(ctx.data["radius"])
            )
            if ctx.data.get("address") is None
            else _("No camera registered by its address is on that street.")
        )
        return goto("more")
    if not found and ctx.data["radius"] < max(RADII):
        ctx.data["widen"] = True
        ctx.reply(
            _(
                "No active camera registered in the ward is within {m} m of that place. The place and the time "
                "are kept: choose a larger distance, or /huy to stop."
            ).format(m=fmt_number(ctx.data["radius"]))
        )
        return goto("radius")
    if not found:
        ctx.reply(
            _(
                "No active camera registered in the ward is within {m} m of that place. Owners register their "
                "cameras with /camera: a camera nobody registered cannot be asked here."
            ).format(m=fmt_number(ctx.data["radius"]))
        )
        return finish()
    return goto("owners")


async def search(ctx: Context) -> int:
    """Look for the cameras around the place the form holds; keep them (and how many could not be compared) in
    the form, the owners already picked staying picked. How many were found."""
    point = (ctx.data["lat"], ctx.data["lon"]) if ctx.data.get("lat") is not None else None
    result = await nearby(ctx.session, ctx.data["ward"], ctx.data["radius"], point, ctx.data.get("address"))
    ctx.data["found"] = [
        [pk(f.camera), f.camera.owner_person_id, f.metres] for f in result.found[:MAX_LISTED]
    ]
    ctx.data["unsearched"], ctx.data["total"] = result.unsearched, len(result.found)
    owners = {f[1] for f in ctx.data["found"]}
    ctx.data["picked"] = [p for p in ctx.data.get("picked", []) if p in owners]
    return len(result.found)


def unsearched_note(ctx: Context) -> str:
    """What this search could not look at, and how to look there too."""
    n = int(ctx.data.get("unsearched") or 0)
    if ctx.data.get("address") is None:
        return ngettext(
            "{n} camera of the ward is registered by its address only (its owner could not share a location), so "
            "it cannot be placed on the map and was not searched.",
            "{n} cameras of the ward are registered by their address only (their owners could not share a "
            "location), so they cannot be placed on the map and were not searched.",
            n,
        ).format(n=fmt_number(n))
    return ngettext(
        "{n} camera of the ward is registered by its location only, which a typed address cannot be compared "
        "with, so it was not searched.",
        "{n} cameras of the ward are registered by their location only, which a typed address cannot be "
        "compared with, so they were not searched.",
        n,
    ).format(n=fmt_number(n))


def search_more_label(ctx: Context) -> str:
    return _("Search by street") if ctx.data.get("address") is None else _("Search by location")


# Owners -------------------------------------------------------------------------------------------------------
@flow.ask("owners")
async def ask_owners(ctx: Context) -> None:
    start = datetime.fromisoformat(ctx.data["start"])
    lines = [
        _("Cameras that may have seen it, nearest first ({window}):").format(
            window=window_label(start, datetime.fromisoformat(ctx.data["end"]))
        )
    ]
    owners: dict[int, list[int]] = {}
    for camera_id, owner_id, metres in ctx.data["found"]:
        camera = await ctx.session.get(Camera, camera_id)
        if camera is None or owner_id is None:
            continue
        owners.setdefault(owner_id, []).append(camera_id)
        overwritten = start + timedelta(days=camera.keep_days)
        note = (
            _("probably recorded over already ({when})").format(when=fmt_datetime(overwritten))
            if overwritten < clock.now()
            else _("kept until about {when}").format(when=fmt_datetime(overwritten))
        )
        lines.append(
            # A bullet, not a number: the buttons below are the owners, and "2" typed must mean their second.
            "• "
            + _(
                "Camera {number} — {distance} — looks at: {facing} — at night: {night} — keeps {keep}, {note}"
            ).format(
                number=camera_id,
                distance=distance_label(metres),
                facing=camera.facing,
                night=_("yes") if camera.records_at_night else _("no"),
                keep=keep_label(camera.keep_days),
                note=note,
            )
        )
    picked = set(ctx.data.get("picked", []))
    if ctx.data.get("unsearched"):
        lines.append(
            unsearched_note(ctx)
            + " "
            + _("Press “{button}” to look among them too.").format(button=search_more_label(ctx))
        )
    lines.append(_("Choose the owners to ask (press again to take one away), then Continue."))
    choices = []
    for owner_id, camera_ids in owners.items():
        owner = await person(ctx.session, owner_id)
        name = (owner.display_name if owner and owner.display_name else "") or _("Owner")
        mark = "☑" if owner_id in picked else "☐"
        label = _("{name} (camera {numbers})").format(
            name=name, numbers=", ".join(str(c) for c in camera_ids)
        )
        choices.append(Choice(f"{mark} {label}"[:60], PickOwner(owner_id)))
    if picked:
        choices.append(
            Choice(
                ngettext("Continue with {n} owner", "Continue with {n} owners", len(picked)).format(
                    n=len(picked)
                ),
                OwnersChosen(),
            )
        )
    if ctx.data.get("unsearched"):
        choices.append(Choice(search_more_label(ctx), SearchUnplaced()))
    ctx.reply("\n".join(lines), choices)


@flow.on("owners")
async def on_owners(ctx: Context) -> Outcome:
    if OwnersChosen.read(ctx):
        if not ctx.data.get("picked"):
            return retry(_("Please choose at least one owner."))
        return goto("reason")
    if SearchUnplaced.read(ctx) and ctx.data.get("unsearched"):
        return goto("more")
    owner_id = PickOwner.expect(ctx).person_id
    if owner_id not in {f[1] for f in ctx.data["found"]}:
        return retry(_("Please choose one of the owners listed."))
    picked = ctx.data.setdefault("picked", [])
    if owner_id in picked:
        picked.remove(owner_id)
    else:
        picked.append(owner_id)
    await ask_owners(ctx)
    return stay()


# Cameras the first search could not compare ------------------------------------------------------------------
@flow.ask("more")
async def ask_more(ctx: Context) -> None:
    if ctx.data.get("address") is None:
        ask = _("Type the street (e.g. “Lê Lợi” or “hẻm 7 Lê Lợi”) to look among them for cameras on it.")
    else:
        ask = _("Share the place's location to look among them for cameras within {m} m of it.").format(
            m=fmt_number(ctx.data["radius"])
        )
    choices = [Choice(_("Back to the cameras found"), BackToOwners())] if ctx.data.get("found") else []
    ctx.reply(unsearched_note(ctx) + "\n" + ask, choices)


@flow.on("more")
async def on_more(ctx: Context) -> Outcome:
    if BackToOwners.read(ctx) and ctx.data.get("found"):
        return goto("owners")
    event = ctx.event
    before = int(ctx.data.get("total") or 0)
    if ctx.data.get("address") is None:
        text = event.text.strip()
        if event.kind != Kind.TEXT or not 3 <= len(text) <= PLACE_MAX or not street_of(text).names:
            return retry(_("Please type the street's name, e.g. “Lê Lợi”."))
        ctx.data["address"] = text
        if await search(ctx) == before:
            ctx.data["address"] = None  # another street may be typed
            await search(ctx)
            return retry(_("No camera registered by its address is on {street}.").format(street=text))
        return goto("owners")
    if event.kind != Kind.LOCATION or event.location is None:
        return retry(_("Please share the place's location (📎 → Location)."))
    lat, lon = event.location.latitude, event.location.longitude
    ward = await ctx.session.get(Ward, ctx.data["ward"])
    if ward is not None and await outside(ward, lat, lon, ctx.app.settings.ward_margin_km):
        return retry(
            _("That place is far outside {ward}. Please share a place in the ward.").format(ward=ward.name)
        )
    ctx.data.update(lat=lat, lon=lon)
    if await search(ctx) == before:
        ctx.data.update(lat=None, lon=None)
        await search(ctx)
        return retry(
            _("No camera registered with a location is within {m} m of that place.").format(
                m=fmt_number(ctx.data["radius"])
            )
        )
    return goto("owners")


# Reason and sending -------------------------------------------------------------------------------------------
@flow.ask("reason")
async def ask_reason(ctx: Context) -> None:
    ctx.reply(
        _(
            "Why do you ask? One short sentence the owners will read, e.g. “A motorbike was stolen nearby”. Never "
            "write the tip's content or who sent it."
        )
    )


@flow.on("reason")
async def on_reason(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if ctx.event.kind != Kind.TEXT or len(text) < 5:
        return retry(_("Please write a short reason (at least 5 characters)."))
    if len(text) > REASON_MAX:
        return retry(_("Please keep the reason under {n} characters.").format(n=REASON_MAX))
    ctx.data["reason"] = text
    return goto("confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    start, end = datetime.fromisoformat(ctx.data["start"]), datetime.fromisoformat(ctx.data["end"])
    n = len(ctx.data["picked"])
    ctx.reply(
        "\n".join(
            [
                _("Send the request to {n} owner(s)?").format(n=n),
                _("Time: {window}").format(window=window_label(start, end)),
                _("Reason they will read: {reason}").format(reason=ctx.data["reason"]),
            ]
        ),
        yes_no(_("Send"), _("Cancel"), SendRequests),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not SendRequests.expect(ctx).yes:
        ctx.reply(_("Nothing was sent."))
        return finish()
    start, end = datetime.fromisoformat(ctx.data["start"]), datetime.fromisoformat(ctx.data["end"])
    request = FootageRequest(
        ward_code=ctx.data["ward"],
        officer_person_id=ctx.person_id,
        tip_id=ctx.data.get("tip"),
        place_text=ctx.data.get("address"),
        latitude=ctx.data.get("lat"),
        longitude=ctx.data.get("lon"),
        radius_m=ctx.data["radius"],
        window_start=start,
        window_end=end,
        reason=ctx.data["reason"],
    )
    ctx.session.add(request)
    await ctx.session.flush()
    sent, gone = 0, []
    for owner_id in ctx.data["picked"]:
        camera_ids = [f[0] for f in ctx.data["found"] if f[1] == owner_id]
        cameras = [c for c in [await ctx.session.get(Camera, i) for i in camera_ids] if c is not None]
        live = [c for c in cameras if c.status == CameraStatus.ACTIVE and c.owner_person_id == owner_id]
        gone += [pk(c) for c in cameras if c not in live]
        owner = await ctx.session.get(Person, owner_id)
        if not live or owner is None:
            continue
        ask = FootageAsk(
            request_id=pk(request),
            owner_person_id=owner_id,
            camera_ids=[pk(c) for c in live],
            deadline_at=start + timedelta(days=min(c.keep_days for c in live)),
        )
        ctx.session.add(ask)
        await ctx.session.flush()
        await enqueue_to_person(
            ctx.session,
            owner,
            request_message(pk(ask), live, request),
            kind="camera_request",
            priority=Priority.NOTICE,
            dedupe_key=f"camera:ask:{ask.id}",
            source_kind="footage_ask",
            source_id=str(ask.id),
        )
        sent += 1
    ctx.audit(
        "camera.request",
        "footage_request",
        str(request.id),
        request.ward_code,
        asked=sent,
        tip=request.tip_id,
    )
    lines = [
        ngettext(
            "Request no. {number} is sent to {n} owner.", "Request no. {number} is sent to {n} owners.", sent
        ).format(number=request.id, n=sent)
    ]
    if gone:
        lines.append(
            _(
                "Camera {numbers} was removed or paused by its owner since you looked: its owner was not asked "
                "about it."
            ).format(numbers=", ".join(str(g) for g in gone))
        )
    ctx.reply("\n".join(lines), [Choice(_("Open the request"), OpenRequest(pk(request)))])
    return finish()


def request_message(ask_id: int, cameras: list[Camera], request: FootageRequest) -> Callable[[], Reply]:
    """What an owner receives, rendered in their language: the window, the reason and the deadline."""
    start, end, reason = request.window_start, request.window_end, request.reason
    deadline = start + timedelta(days=min(c.keep_days for c in cameras))
    numbers = ", ".join(str(c.id) for c in cameras)
    facing = "; ".join(c.facing for c in cameras)

    def render() -> Reply:
        return Reply(
            "\n".join(
                [
                    _(
                        "The ward police ask whether your camera {numbers} ({facing}) recorded anything {window}."
                    ).format(numbers=numbers, facing=facing, window=window_label(start, end)),
                    _("Why: {reason}").format(reason=reason),
                    _(
                        "Your camera records over its footage after about {when}: please answer before then. You "
                        "may decline; that is your right."
                    ).format(when=fmt_datetime(deadline)),
                ]
            ),
            answer_choices(ask_id),
        )

    return render


def answer_choices(ask_id: int) -> tuple[Choice, ...]:
    return (
        Choice(_("I have it"), Answer(ask_id, "have")),
        Choice(_("Nothing recorded"), Answer(ask_id, "nothing")),
        Choice(_("I decline"), Answer(ask_id, "decline")),
    )
