"""/togiac (/tip): what happened, where and when — with emergency numbers first when someone is in danger now.

The form keeps everything in the conversation state until the person presses Send; that state is erased when
the form ends (sent, cancelled or expired) and is never logged. Files are stored encrypted as they arrive and
deleted again if the form is abandoned (handlers/tips/files.py). The steps from the ward on, and the one press
that sends the tip, are in flows/submit.py.
"""

from __future__ import annotations

from datetime import date

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.forms import received_beside
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import guess_offered, read_it, says_nothing
from bot.core.understand import EMERGENCY_HINT
from bot.i18n import N_, _, local, ngettext
from bot.textnorm import fold
from handlers.tips.buttons import Category, DayUnknown, Emergency, NoPlace, What, When
from handlers.tips.files import decide_choices, decide_files, take_files
from handlers.tips.store import (
    Stored,
    daily_limit,
    discard_files,
    network_has_room,
    tips_today,
)
from handlers.tips.texts import CATEGORIES, category_name
from handlers.tips.when import typed_when

router = Router("tips.report")
flow = Flow(
    "tip",
    steps=(
        "category",
        "what",
        "emergency",
        "where",
        "when",
        "when_date",
        "ward",
        "ward_search",
        "ward_pick",
        "identity",
        "reply",
        "name",
        "phone",
        "summary",
    ),
    private=True,
)
emergency_flow = Flow("tip_emergency", steps=("confirm",), private=True)
MAX_TEXT = 3000

# Folded words and phrases that suggest danger happening now (Vietnamese without accents, and English).
EMERGENCY = (
    "dang chay",
    "chay nha",
    "bi chay",
    "hoa hoan",
    "no tung",
    "phat no",
    "khoi lua",
    "cuu voi",
    "cuu toi",
    "cuu em",
    "bi thuong",
    "chay mau",
    "bat tinh",
    "dam nhau",
    "bi dam",
    "chem nhau",
    "bi chem",
    "danh nhau",
    "dang danh",
    "dang cuop",
    "cuop giat",
    "co sung",
    "no sung",
    "cam dao",
    "tai nan",
    "nguoi chet",
    "sap chet",
    "tu tu",
    "bat coc",
    "dang dot",
    "dang xay ra",
    "ngay bay gio",
    "duoi nuoc",
    "fire",
    "burning",
    "smoke",
    "explosion",
    "help me",
    "injured",
    "hurt",
    "bleeding",
    "unconscious",
    "stabbed",
    "stabbing",
    "gun",
    "shooting",
    "robbery",
    "fighting",
    "attacking",
    "dying",
    "accident",
    "kidnap",
    "right now",
    "happening now",
    "in progress",
    "drowning",
)


def is_emergency(text: str) -> bool:
    padded = f" {fold(text)} "
    return any(f" {phrase} " in padded for phrase in EMERGENCY)


def emergency_text() -> str:
    return _(
        "If someone is in danger right now, call first:\n"
        "113 — police\n114 — fire and rescue\n115 — ambulance\n\n"
        "A tip reaches the ward police in working hours; it is not an emergency call."
    )


def emergency_choices() -> list[Choice]:
    return [
        Choice(_("Continue with the tip"), Emergency("go")),
        Choice(_("Stop, I will call"), Emergency("stop")),
    ]


@router.command(
    "togiac", "tip", help=N_("Tell the ward police what you saw (anonymous by default)"), private=True
)
async def start(ctx: Context) -> None:
    # Photos another form hands over (a problem report that is a crime), cleaned already: this form's files now.
    files = [Stored("photo", ref, ref, mime, size, True).as_json() for ref, mime, size in ctx.carried_photos]
    if await tips_today(ctx.session, ctx.app.keyring, ctx.person_id) >= daily_limit(ctx.app):
        await discard_files(ctx.app, files)
        ctx.reply(limit_text(ctx))
        return
    if not await network_has_room(ctx.app, ctx.session, ctx.event.client_key):
        await discard_files(ctx.app, files)
        ctx.reply(network_limit_text())
        return
    # What followed the command, or the words the person wrote before pressing "report" (bot.core.understand).
    typed = (ctx.event.args or ctx.carried or "").strip()[:MAX_TEXT]
    shown = ctx.hint == EMERGENCY_HINT  # the emergency numbers were given with the offer
    guessed = ctx.hint if ctx.hint in CATEGORIES else None
    if typed and is_emergency(typed) and not shown:
        ctx.begin("tip_emergency", text=typed, files=files, guess=guessed)
    else:
        ctx.begin("tip", text=typed, files=files, emergency_seen=shown, guess=guessed)


def limit_text(ctx: Context) -> str:
    return _(
        "You have already sent {n} tips today, the most one person can send in a day. Thank you for "
        "caring about your neighbourhood! Please send the next one tomorrow; in an emergency call 113."
    ).format(n=daily_limit(ctx.app))


def network_limit_text() -> str:
    return _(
        "Many tips have been sent from your network today, as many as we can accept from one network in a "
        "day. Thank you for caring about your neighbourhood! Please send yours tomorrow; in an emergency "
        "call 113."
    )


@emergency_flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    ctx.reply(emergency_text(), emergency_choices())


@emergency_flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    files = ctx.data.get("files", [])
    if Emergency.expect(ctx).answer == "go":
        ctx.begin(
            "tip",
            text=ctx.data.get("text", ""),
            files=files,
            emergency_seen=True,
            guess=ctx.data.get("guess"),
        )
        return stay()
    await discard_files(ctx.app, files)
    ctx.reply(_("Please call now. Nothing was sent or kept."))
    return finish()


@emergency_flow.cancelled
async def emergency_cancelled(ctx: Context) -> None:
    await discard_files(ctx.app, ctx.data.get("files", []))


# Category -------------------------------------------------------------------------------------------------
@flow.ask("category")
async def ask_category(ctx: Context) -> None:
    choices = [Choice(_(label), Category(key)) for key, label in CATEGORIES.items()]
    guess = ctx.data.get("guess")
    if guess in CATEGORIES:
        # Guessed from the person's own words: offered first, for them to confirm (a press, or "có") or change.
        offer, choices = guess_offered(ctx, choices, Category(guess).pack(), category_name(guess))
        ctx.reply(
            offer + " " + _("(Type /huy at any time to stop; nothing is sent until you press Send.)"), choices
        )
        return
    ctx.reply(
        _("What is it about? (Type /huy at any time to stop; nothing is sent until you press Send.)"), choices
    )


@flow.on("category", files=True)
async def on_category(ctx: Context) -> Outcome:
    chosen = Category.read(ctx)
    if chosen is None and ctx.data.get("guess") in CATEGORIES and ctx.event.kind == Kind.TEXT:
        if read_it(ctx.event.text):  # "dạ", "vâng", "ok": the guess
            chosen = Category(ctx.data["guess"])
    if chosen is None and ctx.event.kind == Kind.TEXT and len(ctx.event.text.strip()) >= 10:
        # Someone who starts telling straight away: keep it as the start of the description, and check for danger.
        add_text(ctx, ctx.event.text)
        if not ctx.data.get("emergency_seen") and is_emergency(ctx.event.text):
            ctx.data["emergency_seen"] = True
            return goto("emergency")
        return retry(_("Noted. First, please choose what it is about:"))
    if chosen is None and ctx.event.kind in (Kind.MEDIA, Kind.LOCATION):
        # A photo or a place sent before anything else, as many begin: kept for the tip, then the category.
        notes = await take_early(ctx)
        if not ctx.data.get("emergency_seen") and is_emergency(ctx.event.text):  # a caption read like words
            ctx.data["emergency_seen"] = True
            if notes:
                ctx.reply("\n\n".join(notes))
            return goto("emergency")
        return retry("\n\n".join([*notes, _("Noted. First, please choose what it is about:")]))
    if chosen is None or chosen.key not in CATEGORIES:
        raise NotChosen()
    ctx.data["category"] = chosen.key
    return goto("what")


@flow.keeps_files
async def take_early(ctx: Context) -> list[str]:
    """Keep the files (and caption) or the location of a message sent before the form asked for them, or after
    (a photo at the last question is the tip's too)."""
    event = ctx.event
    if event.kind == Kind.LOCATION and event.location is not None:
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        return []
    files = ctx.data.setdefault("files", [])
    notes = await take_files(ctx, files, warn=True)  # a decision it needs is offered with the description
    if event.text.strip():
        add_text(ctx, event.text)
    return notes


# What happened --------------------------------------------------------------------------------------------
QUOTE = 300  # characters of the description shown back to the tipster


def done_choice() -> list[Choice]:
    return [Choice(_("Done"), What("done"))]


@flow.ask("what")
async def ask_what(ctx: Context) -> None:
    text = (
        _(
            "Tell us what happened: what you saw, who was involved, vehicles, how often. You can also send "
            "photos, files or a voice note. Press Done when you have finished."
        )
        if takes_any_file(ctx)
        else _(
            "Tell us what happened: what you saw, who was involved, vehicles, how often. You can also send "
            "photos. Press Done when you have finished."
        )
    )
    so_far = ctx.data.get("text", "")
    if so_far or ctx.data.get("files"):
        files = len(ctx.data.get("files", []))
        so_far_said = ngettext(
            "So far: {chars} characters of text, {files} file.",
            "So far: {chars} characters of text, {files} files.",
            files,
        )
        text += "\n\n" + so_far_said.format(chars=len(so_far), files=files)
    if so_far:
        # Shown back (the start of it), so words carried in from a first message can be checked before Done.
        shown = so_far if len(so_far) <= QUOTE else so_far[:QUOTE].rstrip() + "…"
        text += "\n" + _("Your words: “{text}”").format(text=shown)
    ctx.reply(text, what_choices(ctx))


def takes_any_file(ctx: Context) -> bool:
    """Whether the person can send files and voice notes from this chat, not photos alone: the form invites only
    what reaches it."""
    return ctx.can_send("voice") and ctx.can_send("file")


def what_choices(ctx: Context) -> list[Choice]:
    """Done, and while a file awaits the tipster's decision, keeping or removing it."""
    return decide_choices(ctx, What("keep"), What("drop")) + done_choice()


@flow.on("what", files=True)
async def on_what(ctx: Context) -> Outcome:
    event = ctx.event
    pressed = What.read(ctx)
    answer = pressed.action if pressed else None
    if answer is None and event.kind == Kind.TEXT and says_nothing(event.text):
        # "dạ", "ok", "không" under "Noted. Add more, or press Done.": that is all (no line of the tip).
        answer = "done"
    if answer == "done":
        if not ctx.data.get("text", "").strip() and not ctx.data.get("files"):
            return retry(_("Please describe what happened, or send a photo, before pressing Done."))
        ctx.data.pop("pending", None)  # kept: the summary shows them again before anything is sent
        return goto("where")
    if answer in ("keep", "drop"):
        told = await decide_files(ctx, answer)
        ctx.reply(told + "\n\n" + _("Add more, or press Done."), what_choices(ctx))
        return stay()
    if event.kind == Kind.MEDIA:
        files = ctx.data.setdefault("files", [])
        before = len(files)
        notes = await take_files(ctx, files, warn=True)
        if event.text.strip():
            add_text(ctx, event.text)
        if len(files) > before:
            received = ngettext(
                "Received ({files} file so far). Send more, or press Done.",
                "Received ({files} files so far). Send more, or press Done.",
                len(files),
            )
            notes.append(received.format(files=len(files)))
        else:
            notes.append(_("Add more, or press Done."))
        ctx.reply("\n\n".join(notes), what_choices(ctx))
        return stay()
    if event.kind == Kind.LOCATION and event.location is not None:
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        ctx.reply(_("Location noted. Add more, or press Done."), what_choices(ctx))
        return stay()
    if event.kind == Kind.TEXT and event.text.strip():
        if len(ctx.data.get("text", "")) + len(event.text) > MAX_TEXT:
            return retry(
                _("That is more text than one tip can hold ({max} characters). Please shorten it.").format(
                    max=MAX_TEXT
                )
            )
        add_text(ctx, event.text)
        if not ctx.data.get("emergency_seen") and is_emergency(event.text):
            ctx.data["emergency_seen"] = True
            return goto("emergency")
        ctx.reply(_("Noted. Add more, or press Done."), what_choices(ctx))
        return stay()
    raise NotChosen()


def add_text(ctx: Context, text: str) -> None:
    previous = ctx.data.get("text", "")
    ctx.data["text"] = (previous + "\n" + text.strip()).strip()[:MAX_TEXT]


@flow.ask("emergency")
async def ask_emergency(ctx: Context) -> None:
    ctx.reply(emergency_text(), emergency_choices())


@flow.on("emergency")
async def on_emergency(ctx: Context) -> Outcome:
    if Emergency.expect(ctx).answer == "go":
        return goto("what" if ctx.data.get("category") else "category")
    await discard_files(ctx.app, ctx.data.get("files", []))
    ctx.reply(_("Please call now. Nothing was sent or kept."))
    return finish()


# Where and when -------------------------------------------------------------------------------------------
@flow.ask("where")
async def ask_where(ctx: Context) -> None:
    if ctx.data.get("location"):
        ctx.reply(
            _("Where exactly? You shared a location; you may add an address or landmark, or press Skip."),
            [Choice(_("Skip"), NoPlace("skip"))],
        )
        return
    ctx.reply(
        _("Where did it happen? Share a location, or type an address or landmark.")
        if ctx.can_share_location()
        else _("Where did it happen? Type an address or landmark."),
        [Choice(_("I don't remember"), NoPlace("unknown"))],
    )


@flow.on("where", files=True)
async def on_where(ctx: Context) -> Outcome:
    event = ctx.event
    if NoPlace.read(ctx) is not None:
        return goto("when")
    if event.kind == Kind.LOCATION and event.location is not None:
        ctx.data["location"] = [event.location.latitude, event.location.longitude]
        return goto("when")
    notes: list[str] = []
    if event.kind == Kind.MEDIA:
        # A photo of the place (its caption, if any, the address): it joins the tip's files.
        notes = await take_files(ctx, ctx.data.setdefault("files", []), warn=True)
    if (
        event.kind in (Kind.TEXT, Kind.MEDIA)
        and len(event.text.strip()) >= 3
        and not says_nothing(event.text)
    ):
        ctx.data["place"] = event.text.strip()[:300]
        if notes:
            ctx.reply("\n\n".join(notes))
        return goto("when")
    if event.kind == Kind.MEDIA and not notes:
        notes.append(received_beside(len(event.attachments)))
    again = (
        _("Please share a location, type the address, or press the button.")
        if ctx.can_share_location()
        else _("Please type the address, or press the button.")
    )
    return retry("\n\n".join([*notes, again]))


@flow.ask("when")
async def ask_when(ctx: Context) -> None:
    ctx.reply(
        _("When did it happen?"),
        [
            Choice(_("It is happening now"), When("now")),
            Choice(_("Today"), When("today")),
            Choice(_("Earlier"), When("earlier")),
            Choice(_("Again and again"), When("often")),  # last: "3" typed for "Earlier" stays so
        ],
    )


@flow.on("when")
async def on_when(ctx: Context) -> Outcome:
    pressed = When.read(ctx)
    typed = typed_when(ctx.event.text) if pressed is None and ctx.event.kind == Kind.TEXT else None
    if isinstance(typed, date):
        # "hôm qua", "20/11" typed straight away: the day itself, as the next question would ask for it.
        return on_day(ctx, typed)
    answer = typed or When.expect(ctx).answer
    if answer == "earlier":
        return goto("when_date")
    ctx.data["occurred"] = answer
    return goto("ward")


@flow.ask("when_date")
async def ask_when_date(ctx: Context) -> None:
    ctx.reply(
        _("On which day? Type the date, for example 20/11 or 20/11/2026."),
        [Choice(_("I don't remember"), DayUnknown())],
    )


@flow.on("when_date")
async def on_when_date(ctx: Context) -> Outcome:
    if DayUnknown.read(ctx) is not None:
        ctx.data["occurred"] = "unknown"
        return goto("ward")
    typed = typed_when(ctx.event.text)  # "tối qua lúc 10 giờ" as well as "20/11"
    day = typed if isinstance(typed, date) else None
    if day is None:
        return retry(
            _("I could not read that date. Please type it as day/month, for example 20/11 or 20/11/2026.")
        )
    return on_day(ctx, day)


def on_day(ctx: Context, day: date) -> Outcome:
    if day > local(clock.now()).date():
        return retry(_("That date is in the future. Please type the day it happened."))
    ctx.data["occurred"] = day.isoformat()
    return goto("ward")


@flow.cancelled
async def cancelled(ctx: Context) -> None:
    await discard_files(ctx.app, ctx.data.get("files", []))
