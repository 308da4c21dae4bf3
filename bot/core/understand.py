"""What the bot answers to words it cannot place in a form: what they seem to ask for, offered in one press, or a
short answer and the main menu.

Nothing starts without a press: a reading is offered as a `cmd:<command>` button; only a look-up or a check
(mode "run": /kiemtra on a pasted message, /tracuu on a receipt code) runs at once, because it starts no form and
keeps nothing; when the words ask for one but carry nothing to run it on ("tra cứu tin báo" without a code), the
command opens and asks for it. When the offer carries the text into a form (a tip), the text waits in the
conversation state for that one press and is dropped by anything else; it is handled like a tip's text from the
start (private).

Words that mean one of the buttons just offered (outside a form: "có" under "Remove camera 3?", "camera 2" under the
list of cameras, "có" under a single offer, "đã đọc" or "ok" under an alert's "I have read this") press it, as the button's number does; menu entries are left to the
reading of plain words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.core import menu
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import leaving
from bot.core.intent_data import Mode, Reading
from bot.core.payloads import payload_of
from bot.core.replies import Choice
from bot.core.typed import THANKS_WORDS, acknowledged, said_read, typed_choice, yes_or_no
from bot.core.wording import words
from bot.i18n import _, use_locale
from models import Role

if TYPE_CHECKING:
    from bot.core.context import Context

CARRY_KEY = "carry"  # in the conversation state's data, outside any form: {"command", "text", "hint"}
FIRST_WORDS = "first_words"  # in the onboarding's data: what someone not yet set up wrote first
# Said alone, these may only acknowledge what the bot said: no yes to a single offer (folded words).
ASSENT = frozenset("ok oke okay oki okie u uh um uk ukm vang da roi duoc y yep sure a nhe nha ah ha".split())
OUTSIDE_COVER = 0.5  # outside a form, typed words name a button only when they say half its words or more
MAX_CARRY = 2000  # what a form takes from a first message; the rest the person can still add there
QUOTED = 160  # what of a first message is quoted back once the person has joined
EMERGENCY_HINT = "emergency"  # carried to the tip form: the numbers were shown already
# Words of thanks, greeting and assent (folded, as bot.core.intents.words reads them), and who they are said to.
COURTESY = frozenset(
    "cam on nhieu thank thanks you tks thx ok oke okay okie vang da u uh xin chao chao hi hello alo a ah "
    "ban bot an dan em anh chi co chu bac ong ba con chau di cau mo thim nhe nha nhé a ạ good morning "
    # assent and laughter as chat writes them ("ukm", "oki", "đc r", "hiểu rồi", "đã nhận")
    "uk ukm um umm ok oki okela okla hihi haha hehe nice great duoc roi hieu nhan toi minh so much".split()
)
# Of those, the words that greet: "xin chào" is answered with a greeting, not "you're welcome" (as thanks are).
GREETING = frozenset("chao hi hello alo good morning".split())
# "Send" typed with nothing open (folded words, the whole message).
SEND_WORDS = frozenset(("gui", "gui di", "gui luon", "gui nhe", "gui nha", "gui a", "send", "send it"))


def emergency_text() -> str:
    return _(
        "If someone is in danger right now, call first:\n"
        "113 — police\n114 — fire and rescue\n115 — ambulance\n\n"
        "Then, if you want, tell the ward police what happened: press below."
    )


async def understand(ctx: Context) -> None:
    """Answer free text outside a form (the person is registered; the text is not a menu word)."""
    text = ctx.event.text.strip()
    if await typed_button(ctx):
        return
    if said_read(text):  # "đã đọc" after other messages took the warning's button: the feature may take it
        for hook in ctx.app.registry.read_said_hooks:
            if await hook(ctx):
                return
    wish = leaving(ctx)
    if wish == "leave":  # "hủy" with no form open: say so, rather than "I did not understand"
        await menu.show(ctx, _("There is nothing to cancel. What would you like to do?"))
        return
    if wish == "back":  # "quay lại" with no form open
        await menu.show(ctx, _("There is no question to go back to. What would you like to do?"))
        return
    if wish == "maybe":  # "thôi", "không cần nữa": nothing to stop, nothing to misunderstand either
        await menu.show(ctx, _("All right. An Dân is here whenever you need it: choose below."))
        return
    if " ".join(words(text)) in SEND_WORDS:
        # "gửi" again after a form was sent (a double tap, a slow network): it went, nothing waits.
        await menu.show(
            ctx,
            _(
                "Nothing is waiting to be sent. If you just sent a form, it has gone: its number is in the "
                "message above."
            ),
        )
        return
    if text.isascii() and text.rstrip(".").isdigit() and len(text) <= 2:
        offered = ctx.state.choices
        if offered:
            # "9" under seven numbered lines: the same lines again, with the numbers they have.
            ctx.reply(
                _("There is no {n} in the list: please choose a number from 1 to {count}.").format(
                    n=text.rstrip("."), count=len(offered)
                ),
                [Choice(c["label"], c["payload"]) for c in offered],
            )
            return
        # "1" with nothing numbered on offer (the last message had no buttons): the menu, to choose from again.
        await menu.show(ctx, _("There is nothing numbered to choose from just now. Here is the menu again:"))
        return
    roles = await ctx.roles()
    entry = menu.typed_entry(ctx.app.registry, roles, text)
    if entry is not None:  # a menu entry's label, typed: the same as pressing it
        await ctx.app.dispatcher.run_command(ctx, entry)
        return

    def allowed(command: str) -> bool:
        found = ctx.app.registry.commands.get(command)
        return found is not None and (found.roles is None or bool(roles & found.roles))

    staff = roles - {Role.RESIDENT}

    def own(command: str) -> bool:
        """A command of the person's work (not one every resident has): it comes first when its words are said."""
        found = ctx.app.registry.commands.get(command)
        return found is not None and found.roles is not None and bool(staff & found.roles)

    readings = ctx.app.registry.reader.best(text, allowed, own if staff else None) if text else []
    if not readings and courtesy(text):
        said = set(words(text))
        if said & GREETING and not said & THANKS_WORDS:
            await menu.show(
                ctx, _("Hello! What can An Dân do for you? Choose below, or write it in a few words.")
            )
        else:
            await menu.show(ctx, _("You're welcome! An Dân is here whenever you need it: choose below."))
        return
    if not readings and text and ctx.app.registry.reader.best(text):
        # Words of a command others have ("xin trích xuất camera": the police ask camera owners): say whose it is
        # rather than "I did not understand", and where the person's own way in is.
        await menu.show(
            ctx,
            _(
                "That is done by the ward police, group leaders or ward staff in An Dân, not from your account. "
                "If something happened, tell the police: press “{report}”."
            ).format(report=menu.label_for(ctx.app.registry, "togiac")),
        )
        return
    if not readings:
        await menu.show(
            ctx,
            _(
                "Sorry, I did not understand. Choose below, or write in a few words what you need "
                '(for example "report to the police" or "check a phone number").'
            ),
        )
        return
    first = readings[0].intent
    if first.private or any(r.intent.private for r in readings):
        ctx.private = True  # a tip's words from the first message on
    if first.mode == Mode.RUN and len(readings) == 1:
        # "tra cứu tin báo" without a code, "kiểm tra 1 số lạ" without the number: the command asks for it
        # rather than looking up the sentence itself.
        found = readings[0].args
        await ctx.app.dispatcher.run_command(ctx, first.command, text if found is None else found)
        return
    offers = [_offer(ctx, r, text) for r in readings]
    if first.mode == Mode.EMERGENCY:
        ctx.reply(
            emergency_text(), [*offers, Choice(_("Main menu"), menu.command_payload(menu.MENU_COMMAND))]
        )
        return
    heading = (
        _("Is this what you want to do? Press to go on.")
        if len(offers) == 1
        else _("Which of these do you want to do? Press one to go on.")
    )
    heading += goes_along(ctx, readings)  # the promise only where the words really go along
    ctx.reply(heading, [*offers, Choice(_("Main menu"), menu.command_payload(menu.MENU_COMMAND))])


def goes_along(ctx: Context, readings: list[Reading]) -> str:
    """What the heading promises of the words `_offer` put aside: only the offer that takes them carries them (one
    carried text per conversation), so beside other offers it is named. Before, "what you wrote goes along" was said
    under "Soạn cảnh báo" when only the tip offered beside it took the words."""
    carried = ctx.data.get(CARRY_KEY)
    taker = carried.get("command") if isinstance(carried, dict) else None
    if taker is None:
        return ""
    if all(r.intent.command == taker for r in readings):
        return "\n" + _("What you wrote goes along: you can check and change it before anything is sent.")
    return "\n" + _(
        "What you wrote goes along if you press “{offer}”: you can check and change it before anything is sent."
    ).format(offer=menu.label_for(ctx.app.registry, str(taker)))


def _resident_may(ctx: Context) -> Callable[[str], bool]:
    """The commands anyone joining as a resident may use."""

    def allowed(command: str) -> bool:
        found = ctx.app.registry.commands.get(command)
        return found is not None and (found.roles is None or Role.RESIDENT in found.roles)

    return allowed


async def before_joining(ctx: Context) -> None:
    """A first message from someone not set up yet. Danger is answered with the emergency numbers at once, in both
    languages (none is chosen yet), before the welcome; words that ask for something wait in the onboarding's
    state, private from the first message on, and are offered once the person has joined (`after_joining`).
    Whoever does not agree to the notice leaves nothing behind: the state goes with the onboarding. Before, the
    first message was answered with the language question and lost, "đang có cướp" included."""
    text = ctx.event.text.strip() if ctx.event.kind == Kind.TEXT else ""
    readings = ctx.app.registry.reader.best(text, _resident_may(ctx)) if text else []
    if not readings:
        ctx.begin("onboarding")
        return
    ctx.private = ctx.private or any(r.intent.private for r in readings)
    if readings[0].intent.mode == Mode.EMERGENCY:
        texts = []
        for locale in ("vi", "en"):
            with use_locale(locale):
                texts.append(
                    _(
                        "If someone is in danger right now, call first:\n"
                        "113 — police\n114 — fire and rescue\n115 — ambulance\n\n"
                        "To tell the ward police what happened, set up An Dân below (a minute): what you wrote "
                        "is kept until then."
                    )
                )
        ctx.reply("\n\n".join(texts))
    ctx.begin("onboarding", **{FIRST_WORDS: text[:MAX_CARRY]})


async def after_joining(ctx: Context) -> dict[str, Any] | None:
    """Once the person has joined: what they wrote first (`before_joining`), offered as free words are (one press;
    a look-up or a check runs at once). Returns what the conversation keeps once the onboarding is over: the words
    an offer carries into its form."""
    text = ctx.data.pop(FIRST_WORDS, None)
    if not isinstance(text, str) or not text:
        return None
    roles = await ctx.roles()

    def allowed(command: str) -> bool:
        found = ctx.app.registry.commands.get(command)
        return found is not None and (found.roles is None or bool(roles & found.roles))

    readings = ctx.app.registry.reader.best(text, allowed)
    if not readings:
        return None
    ctx.private = ctx.private or any(r.intent.private for r in readings)
    first = readings[0]
    if first.intent.mode == Mode.RUN and len(readings) == 1:
        await ctx.app.dispatcher.run_command(
            ctx, first.intent.command, text if first.args is None else first.args
        )
        return None
    offers = [_offer(ctx, r, text) for r in readings]
    shown = text if len(text) <= QUOTED else text[: QUOTED - 1].rstrip() + "…"
    heading = (
        _("Before setting up, you wrote: “{words}”.").format(words=shown)
        + "\n"
        + (
            _("To tell the ward police, press below.")
            if first.intent.mode == Mode.EMERGENCY
            else _("Is this what you want to do? Press to go on.")
        )
    )
    heading += goes_along(ctx, readings)
    ctx.reply(heading, [*offers, Choice(_("Main menu"), menu.command_payload(menu.MENU_COMMAND))])
    carried = ctx.data.pop(CARRY_KEY, None)
    return {CARRY_KEY: carried} if carried else None


async def typed_button(ctx: Context) -> bool:
    """Press the offered button (not a menu entry) that the typed words mean; False when they mean none."""
    offered = ctx.state.choices
    if ctx.event.kind not in (Kind.TEXT, Kind.MEDIA) or not offered:
        return False
    if ctx.event.kind == Kind.MEDIA:
        # A photo under a police question is its answer (the plate number asked for), as typed words are.
        payload = answered(ctx, offered)
        return payload is not None and await press(ctx, payload, Kind.MEDIA)
    # "đã đọc", "ok" or "rồi" under "I have read this" (an alert) is that press, not thanks nor a new request.
    payload = acknowledged(offered, ctx.event.text) or typed_choice(
        offered, ctx.event.text, cover=OUTSIDE_COVER
    )
    own = [c["payload"] for c in offered if menu.command_of(c["payload"]) is None]
    if (
        payload is None
        and len(own) == 1
        and yes_or_no(ctx.event.text)
        and not set(words(ctx.event.text)) <= ASSENT
    ):
        # "có" to a single offer ("Fill in the fire-safety checklist now?") takes it; "ok" or "vâng" may only
        # acknowledge what was said ("Camera 1 is registered. Thank you!" under "Register another camera").
        payload = own[0]
    kind = Kind.CHOICE
    if payload is None:
        # Words under a question's Answer button are the answer (Payload.takes_words): the kind stays TEXT.
        payload, kind = answered(ctx, offered), Kind.TEXT
    if payload is None or menu.command_of(payload) is not None:
        return False
    return await press(ctx, payload, kind)


async def press(ctx: Context, payload: str, kind: Kind) -> bool:
    """Run the offered button `payload` for what was sent (the event keeps `kind`: words or a photo that answer a
    question stay words or a photo); False when no handler takes it."""
    handler = ctx.app.registry.choices.get(payload.split(":", 1)[0])
    if handler is None:
        return False
    ctx.event = replace(ctx.event, kind=kind, choice=payload)
    ctx.choice_label = next((c["label"] for c in ctx.state.choices if c["payload"] == payload), None)
    try:
        await handler(ctx)
    except NotChosen:
        ctx.reply(_("That button is no longer valid. Type /help to see what you can do."))
    return True


def answered(ctx: Context, offered: list[dict[str, str]]) -> str | None:
    """The one offered button that takes words as its answer (Payload.takes_words), when what was typed is an
    answer: not thanks or an assent ("ok", "cảm ơn"), nor a word that leaves; None otherwise."""
    text = ctx.event.text.strip()
    if ctx.event.kind == Kind.MEDIA:
        pass  # a photo or file, with or without a caption, is an answer
    elif not text or courtesy(text) or yes_or_no(text) is not None or leaving(ctx) is not None:
        return None
    hits = [c["payload"] for c in offered if (found := payload_of(c["payload"])) and found.takes_words]
    return hits[0] if len(hits) == 1 else None


def courtesy(text: str) -> bool:
    """Thanks, greetings, "ok" and a lone emoji or sticker: answered kindly, not with "I did not understand"."""
    said = words(text)
    return len(said) <= 6 and all(w in COURTESY for w in said)


# A short question asking how or where to do it ("how do i report a theft?", "báo mất xe ở đâu vậy"): the way in
# is offered, but the words are no account of anything to carry into the form (folded, within a message of at
# most HOW_WORDS words: a long message ending "giờ tui phải làm sao" is a story told, and carried).
ASKS_HOW = re.compile(
    r"\b(how (do|can|should|would) (i|we|you)|how to|where (do|can|should) (i|we)|lam sao (de|ma|vay|day)|"
    r"lam the nao de|bang cach nao|cach (bao|gui|to giac)|(bao|gui|to giac)\b.* o dau)\b"
)
HOW_WORDS = 12


def asks_how(text: str) -> bool:
    said = words(text)
    return len(said) <= HOW_WORDS and ASKS_HOW.search(" ".join(said)) is not None


def _offer(ctx: Context, reading: Reading, text: str) -> Choice:
    intent = reading.intent
    if intent.carry and not asks_how(text):
        # One carried text per conversation: the best reading that carries takes it.
        ctx.data.setdefault(
            CARRY_KEY,
            {
                "command": intent.command,
                "text": text[:MAX_CARRY],
                "hint": EMERGENCY_HINT if intent.mode == Mode.EMERGENCY else intent.hint,
            },
        )
    return Choice(menu.label_for(ctx.app.registry, intent.command), menu.command_payload(intent.command))
