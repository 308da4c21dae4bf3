"""The owner's answer to a footage request: "I have it" and the clips or stills (sent here, or through a one-time
web link for chat apps that cannot send videos), "nothing recorded", or "I decline" — recorded without judgement.
"I have it" is no promise: until a file has come, the owner may still say that nothing was recorded (or decline),
in words or by the button, and the officer is told. Whatever they send is cleaned of its GPS position and other
metadata for the police, and kept encrypted."""

from __future__ import annotations

from bot import clock
from bot.cleaning import Verdict
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, leaving, stay
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import typed_choice, yes_or_no
from bot.i18n import _, ngettext
from handlers.cameras.buttons import Answer, UploadDone
from handlers.cameras.notify import tell_officer
from handlers.cameras.store import clips_of, keep_clip, new_upload_link
from models.base import pk
from models.cameras import AskStatus, FootageAsk, FootageRequest

router = Router("cameras.answer")
flow = Flow("footage_upload", steps=("files",))
MAX_CLIPS = 10


def nothing_after_all() -> str:
    """The way out for an owner who said "I have it" and then found nothing on the recorder."""
    return _("If the camera recorded nothing after all, press “Nothing recorded”: the police will be told.")


async def owner_ask(ctx: Context, ask_id: int) -> FootageAsk | None:
    """The request, if it was sent to this person; otherwise a reply that reveals nothing about it."""
    ask = await ctx.session.get(FootageAsk, ask_id)
    if ask is None or ask.owner_person_id != ctx.person_id or ask.status == AskStatus.WITHDRAWN:
        ctx.reply(_("That request is no longer open."))
        return None
    return ask


@router.choice(Answer)
async def answered(ctx: Context) -> None:
    pressed = Answer.read(ctx)
    if pressed is None:
        raise NotChosen()
    ask = await owner_ask(ctx, pressed.ask_id)
    if ask is None:
        return
    if ask.status in (AskStatus.NOTHING, AskStatus.DECLINED):
        ctx.reply(_("You have already answered this request. Thank you."))
        return
    if pressed.answer == "have":
        ask.status, ask.answered_at = AskStatus.HAVE, ask.answered_at or clock.now()
        ctx.session.add(ask)
        ctx.begin("footage_upload", ask=pk(ask))
        return
    # "I have it" said first is no promise: an owner who then finds nothing on the recorder (or changes their mind
    # before sending anything) says so, and the officer stops waiting for a clip that will not come.
    if await already_sent(ctx, ask):
        return
    if ctx.state.flow == flow.name and int(ctx.data.get("ask", 0)) == pk(ask):
        ctx.end()  # the upload form of this request, left open: nothing more is awaited there
    await settle(ctx, ask, pressed.answer)


async def already_sent(ctx: Context, ask: FootageAsk) -> bool:
    """Whether files came with this answer (here or through the link): then it is answered, and the owner told."""
    sent = len(await clips_of(ctx.session, pk(ask)))
    if sent:
        ctx.reply(
            ngettext(
                "You have already sent {n} file for this request; the police have it. Thank you.",
                "You have already sent {n} files for this request; the police have them. Thank you.",
                sent,
            ).format(n=sent)
        )
    return bool(sent)


async def settle(ctx: Context, ask: FootageAsk, answer: str) -> None:
    """Nothing recorded, or declined: recorded with its time, the upload link spent, the officer told."""
    ask.status = AskStatus.NOTHING if answer == "nothing" else AskStatus.DECLINED
    ask.answered_at = clock.now()
    ask.upload_token_hash = None
    ctx.session.add(ask)
    ctx.audit(f"camera.answer.{ask.status}", "footage_ask", str(ask.id), None)
    await tell_officer(ctx.session, ask)
    if ask.status == AskStatus.NOTHING:
        ctx.reply(_("Thank you for checking. The police are told that nothing was recorded."))
    else:
        ctx.reply(
            _(
                "Understood. Declining is your right; the police are told, and you will not be asked again about this."
            )
        )


def upload_choices(ask_id: int, sent: int) -> list[Choice]:
    """Done; and, while nothing was sent, "nothing recorded after all"."""
    choices = [Choice(_("Done"), UploadDone())]
    if not sent:
        choices.append(Choice(_("Nothing recorded"), Answer(ask_id, "nothing")))
    return choices


@flow.ask("files")
async def ask_files(ctx: Context) -> None:
    ask = await ctx.session.get(FootageAsk, int(ctx.data["ask"]))
    if ask is None:
        ctx.reply(_("That request is no longer open."))
        ctx.end()
        return
    link = new_upload_link(ctx.app, ask)
    ctx.session.add(ask)
    ctx.reply(
        "\n".join(
            [
                _(
                    "Thank you! Send the clip or pictures here, as a video or a file (at most {n} files); press "
                    "Done when you have sent everything."
                ).format(n=MAX_CLIPS),
                _(
                    "If your chat app cannot send videos, or the file is large, open this link once in a browser "
                    "(it works one time, for {hours} hours): {link}"
                ).format(hours=ctx.app.settings.camera_upload_link_hours, link=link),
                _(
                    "Anything that shows where or with what it was filmed is removed before the police see it."
                ),
                nothing_after_all(),
            ]
        ),
        upload_choices(pk(ask), 0),
    )


@flow.on("files", files=True)
async def on_files(ctx: Context) -> Outcome:
    ask = await ctx.session.get(FootageAsk, int(ctx.data["ask"]))
    if ask is None or ask.owner_person_id != ctx.person_id:
        ctx.reply(_("That request is no longer open."))
        return finish()
    sent = len(await clips_of(ctx.session, pk(ask)))
    typed_yes = ctx.event.kind == Kind.TEXT and yes_or_no(ctx.event.text) is True
    # "thôi" reaches here as the no of the buttons; it stops sending, and must not tell the police "nothing".
    if (UploadDone.read(ctx) and not typed_yes) or leaving(ctx) == "maybe":  # "có" again is not Done
        await done(ctx, ask)
        return finish()
    pressed = Answer.read(ctx) or said_nothing(ctx, pk(ask))
    if pressed is not None and pressed.ask_id == pk(ask) and pressed.answer != "have":
        if await already_sent(ctx, ask):
            ctx.reply(_("Send more, or press Done."), upload_choices(pk(ask), sent))
            return stay()
        await settle(ctx, ask, pressed.answer)
        return finish()
    if ctx.event.kind != Kind.MEDIA or not ctx.event.attachments:
        # Not `retry`: asking again would make a new upload link and spend the one the owner may be using.
        ctx.reply(
            _("Please send the video or pictures, or press Done.")
            + ("" if sent else " " + nothing_after_all()),
            upload_choices(pk(ask), sent),
        )
        return stay()
    request = await ctx.session.get(FootageRequest, ask.request_id)
    notes: list[str] = []
    count = sent
    for attachment in ctx.event.attachments:
        if count >= MAX_CLIPS:
            notes.append(
                _("At most {n} files can go with one answer; the others were not kept.").format(n=MAX_CLIPS)
            )
            break
        data = await ctx.download(attachment)
        kept = await keep_clip(ctx.app, ask, request.tip_id if request else None, data, attachment.mime_type)
        if kept.clip is None:
            notes.append(
                _("That picture is too large to be handled safely; please send a smaller copy.")
                if kept.verdict is Verdict.TOO_MANY_PIXELS
                else _("Many files are being checked right now; please send it again in a minute.")
            )
            continue
        ctx.session.add(kept.clip)
        count += 1
        ctx.data["sent"] = int(ctx.data.get("sent", 0)) + 1
    ctx.audit(
        "camera.clip.add", "footage_ask", str(ask.id), request.ward_code if request else None, files=count
    )
    notes.insert(
        0,
        ngettext("Received: {n} file so far.", "Received: {n} files so far.", count).format(n=count)
        + " "
        + _("Send more, or press Done."),
    )
    ctx.reply("\n".join(notes), upload_choices(pk(ask), count))
    return stay()


def said_nothing(ctx: Context, ask_id: int) -> Answer | None:
    """ "không có gì hết" typed once files were sent, when the button is no longer offered: answered all the same
    (the files stay), rather than with "please send the video"."""
    if ctx.event.kind != Kind.TEXT:
        return None
    nothing = Answer(ask_id, "nothing")
    return Answer.unpack(
        typed_choice([{"label": _("Nothing recorded"), "payload": nothing.pack()}], ctx.event.text)
    )


async def done(ctx: Context, ask: FootageAsk) -> None:
    """The owner has sent what they will send here: the police are told of it, or the link stays for later."""
    if int(ctx.data.get("sent", 0)):
        ask.upload_token_hash = None  # what was sent here is all: the link is no longer needed
        ctx.session.add(ask)
        await tell_officer(ctx.session, ask, len(await clips_of(ctx.session, pk(ask))))
        ctx.reply(_("Thank you! The police have received your files."))
    elif await clips_of(ctx.session, pk(ask)):
        ctx.reply(_("Thank you! The police have received your files."))  # through the link: told already
    else:
        ctx.reply(
            _("Nothing was sent here. You can still use the link, or press “I have it” again later.")
            + " "
            + nothing_after_all(),
            [
                Choice(_("I have it"), Answer(pk(ask), "have")),
                Choice(_("Nothing recorded"), Answer(pk(ask), "nothing")),
            ],
        )


@flow.cancelled
async def cancelled(ctx: Context) -> None:
    # Leaving ("hủy", "menu", /huy) after sending files is Done: the files are the police's, the officer is told,
    # and "nothing from that form was saved" would be untrue.
    ask = await ctx.session.get(FootageAsk, int(ctx.data.get("ask", 0)))
    if ask is None or (ctx.person is not None and ask.owner_person_id != ctx.person.id):
        return  # (a form left idle is cleaned up with no person at hand: bot.core.dispatcher.forget_idle)
    await done(ctx, ask)
