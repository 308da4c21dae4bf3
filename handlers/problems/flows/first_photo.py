"""A photo sent outside any form, the way many begin (a broken street light, a suspect at the corner): cleaned and
kept as a problem report's photos are, for one question — tell the ward police, or report a problem to the ward —
then handed with its caption to the form chosen; deleted when neither is, or when the question is left or left
idle. Private like a tip's words: nothing of it is linked to the person before they choose. Before, the person
was told the photo was not kept and to send it again inside a form."""

from __future__ import annotations

from typing import Literal

from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _
from handlers.problems.flows.report import keep_photos
from handlers.problems.store import discard

router = Router("problems.first_photo")
flow = Flow("first_photo", steps=("use",), private=True)
Use = Literal["togiac", "phananh", "drop"]
FORMS: tuple[Use, ...] = ("togiac", "phananh")  # what the photo may go to, in the order offered
MAX_WORDS = 1000  # characters of the words kept with the photo; the form that takes them has its own limit
# Photos kept for the question: an album's most. The form chosen takes what it can and says what it could not
# (a problem report takes fewer than a tip); before, a report's limit cut an album before anything was chosen.
MAX_PHOTOS = 10


class UsePhoto(Payload, prefix="pfu"):
    use: Use


@router.photos_outside
async def photo_outside(ctx: Context) -> None:
    # Into ctx.data["photos"]: the conversation's, until the flow begins.
    notes = await keep_photos(ctx, MAX_PHOTOS)
    photos = ctx.data.pop("photos", [])
    if not photos:  # none could be kept (too large, not a picture): said why
        await menu.show(ctx, "\n\n".join(notes))
        return
    ctx.begin(flow.name, photos=photos, text=ctx.event.text.strip()[:MAX_WORDS], notes=notes)


@flow.ask("use")
async def ask_use(ctx: Context) -> None:
    registry = ctx.app.registry
    choices = [
        Choice(menu.label_for(registry, form), UsePhoto(form)) for form in FORMS if form in registry.commands
    ]
    notes = ctx.data.pop("notes", [])  # what of the first message could not be kept, and why
    ctx.reply(
        "\n\n".join(notes)
        + ("\n\n" if notes else "")
        + _(
            "I have your photo ({n} so far). Who should see it? It is kept only for the form you choose (if you "
            "choose none, it is not kept), and nothing is sent until you press Send there."
        ).format(n=len(ctx.data["photos"])),
        [*choices, Choice(_("Don't send it"), UsePhoto("drop"))],
    )


@flow.on("use", files=True)
async def on_use(ctx: Context) -> Outcome:
    event = ctx.event
    if event.kind == Kind.MEDIA:  # one more (the question says how many it has)
        notes = await keep_photos(ctx, MAX_PHOTOS)
        if event.text.strip():
            add_words(ctx, event.text)
        return retry("\n\n".join(notes))
    pressed = UsePhoto.read(ctx)
    if pressed is None and event.kind == Kind.TEXT and len(event.text.strip()) >= 3:
        add_words(ctx, event.text)  # what the photo shows, said after it: it goes along
        return retry(_("Noted: your words go along with the photo."))
    if pressed is None:
        raise NotChosen()
    photos = ctx.data.pop("photos", [])
    if pressed.use == "drop" or pressed.use not in ctx.app.registry.commands:
        await discard(ctx.app, photos)
        ctx.reply(_("The photo was deleted; nothing was sent or kept."))
        return finish()
    # The form chosen owns the photos from here (it deletes them if it is not sent), and starts from the words.
    ctx.carried = ctx.data.get("text") or None
    if (
        ctx.carried
    ):  # the kind the words suggest, preselected as when they are typed alone (bot.core.understand)
        readings = ctx.app.registry.reader.best(ctx.carried)
        ctx.hint = next((r.intent.hint for r in readings if r.intent.command == pressed.use), None)
    ctx.carried_photos = [(ref, mime, size) for ref, mime, size in photos]
    await ctx.app.dispatcher.run_command(ctx, pressed.use)
    return finish()  # unless the form began (then it replaces this one): refused, it deleted the photos


def add_words(ctx: Context, text: str) -> None:
    ctx.data["text"] = (ctx.data.get("text", "") + "\n" + text.strip()).strip()[:MAX_WORDS]


@flow.cancelled
async def cancelled(ctx: Context) -> None:
    await discard(ctx.app, ctx.data.get("photos", []))
