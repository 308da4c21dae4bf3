"""/phananh (/issue): the form — what kind of problem, what it is (words and photos), where, whether to hear of
progress, named or not — and the one press that sends it.

The form is private like a tip's (bot.core.flow): a reporter may still choose to send without their name, so
nothing they type here is kept linked to them before they choose. Photos are cleaned of their metadata and
stored encrypted as they arrive, and deleted again if the form is abandoned. A description that reads like a
crime is offered the tip form instead, the words going along.
"""

from __future__ import annotations

from bot.cleaning import Verdict
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import guess_offered, says_nothing
from bot.delivery.outbox import seal_route
from bot.directory.extent import beyond_km
from bot.i18n import _, current_locale, ngettext
from handlers.common import home, yes_no
from handlers.mediation.screen import labels, police_matters
from handlers.problems import notify
from handlers.problems.buttons import Category, Crime, Described, Named, NoPlace, Progress, SendReport
from handlers.problems.store import area_of, count_report, discard, issue_code, keep_photo, sent_today
from handlers.problems.texts import CATEGORIES, category_name
from models import Ward
from models.base import pk
from models.problems import Problem, ProblemPhoto, ProblemRoute

router = Router("problems.report")
flow = Flow(
    "problem",
    steps=("category", "describe", "crime", "place", "progress", "identity", "summary"),
    private=True,
)
QUOTE = 300  # characters of the description shown back
# What a police-matter category of the mediation screen is among the tip form's categories.
TIP_CATEGORY = {"drugs": "drugs", "theft": "theft", "fraud": "fraud", "violence": "violence"}


def max_text(ctx: Context) -> int:
    return ctx.app.settings.problems_max_text_length


async def begin(ctx: Context, text: str = "", hint: str | None = None) -> None:
    """Start the form (after the daily limit), with words already written and a category they suggest, and the
    photos another form hands over (a photo sent before any form: handlers/problems/flows/first_photo.py)."""
    most = ctx.app.settings.problems_max_photos
    photos = [list(photo) for photo in ctx.carried_photos][:most]
    over = [list(photo) for photo in ctx.carried_photos[len(photos) :]]
    await discard(ctx.app, over)
    if await home(ctx) is None:
        await discard(ctx.app, photos)
        ctx.reply(_("Problems go to your ward: please join your ward first (type /batdau)."))
        return
    if await sent_today(ctx.session, ctx.app.keyring, ctx.person_id) >= ctx.app.settings.problems_daily_limit:
        await discard(ctx.app, photos)
        ctx.reply(
            _(
                "You have already sent {n} problem reports today, the most one person can send in a day. "
                "Thank you for caring about your neighbourhood! Please send the next one tomorrow."
            ).format(n=ctx.app.settings.problems_daily_limit)
        )
        return
    too_long = len(text) > max_text(ctx)
    ctx.begin(
        "problem",
        text=text.strip()[: max_text(ctx)],
        photos=photos,
        guess=hint if hint in CATEGORIES else None,
        cut=too_long,
        over=len(over),
    )


# Category -------------------------------------------------------------------------------------------------
@flow.ask("category")
async def ask_category(ctx: Context) -> None:
    choices = [Choice(_(label), Category(key)) for key, label in CATEGORIES.items()]
    intro = _("What is the problem? (Type /huy at any time to stop; nothing is sent until you press Send.)")
    guess = ctx.data.get("guess")
    if guess in CATEGORIES:
        # Guessed from the person's own words: offered first, to confirm or change.
        intro, choices = guess_offered(ctx, choices, Category(guess).pack(), category_name(guess))
    over = ctx.data.pop("over", 0)
    if over:  # photos handed over beyond what a report takes (an album sent before choosing this form)
        kept = len(ctx.data.get("photos", []))
        intro = (
            ngettext(
                "A report takes at most {most} photos: the first {most} go with it, {n} more was not kept.",
                "A report takes at most {most} photos: the first {most} go with it, {n} more were not kept.",
                over,
            ).format(most=kept, n=over)
            + "\n\n"
            + intro
        )
    ctx.reply(intro, choices)


@flow.on("category", files=True)
async def on_category(ctx: Context) -> Outcome:
    chosen = Category.read(ctx)
    if chosen is None and ctx.event.kind == Kind.TEXT and len(ctx.event.text.strip()) >= 10:
        if not add_text(ctx, ctx.event.text):
            return retry(too_long_text(ctx))
        return retry(_("Noted. First, please choose what kind of problem it is:"))
    if chosen is None and ctx.event.kind in (Kind.MEDIA, Kind.LOCATION):
        # A photo (the way many begin) or a place sent first: kept for the report, then the category.
        notes = await take_early(ctx)
        if isinstance(notes, Outcome):
            return notes
        return retry("\n\n".join([*notes, _("Noted. First, please choose what kind of problem it is:")]))
    if chosen is None or chosen.key not in CATEGORIES:
        raise NotChosen()
    ctx.data["category"] = chosen.key
    return goto("describe")


@flow.keeps_files
async def take_early(ctx: Context) -> list[str] | Outcome:
    """Keep the photos (and caption) or the location of a message sent before the form asked for them (or after:
    a photo at the last question is the report's too); or the retry that says why a location was refused."""
    event = ctx.event
    if event.kind == Kind.LOCATION and event.location is not None:
        refused = await far_away(ctx, event.location.latitude, event.location.longitude)
        if refused:
            return retry(refused)
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        return []
    notes = await take_photos(ctx)
    if event.text.strip() and not add_text(ctx, event.text):
        notes.append(too_long_text(ctx))
    return notes


# What it is -----------------------------------------------------------------------------------------------
def too_long_text(ctx: Context) -> str:
    return _(
        "That is more text than one report can hold ({max} characters). Please say it more briefly; what you "
        "wrote before is kept."
    ).format(max=max_text(ctx))


def add_text(ctx: Context, text: str) -> bool:
    """Add words to the description; False (nothing added) when it would be too long."""
    previous = ctx.data.get("text", "")
    joined = (previous + "\n" + text.strip()).strip()
    if len(joined) > max_text(ctx):
        return False
    ctx.data["text"] = joined
    return True


def done_choice() -> list[Choice]:
    return [Choice(_("Done"), Described("done"))]


@flow.ask("describe")
async def ask_describe(ctx: Context) -> None:
    text = _(
        "Describe the problem in a few words: what it is and since when. You can also send up to {n} photos. "
        "Press Done when you have finished."
    ).format(n=ctx.app.settings.problems_max_photos)
    if ctx.data.pop("cut", False):
        text = too_long_text(ctx) + "\n\n" + text
    so_far = ctx.data.get("text", "")
    if so_far:
        shown = so_far if len(so_far) <= QUOTE else so_far[:QUOTE].rstrip() + "…"
        text += "\n\n" + _("Your words: “{text}”").format(text=shown)
    if ctx.data.get("photos"):
        text += "\n" + _("Photos: {n}").format(n=len(ctx.data["photos"]))
    ctx.reply(text, done_choice())


@flow.on("describe", files=True)
async def on_describe(ctx: Context) -> Outcome:
    event = ctx.event
    if Described.read(ctx) is not None:
        if not ctx.data.get("text", "").strip() and not ctx.data.get("photos"):
            return retry(_("Please describe the problem, or send a photo, before pressing Done."))
        if not ctx.data.get("crime_ok") and police_matters(ctx.data.get("text", "")):
            return goto("crime")
        return goto("place")
    if event.kind == Kind.MEDIA:
        notes = await take_photos(ctx)
        if event.text.strip() and not add_text(ctx, event.text):
            notes.append(too_long_text(ctx))
        notes.append(_("Add more, or press Done."))
        ctx.reply("\n\n".join(notes), done_choice())
        return stay()
    if event.kind == Kind.LOCATION and event.location is not None:
        refused = await far_away(ctx, event.location.latitude, event.location.longitude)
        if refused:
            return retry(refused)
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        ctx.reply(_("Location noted. Add more, or press Done."), done_choice())
        return stay()
    if event.kind == Kind.TEXT and event.text.strip():
        if not add_text(ctx, event.text):
            return retry(too_long_text(ctx))
        ctx.reply(_("Noted. Add more, or press Done."), done_choice())
        return stay()
    raise NotChosen()


async def take_photos(ctx: Context) -> list[str]:
    """Clean and keep the event's pictures (a photo with or without a caption alike); what to tell the person."""
    notes = await keep_photos(ctx, ctx.app.settings.problems_max_photos)
    photos = ctx.data.get("photos", [])
    if photos and not notes:
        notes.append(_("Photo received ({n} so far).").format(n=len(photos)))
    return notes


async def keep_photos(ctx: Context, most: int) -> list[str]:
    """Clean and keep the event's pictures into ctx.data["photos"], at most `most` in all; what could not be kept
    and why."""
    photos: list[list] = ctx.data.setdefault("photos", [])
    notes: list[str] = []
    for attachment in ctx.event.attachments:
        if len(photos) >= most:
            notes.append(
                _("At most {n} photos can go with one report; the others were not kept.").format(n=most)
            )
            break
        kept = await keep_photo(ctx.app, await ctx.download(attachment))
        if kept is Verdict.BUSY:
            notes.append(
                _(
                    "Many files are being checked right now, so this one was not kept. Please send it again "
                    "in a minute; what you sent before is safe."
                )
            )
        elif kept is Verdict.TOO_MANY_PIXELS:
            notes.append(
                _(
                    "That picture is too large to be handled safely; please send a smaller copy or a screenshot."
                )
            )
        elif isinstance(kept, Verdict):
            notes.append(_("Only photos can go with a report; that file was not kept."))
        else:
            photos.append(list(kept))
    return notes


async def far_away(ctx: Context, latitude: float, longitude: float) -> str | None:
    """Why a shared location is refused (far outside the person's ward), or None."""
    grant = await home(ctx)
    ward = await ctx.session.get(Ward, grant.ward_code) if grant else None
    if ward is None:
        return None
    beyond = await beyond_km(ward, latitude, longitude)
    if beyond is None or beyond <= ctx.app.settings.ward_margin_km:
        return None
    return _(
        "That location is about {km} km outside {ward}, so its ward office cannot see to it. Please share a "
        "place in {ward}, or type the address; what you wrote before is kept. For a problem in another ward, "
        "contact that ward."
    ).format(km=round(beyond), ward=ward.name)


# A crime is the police's ------------------------------------------------------------------------------------
@flow.ask("crime")
async def ask_crime(ctx: Context) -> None:
    found = police_matters(ctx.data.get("text", ""))
    ctx.reply(
        _(
            "What you wrote may be about a crime ({what}). Crimes go to the ward police as a tip, which can be "
            "anonymous: your words go along, and you can check them before anything is sent. In an emergency "
            "call 113."
        ).format(what=", ".join(_(label) for label in labels(found))),
        [
            Choice(_("Tell the ward police"), Crime("tip")),
            Choice(_("It is not a crime, go on"), Crime("go")),
        ],
    )


@flow.on("crime")
async def on_crime(ctx: Context) -> Outcome:
    if Crime.expect(ctx).answer == "go":
        ctx.data["crime_ok"] = True
        return goto("place")
    text = ctx.data.get("text", "")
    found = police_matters(text)
    if "togiac" not in ctx.app.registry.commands:
        await discard(ctx.app, ctx.data.get("photos", []))
        ctx.reply(_("Please tell the ward police with /togiac. In an emergency call 113."))
        return finish()
    # As an offer of plain words does (bot.core.understand): the tip form opens with the words carried in and the
    # category guessed, handled as a tip's words from here on (its command is private). The photos, cleaned
    # already, go along: before, they were deleted without a word.
    ctx.carried = text or None
    ctx.carried_photos = [(ref, mime, size) for ref, mime, size in ctx.data.pop("photos", [])]
    ctx.hint = next((TIP_CATEGORY[c] for c in found if c in TIP_CATEGORY), None)
    await ctx.app.dispatcher.run_command(ctx, "togiac")
    return stay()


# Where ----------------------------------------------------------------------------------------------------
@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    if ctx.data.get("location"):
        ctx.reply(
            _("Where exactly? You shared a location; you may add an address or landmark, or press Skip."),
            [Choice(_("Skip"), NoPlace("skip"))],
        )
        return
    ctx.reply(
        _("Where is it? Share a location, or type the address or a landmark (for example: hẻm 5 Lê Lợi).")
        if ctx.can_share_location()
        else _("Where is it? Type the address or a landmark (for example: hẻm 5 Lê Lợi).")
    )


@flow.on("place", files=True)
async def on_place(ctx: Context) -> Outcome:
    event = ctx.event
    if NoPlace.read(ctx) is not None and ctx.data.get("location"):
        return goto("progress")
    if event.kind == Kind.LOCATION and event.location is not None:
        refused = await far_away(ctx, event.location.latitude, event.location.longitude)
        if refused:
            return retry(refused)
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        return goto("progress")
    notes: list[str] = []
    if event.kind == Kind.MEDIA:
        # A photo of the place (its caption, if any, the address): it joins the report's photos.
        notes = await take_photos(ctx)
    if (
        event.kind in (Kind.TEXT, Kind.MEDIA)
        and len(event.text.strip()) >= 3
        and not says_nothing(event.text)
    ):
        if len(event.text.strip()) > 300:
            return retry(_("Please give the place in fewer words (at most 300 characters)."))
        ctx.data["place"] = " ".join(event.text.split())
        if notes:
            ctx.reply("\n\n".join(notes))
        return goto("progress")
    again = (
        _("Please share a location or type the address.")
        if ctx.can_share_location()
        else _("Please type the address.")
    )
    return retry("\n\n".join([*notes, again]))


# Progress and name ------------------------------------------------------------------------------------------
@flow.ask("progress")
async def ask_progress(ctx: Context) -> None:
    ctx.reply(
        _("Shall we tell you about progress (when it is passed on and when it is fixed)?"),
        yes_no(_("Yes, tell me"), _("No need"), Progress),
    )


@flow.on("progress")
async def on_progress(ctx: Context) -> Outcome:
    ctx.data["progress"] = Progress.expect(ctx).yes
    return goto("identity")


@flow.ask("identity")
async def ask_identity(ctx: Context) -> None:
    ctx.reply(
        _(
            "Send it with your name? The ward office then knows who reported it and may contact you. You may "
            "also send it without your name: then nothing that identifies you is stored with it, and you follow "
            "it with a receipt code."
        ),
        [Choice(_("With my name"), Named("named")), Choice(_("Without my name (anonymous)"), Named("anon"))],
    )


@flow.on("identity")
async def on_identity(ctx: Context) -> Outcome:
    ctx.data["anonymous"] = Named.expect(ctx).kind == "anon"
    return goto("summary")


# Summary and send -------------------------------------------------------------------------------------------
@flow.ask("summary")
async def ask_summary(ctx: Context) -> None:
    d = ctx.data
    place = d.get("place") or ""
    if d.get("location"):
        place = (place + " " + _("(location shared)")).strip()
    lines = [
        _("Please check your report:"),
        _("Problem: {category}").format(category=category_name(d["category"])),
        _("What: {text}").format(text=d.get("text") or "—"),
        _("Photos: {n}").format(n=len(d.get("photos", []))),
        _("Where: {place}").format(place=place or "—"),
        _("Progress: {answer}").format(answer=_("tell me") if d.get("progress") else _("no need")),
        _("Without your name") if d.get("anonymous") else _("With your name"),
    ]
    ctx.reply("\n".join(lines), [Choice(_("Send"), SendReport(True)), Choice(_("Cancel"), SendReport(False))])


@flow.on("summary")
async def on_summary(ctx: Context) -> Outcome:
    if not SendReport.expect(ctx).yes:
        await discard(ctx.app, ctx.data.get("photos", []))
        ctx.reply(_("Cancelled. Nothing was sent or kept."))
        return finish()
    grant = await home(ctx)
    if grant is None:
        await discard(ctx.app, ctx.data.get("photos", []))
        ctx.reply(_("Problems go to your ward: please join your ward first (type /batdau)."))
        return finish()
    await send(ctx, grant.ward_code, *await area_of(ctx.session, grant))
    return finish()


async def send(ctx: Context, ward_code: int, area_id: int | None, group_id: int | None) -> None:
    d = ctx.data
    anonymous = bool(d.get("anonymous"))
    location = d.get("location") or [None, None]
    problem = Problem(
        ward_code=ward_code,
        area_id=area_id,
        group_id=None if anonymous else group_id,
        category=d["category"],
        text=d.get("text") or "",
        place_text=d.get("place"),
        latitude=location[0],
        longitude=location[1],
        anonymous=anonymous,
        wants_progress=bool(d.get("progress")),
        person_id=None if anonymous else ctx.person_id,
    )
    ctx.session.add(problem)
    await ctx.session.flush()
    number = pk(problem)
    code = await issue_code(ctx.app.keyring, problem) if anonymous else None
    ctx.session.add_all(
        ProblemPhoto(problem_id=number, ref=ref, mime_type=mime, size=size)
        for ref, mime, size in d.get("photos", [])
    )
    if anonymous and problem.wants_progress:
        sealed = seal_route(ctx.app.keyring, ctx.event.channel, ctx.event.chat_id)
        ctx.session.add(ProblemRoute(problem_id=number, sealed=sealed, locale=current_locale()))
    await count_report(ctx.session, ctx.app.keyring, ctx.person_id)
    await notify.new_report(ctx.session, problem)
    lines = [_("Sent. Your report no. {number} is with the ward office.").format(number=number)]
    if code is not None:
        lines += [
            _("Your receipt code: {code}").format(code=code),
            _(
                "Keep it: it is the only way to follow this report, from any chat app — type /phananh {code}. "
                "We do not keep it, so we cannot show it again. Nothing that identifies you was stored with it."
            ).format(code=code),
        ]
    else:
        lines.append(_("Type /phananh {number} any time to see where it stands.").format(number=number))
    if problem.wants_progress:
        lines.append(_("We will tell you when it is passed on and when it is fixed."))
    ctx.reply("\n\n".join(lines))


@flow.cancelled
async def cancelled(ctx: Context) -> None:
    await discard(ctx.app, ctx.data.get("photos", []))
