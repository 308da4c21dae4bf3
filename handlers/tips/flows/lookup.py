"""/tracuu (/status) <receipt code>: the tipster's view of a tip — status, police replies, and adding information.

It needs only the code: a tipster may use another chat app, or none they registered with. What the tipster
adds is stored on the tip with no trace of who typed it.
"""

from __future__ import annotations

import re
from typing import Literal

from sqlmodel import col, select

from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.core.typed import says_nothing
from bot.core.understand import understand
from bot.guard import ratelimit
from bot.i18n import N_, _, fmt_date, fmt_datetime
from bot.textnorm import fold
from handlers.problems.flows.mine import show_code as problem_code
from handlers.tips.buttons import Addition, MyTip, OpenTip, RewardOpen, StatusView
from handlers.tips.detect import FOUND, receipt_code
from handlers.tips.files import decide_choices, decide_files, take_files
from handlers.tips.flows.report import MAX_TEXT
from handlers.tips.notify import notify_officers
from handlers.tips.rewards import reward_of, tipster_view
from handlers.tips.store import attachment_rows, discard_files, find_by_code
from handlers.tips.texts import category_name, status_for_tipster
from models import Tip, TipMessage, TipStatus

router = Router("tips.lookup")
code_flow = Flow("tip_code", steps=("code",), private=True)
status_flow = Flow("tip_status", steps=("view", "add"), private=True)
MAX_MINE = 5  # the latest named tips offered where a code is asked
TO_TIPSTER = ("notice", "reply", "ask")  # what the police write to the tipster (TipMessage.kind)
FORGOT = ("quen", "khong nho", "ko nho", "k nho", "mat ma", "mat code", "forgot", "forget", "lost")
CODE_WORDS = 4  # a code typed with spaces between its groups: "K7QM 3XAC 9PWE 2HDR"
CODE_LENGTH = 16  # letters and digits, however they are spaced: "q k 7 m 3 x a c …"
_CODE_TYPED = re.compile(r"[0-9A-Za-z]+(?:[-.\s]+[0-9A-Za-z]+)*")
_SEPARATORS = re.compile(r"[-.\s]+")


@router.command(
    "tracuu", "status", help=N_("Follow a tip with its receipt code"), needs_person=False, private=True
)
async def lookup(ctx: Context) -> None:
    if ctx.event.args.strip():
        await open_by_code(ctx, code_in(ctx.event.args))
    else:
        ctx.begin("tip_code")


async def open_by_code(ctx: Context, typed: str) -> bool:
    """Open the tip with this code, or show the problem report it belongs to; True when either was found."""
    found = await by_code(ctx, typed)
    if isinstance(found, Tip):  # a problem report was shown by its feature already
        ctx.begin("tip_status", tip=found.id, text="", files=[])
    return found is not None


async def by_code(ctx: Context, typed: str) -> Tip | Literal[True] | None:
    """The tip with this code; True when it is a problem report's, which its feature has shown (a code is a code:
    people paste the one they kept wherever a code is asked); None when nothing matches, said to the person. Each
    look-up costs scrypt work: it runs behind the wrong-guess limit (bot.guard.ratelimit.guarded), and a problem's
    code found is no wrong guess. A code that matches nothing is always tried against both kinds, so it takes as
    long whichever it was meant as."""

    async def look_up() -> Tip | Literal[True] | None:
        tip = await find_by_code(ctx.session, ctx.app.keyring, typed)
        if tip is not None and tip.purged_at is None:
            return tip
        if await problem_code(ctx, typed):  # the problems feature shows its own report
            return True
        ctx.reply(
            _(
                "No tip matches that code. Please check it (letters and digits, dashes optional) and try again."
            ),
            # A way out for someone who cannot find the code (the Zalo Bot shows it as a numbered line).
            [Choice(_("Main menu"), menu.command_payload(menu.MENU_COMMAND))],
        )
        return None

    def paused(verdict: ratelimit.Verdict) -> str:
        return _(
            "Too many wrong receipt codes have been typed from here, so looking up codes is paused for a "
            "while to keep tips safe. Please try again after {time}."
        ).format(time=verdict.retry_time())

    return await ratelimit.guarded(ctx, ratelimit.RECEIPT_CODES, paused, look_up)


@code_flow.ask("code")
async def ask_code(ctx: Context) -> None:
    mine = await named_tips(ctx)
    if not mine:
        ctx.reply(_("Type the receipt code you got when you sent the tip:"))
        return
    # "tin báo của tôi tới đâu rồi" from someone who sent a tip with their name: theirs, one press away; a code
    # still opens any tip, an anonymous one included.
    ctx.reply(
        _(
            "The tips you sent with your name are below. For another tip, type the receipt code you got with it:"
        ),
        [
            Choice(
                _("No. {number} ({category})").format(number=tip.id, category=category_name(tip.category))[
                    :60
                ],
                MyTip(tip.id or 0),
            )
            for tip in mine[-MAX_MINE:]
        ],
    )


async def named_tips(ctx: Context) -> list[Tip]:
    """The person's own named tips still on record, oldest first (none for someone not registered)."""
    if ctx.person is None:
        return []
    rows = await ctx.session.exec(
        select(Tip)
        .where(col(Tip.person_id) == ctx.person.id, col(Tip.purged_at).is_(None))
        .order_by(col(Tip.id))
    )
    return list(rows.all())


@code_flow.on("code")
async def on_code(ctx: Context) -> Outcome:
    pressed = MyTip.read(ctx)
    if pressed is not None:
        if pressed.tip_id not in {tip.id for tip in await named_tips(ctx)}:
            raise NotChosen()  # not theirs, or no longer on record
        ctx.begin("tip_status", tip=pressed.tip_id, text="", files=[])
        return stay()
    if ctx.event.kind != Kind.TEXT:
        return retry(_("Please type the code."))
    if says_nothing(ctx.event.text):
        # "dạ", "không", "ok": no code at all. Not a wrong guess (those are limited), and no reason to stay here.
        await menu.show(
            ctx,
            _("All right, no look-up for now. When you have the code, choose “{follow}” and type it.").format(
                follow=menu.label_for(ctx.app.registry, "tracuu")
            ),
        )
        return finish()
    if forgot(ctx.event.text):
        await menu.show(
            ctx,
            _(
                "Without its code a tip cannot be shown: the code is the only link between you and an anonymous "
                "tip, and An Dân keeps no other. If you allowed replies, what the police write still reaches you "
                "here. A tip sent with your name is listed here when you choose “{follow}”."
            ).format(follow=menu.label_for(ctx.app.registry, "tracuu")),
        )
        return finish()
    if not could_be_a_code(ctx.event.text):
        # "tổ nào chưa nộp báo cáo", an answer to a police question that arrived meanwhile: words, not a wrong
        # code (those are limited). Read them as words said outside the look-up.
        ctx.end()
        await understand(ctx)
        return stay()
    # A tip's status view replaces this question; a problem report shown instead ends it.
    if await open_by_code(ctx, code_in(ctx.event.text)) and ctx.stays_in_form():
        ctx.end()
    return stay()


def forgot(text: str) -> bool:
    """ "em quên mã rồi", "không nhớ mã", "mất mã", "I lost the code": no code to type (folded words)."""
    said = f" {' '.join(fold(text).split())} "
    return any(f" {words} " in said for words in FORGOT)


def could_be_a_code(text: str) -> bool:
    """Whether a typed text may be a receipt code, mistyped or not: a code has no accents and a few groups of
    letters and digits, split by dashes, dots or spaces in any mix; a sentence of words has neither."""
    if receipt_code(text):
        return True
    if not _CODE_TYPED.fullmatch(text.strip()):
        return False  # accents, or punctuation no code has
    groups = [group for group in _SEPARATORS.split(text) if group]
    return len(groups) <= CODE_WORDS or len("".join(groups)) == CODE_LENGTH


def code_in(text: str) -> str:
    """The code a message holds ("mã của em là qk7m 3xac-9pwe-4hdr"), or the message itself to be read as one."""
    found = receipt_code(text)
    if isinstance(found, tuple) and found[0] == FOUND:
        return found[1]
    return text


@router.choice(StatusView)
@router.choice(Addition)
async def view_pressed_again(ctx: Context) -> None:
    """A button of a tip's view (add information, send, done) pressed after that view was left. The buttons carry
    no tip (whoever holds the code may not be the tipster, and a chat must not lead to an anonymous tip): the code
    opens it again. Before, "this button belongs to an old message; type /help", which named no way back."""
    if StatusView.read(ctx) is None and Addition.read(ctx) is None:
        raise NotChosen()
    ctx.reply(
        _(
            "That view of your tip is closed, so nothing was added or sent from it. To see the tip again or add "
            "to it, type /tracuu with its receipt code."
        )
    )


@status_flow.ask("view")
async def ask_view(ctx: Context) -> None:
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    if tip is None:
        ctx.end()
        return
    lines = [
        _("Tip no. {number} ({category}), sent {when}.").format(
            number=tip.id, category=category_name(tip.category), when=fmt_date(tip.received_at)
        ),
        _("Status: {status}").format(status=status_for_tipster(tip.status)),
    ]
    messages = await tipster_messages(ctx, tip)
    for m in messages:
        who = _("Police") if m.direction == "police" else _("You")
        lines.append(f"{fmt_datetime(m.at)} — {who}: {m.text}")
    if not messages:
        lines.append(_("No answer from the police yet."))
    # Withdrawing last: the numbers typed for the first two stay what they were.
    choices = [
        Choice(_("Add information"), StatusView("add")),
        Choice(_("Done"), StatusView("done")),
        Choice(_("Withdraw this tip"), StatusView("withdraw")),
    ]
    if tip.status in TipStatus.CLOSED:
        lines.append(_("This tip is closed. To report something new, type /togiac."))
        choices = choices[1:2]
    reward_lines, reward_choices = tipster_view(await reward_of(ctx.session, ctx.data["tip"]))
    ctx.reply("\n".join(lines + reward_lines), reward_choices + choices)


async def tipster_messages(ctx: Context, tip: Tip) -> list[TipMessage]:
    """What the receipt code shows of a tip's exchanges: the police's words to the tipster and what the tipster
    added. An officer's note for the record (kind "status": a plan, a suspect's name, a transfer's reason) stays
    with the police; whoever holds the code may not be the tipster. Kinds not listed stay hidden too."""
    rows = await ctx.session.exec(
        select(TipMessage).where(TipMessage.tip_id == tip.id).order_by(col(TipMessage.id))
    )
    return [m for m in rows.all() if m.direction == "tipster" or m.kind in TO_TIPSTER]


@status_flow.on("view")
async def on_view(ctx: Context) -> Outcome:
    if RewardOpen.read(ctx) is not None:  # the tip is the one this receipt code opened, never a button's
        ctx.begin("tip_reward_choice", tip=ctx.data["tip"])
        return stay()
    action = StatusView.expect(ctx).action
    if action == "done":
        ctx.reply(_("Thank you. Type /tracuu with your code any time to check again."))
        return finish()
    if action == "withdraw":  # by name: the withdrawal's module reads this one's
        ctx.begin("tip_withdraw", tip=ctx.data["tip"])
        return stay()
    return goto("add")


@status_flow.ask("add")
async def ask_add(ctx: Context) -> None:
    ctx.reply(
        _("Type what you want to add, or send photos or files. Press Send when you have finished."),
        send_choices(),
    )


def send_choices() -> list[Choice]:
    return [Choice(_("Send"), Addition("send")), Choice(_("Cancel"), Addition("cancel"))]


@status_flow.on("add", files=True)
async def on_add(ctx: Context) -> Outcome:
    event = ctx.event
    pressed = Addition.read(ctx)
    value = pressed.action if pressed else None
    if value == "cancel":
        await discard_files(ctx.app, ctx.data.get("files", []))
        ctx.reply(_("Nothing was added."))
        return finish()
    if value == "send":
        return await save_addition(ctx)
    if value in ("keep", "drop"):
        told = await decide_files(ctx, value)
        ctx.reply(told + "\n\n" + _("Add more, or press Send."), add_choices(ctx))
        return stay()
    notes: list[str] = []
    if event.kind == Kind.MEDIA:
        tip = await ctx.session.get(Tip, ctx.data["tip"])
        # A named tip already says who sent it; an anonymous one must not be undone by a file.
        notes = await take_files(ctx, ctx.data.setdefault("files", []), warn=tip is None or tip.anonymous)
    if event.text.strip() and event.kind in (Kind.TEXT, Kind.MEDIA):
        ctx.data["text"] = (ctx.data.get("text", "") + "\n" + event.text.strip()).strip()[:MAX_TEXT]
    elif event.kind != Kind.MEDIA:
        raise NotChosen()
    ctx.reply("\n\n".join([*notes, _("Noted. Add more, or press Send.")]), add_choices(ctx))
    return stay()


def add_choices(ctx: Context) -> list[Choice]:
    """Keeping or removing a file that awaits the tipster's decision, then Send and Cancel."""
    return decide_choices(ctx, Addition("keep"), Addition("drop")) + send_choices()


async def save_addition(ctx: Context) -> Outcome:
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    text, files = ctx.data.get("text", "").strip(), ctx.data.get("files", [])
    if tip is None or tip.status in TipStatus.CLOSED or tip.purged_at is not None:
        await discard_files(ctx.app, files)
        ctx.reply(_("This tip is closed. To report something new, type /togiac."))
        return finish()
    if not text and not files:
        return retry(_("Please type something or send a file first."))
    await store_addition(ctx, tip, text, files)
    ctx.reply(_("Added to tip no. {number}. The police have been told.").format(number=tip.id))
    return finish()


async def store_addition(ctx: Context, tip: Tip, text: str, files: list[list]) -> None:
    """Keep what the tipster added (here, or as the answer to a question) with no trace of who typed it, and tell
    the officers."""
    assert tip.id is not None
    message = TipMessage(
        tip_id=tip.id,
        direction="tipster",
        kind="info",
        text=text or _("(files)"),
        detail={"files": len(files)},
    )
    ctx.session.add(message)
    ctx.session.add_all(attachment_rows(tip.id, files))
    await ctx.session.flush()
    number = tip.id
    await notify_officers(
        ctx.session,
        tip,
        lambda: Reply(
            _("The tipster added information to tip no. {number}.").format(number=number),
            (Choice(_("Open it"), OpenTip(number)),),
        ),
        dedupe=f"tip:{number}:info:{message.id}",
    )


@status_flow.cancelled
async def cancelled(ctx: Context) -> None:
    await discard_files(ctx.app, ctx.data.get("files", []))
