"""The tipster's answer to a police question or reply, given under it: words typed beneath it, or its
"Answer" button and then the words. Neither needs the receipt code and neither shows anything of the tip: the
button's one-time key answers that one question only. The answer is kept as an addition made through /tracuu is,
with no trace of who typed it."""

from __future__ import annotations

import hmac
import secrets

from sqlmodel import col, select

from bot.core import forms
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, retry, stay
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _, fmt_date
from bot.security import Keyring
from handlers.tips.buttons import AnswerQuestion
from handlers.tips.files import take_files
from handlers.tips.flows.lookup import store_addition
from handlers.tips.flows.report import MAX_TEXT
from handlers.tips.store import Stored, discard_files
from handlers.tips.texts import status_for_tipster
from models import Tip, TipMessage, TipStatus
from models.base import pk

router = Router("tips.answer")
answer_flow = Flow("tip_question_answer", steps=("text",), private=True)
KEY_PURPOSE = "tip-answer"


def new_key() -> str:
    """A one-time key for a question's Answer button (16 characters: the button stays within 64 bytes)."""
    return secrets.token_urlsafe(12)


def key_hash(keyring: Keyring, key: str) -> str:
    """What the question keeps of its key (TipMessage.detail["answer_key"]): the key itself is only in the button."""
    return keyring.keyed_hash(KEY_PURPOSE, key)


async def asked(ctx: Context, pressed: AnswerQuestion) -> Tip | None:
    """The tip whose open question (or reply) this button answers, or None (a forged key, a closed or purged tip)."""
    tip = await questioned(ctx, pressed)
    return None if tip is None or tip.status in TipStatus.CLOSED else tip


async def questioned(ctx: Context, pressed: AnswerQuestion) -> Tip | None:
    """The tip whose question this button is under, open or closed; None for a forged key or a purged tip (then
    nothing of it may be said)."""
    tip = await ctx.session.get(Tip, pressed.tip_id)
    if tip is None or tip.purged_at is not None:
        return None
    wanted = key_hash(ctx.app.keyring, pressed.key)
    questions = await ctx.session.exec(
        select(TipMessage).where(TipMessage.tip_id == tip.id, col(TipMessage.kind).in_(("ask", "reply")))
    )
    if not any(hmac.compare_digest(str((q.detail or {}).get("answer_key", "")), wanted) for q in questions):
        return None
    return tip


async def send_answer(ctx: Context, tip: Tip, text: str, key: str) -> bool:
    """Send the words, and the photos or files of the message (a photo of the number plate asked for), as the
    answer; before, a photo under the question was said not kept and its caption was lost.

    The same question's button comes back under the thanks ("Add more"): people send a photo and then type what it
    shows, or write in several messages. Before, the words typed after a photo answer were read as a new message
    ("cuối hẻm, khoảng 9 giờ tối" was answered with 113 and a new tip) and never reached the police."""
    files, notes = await answer_files(ctx, tip)
    if not text and not files:
        ctx.reply("\n\n".join([*notes, _("Please type your answer.")]))
        return False
    await store_addition(ctx, tip, text[:MAX_TEXT], files)
    notes.append(
        _(
            "Your answer was sent to the police (tip no. {number}). Thank you! They still do not know who you are."
        ).format(number=tip.id)
        + " "
        + _("To add something to it, type it here or press “Add more”.")
    )
    ctx.reply("\n\n".join(notes), [Choice(_("Add more"), AnswerQuestion(pk(tip), key))])
    return True


async def answer_files(ctx: Context, tip: Tip) -> tuple[list[list], list[str]]:
    """The message's files, cleaned and kept, and what to tell the tipster. An answer is sent at once, with no
    step to decide on a file that may identify an anonymous tipster (a voice, hidden details that could not be
    removed): such a file is not sent, and the tipster is told how to send it knowingly."""
    files: list[list] = []
    notes = await take_files(ctx, files, warn=False)
    risky = [value for value in files if tip.anonymous and Stored.from_json(value).risk]
    if risky:
        await discard_files(ctx.app, risky)
        files = [value for value in files if value not in risky]
        notes.append(
            _(
                "A voice recording, or a file whose hidden details could not be removed, may identify you, so it "
                "was not sent. Type what it says instead, or add it with /tracuu and your receipt code, where you "
                "can choose to keep it."
            )
        )
    return files, notes


@router.choice(AnswerQuestion)
async def on_answer(ctx: Context) -> None:
    ctx.private = True  # the tipster's words and this chat must not be kept together
    pressed = AnswerQuestion.expect(ctx)
    tip = await asked(ctx, pressed)
    if tip is None:
        await not_answerable(ctx, pressed)
        return
    if ctx.event.kind in (Kind.TEXT, Kind.MEDIA):  # words or a photo sent under the question: the answer
        await send_answer(ctx, tip, ctx.event.text.strip(), pressed.key)
        return
    # Pressed (or its number typed) in the middle of another form: the police's question is answered beside it, and
    # that form takes up again at its question, as after /ngonngu typed in it.
    aside = await forms.set_aside(ctx) if ctx.state.flow not in (None, answer_flow.name) else None
    ctx.begin(answer_flow.name, tip=tip.id, key=pressed.key)
    if aside is not None:
        await forms.beside(ctx, aside)


async def not_answerable(ctx: Context, pressed: AnswerQuestion) -> None:
    """The button of a question on a tip closed since (or gone): say which, plainly, and leave the answer form of
    that tip if it stood open. Before, "the tip may be closed", and an answer form opened earlier for the same tip
    kept asking "Type your answer to the police" after the police had closed it."""
    if ctx.state.flow == answer_flow.name and ctx.data.get("tip") == pressed.tip_id:
        ctx.end()
    tip = await questioned(ctx, pressed)
    if tip is None:
        ctx.reply(
            _(
                "This question can no longer be answered here. To follow your tip, type /tracuu with your receipt "
                "code; to report something new, type /togiac."
            )
        )
        return
    closed = tip.closed_at or tip.received_at
    ctx.reply(
        _(
            "Tip no. {number} was closed by the police on {date} ({status}), so there is nothing more to answer "
            "and nothing was sent. To see what they wrote, type /tracuu with your receipt code; to report "
            "something new, type /togiac."
        ).format(number=tip.id, date=fmt_date(closed), status=status_for_tipster(tip.status))
    )


@answer_flow.ask("text")
async def ask_text(ctx: Context) -> None:
    ctx.reply(_("Type your answer to the police about tip no. {number}:").format(number=ctx.data["tip"]))


@answer_flow.on("text", files=True)
async def on_text(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if ctx.event.kind not in (Kind.TEXT, Kind.MEDIA) or not (text or ctx.event.attachments):
        return retry(_("Please type your answer."))
    tip = await asked(ctx, AnswerQuestion(ctx.data["tip"], ctx.data["key"]))
    if tip is None:
        ctx.reply(_("This tip is closed. To report something new, type /togiac."))
        return finish()
    return finish() if await send_answer(ctx, tip, text, ctx.data["key"]) else stay()
