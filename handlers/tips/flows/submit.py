"""/togiac, second half: which ward, anonymous or named, the summary, and the one press that sends it.

Only the Send press writes anything lasting. An anonymous tip is stored with no person, identity, group, chat
or channel; the way back (when the tipster allows replies) is a sealed route row.
"""

from __future__ import annotations

from datetime import datetime

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.typed import yes_or_no
from bot.core.wording import says_any, words
from bot.delivery.outbox import seal_route
from bot.directory.geo import ward_kind
from bot.i18n import _, current_locale, fmt_date, fmt_datetime, fmt_time, local
from handlers.common import home, search_ward_step, yes_no
from handlers.tips.buttons import DropRiskyFiles, Identity, MayReply, OtherWard, SendTip, TipWard
from handlers.tips.clocks import Rules, decision_due, receipt_due, transfer_due
from handlers.tips.files import drop_risky_files, risk_summary
from handlers.tips.flows.contact import name_and_phone_steps
from handlers.tips.flows.report import flow, limit_text, network_limit_text
from handlers.tips.notify import notify_new_tip
from handlers.tips.store import (
    attachment_rows,
    count_network_tip,
    count_tip,
    daily_limit,
    discard_files,
    indicators,
    issue_code,
    police_of_ward,
    remember_sent,
    sent_before,
    tip_fingerprint,
    tips_today,
    ward_name,
)
from handlers.tips.texts import category_name, occurred_label
from models import Tip, TipRoute


# Ward -----------------------------------------------------------------------------------------------------
@flow.ask("ward")
async def ask_ward(ctx: Context) -> None:
    grant = await home(ctx)
    choices = []
    if grant is not None:
        choices.append(Choice(await ward_name(ctx.session, grant.ward_code), TipWard(grant.ward_code)))
    choices.append(Choice(_("Another ward"), OtherWard()))
    ctx.reply(_("Which ward (xã/phường) does it concern? Its police will receive the tip."), choices)


@flow.on("ward")
async def on_ward(ctx: Context) -> Outcome:
    if OtherWard.read(ctx) is not None:
        return goto("ward_search")
    chosen = TipWard.expect(ctx)
    grant = await home(ctx)
    if grant is None or chosen.code != grant.ward_code:
        raise NotChosen()
    ctx.data["ward"] = grant.ward_code
    return goto("identity")


@flow.ask("ward_search")
async def ask_ward_search(ctx: Context) -> None:
    ctx.reply(_("Type the name of the ward or commune; accents are optional, for example: cao lanh"))


@flow.on("ward_search")
async def on_ward_search(ctx: Context) -> Outcome:
    return await search_ward_step(ctx, "ward_pick")


@flow.ask("ward_pick")
async def ask_ward_pick(ctx: Context) -> None:
    choices = [Choice(label, TipWard(code)) for code, label in ctx.data.get("wards", [])]
    ctx.reply(_("Is it one of these? (Or type another name.)"), choices)


@flow.on("ward_pick")
async def on_ward_pick(ctx: Context) -> Outcome:
    chosen = TipWard.read(ctx)
    if chosen is None and ctx.event.kind == Kind.TEXT and ctx.event.text.strip():
        return await search_ward_step(ctx, "ward_pick")
    if chosen is None or chosen.code not in {int(code) for code, _label in ctx.data.get("wards", [])}:
        raise NotChosen()
    ctx.data["ward"] = chosen.code
    return goto("identity")


# Identity -------------------------------------------------------------------------------------------------
@flow.ask("identity")
async def ask_identity(ctx: Context) -> None:
    ctx.reply(
        _(
            "Do you want to give your name?\n\n"
            "• Anonymous (recommended): the police receive what you wrote, but not who you are — not your name, "
            "your chat account or your group. You get a receipt code to follow the tip.\n"
            "• With my name and phone: this is a formal denunciation (tố giác). Your name and phone number go to "
            "the ward police, who may call you back. The law protects people who denounce crimes and their "
            "relatives; you may ask for protection."
        ),
        [Choice(_("Anonymous"), Identity("anon")), Choice(_("With my name and phone"), Identity("named"))],
    )


# Typed to "Do you want to give your name?", in folded words: a no, or words for keeping the name out. Only a no
# is read from words; a name and phone go to the police by a press only.
NAMELESS = ("giau ten", "khong neu ten", "khong can ten", "khong de ten", "khong ghi ten", "khong muon neu",
            "khong muon noi", "khong noi ten", "dau ten", "khoi neu ten", "khong tiet lo")  # fmt: skip


def typed_nameless(text: str) -> bool:
    return yes_or_no(text) is False or says_any(words(text), NAMELESS)


@flow.on("identity")
async def on_identity(ctx: Context) -> Outcome:
    pressed = Identity.read(ctx)
    if pressed is None and ctx.event.kind == Kind.TEXT and typed_nameless(ctx.event.text):
        pressed = Identity("anon")
    if (pressed or Identity.expect(ctx)).kind == "anon":
        ctx.data["anonymous"] = True
        return goto("reply")
    ctx.data["anonymous"] = False
    return goto("name")


@flow.ask("reply")
async def ask_reply(ctx: Context) -> None:
    ctx.reply(
        _(
            "May the police send you replies and questions through this chat? They still will not see who "
            "you are. If you say no, you can read their answers with your receipt code."
        ),
        yes_no(_("Yes, they may reply"), _("No"), MayReply),
    )


@flow.on("reply")
async def on_reply(ctx: Context) -> Outcome:
    ctx.data["may_reply"] = MayReply.expect(ctx).yes
    return goto("summary")


name_and_phone_steps(flow, then="summary")


# Summary and send -----------------------------------------------------------------------------------------
@flow.ask("summary")
async def ask_summary(ctx: Context) -> None:
    d = ctx.data
    place = d.get("place") or ""
    if d.get("location"):
        place = (place + " " + _("(location shared)")).strip()
    lines = [
        _("Please check your tip:"),
        _("About: {category}").format(category=category_name(d["category"])),
        _("What happened: {text}").format(text=d.get("text") or "—"),
        _("Files: {n}").format(n=len(d.get("files", []))),
        _("Where: {place}").format(place=place or _("not known")),
        _("When: {when}").format(when=occurred_label(d.get("occurred"))),
        _("Ward: {ward}").format(ward=await ward_name(ctx.session, d["ward"])),
    ]
    if d.get("anonymous", True):
        lines.append(
            _("Anonymous; replies through An Dân: {answer}").format(
                answer=_("yes") if d.get("may_reply") else _("no")
            )
        )
    else:
        lines.append(_("Named: {name}, {phone}").format(name=d["name"], phone=d["phone"]))
    choices = [Choice(_("Send to the police"), SendTip(True)), Choice(_("Cancel"), SendTip(False))]
    if (before := await same_tip_sent(ctx)) is not None:
        # Asked first, above the summary: the same tip twice is two tips for the police, each with its clocks.
        lines.insert(0, same_tip_text(before) + "\n")
        choices = [Choice(_("Send it again anyway"), SendTip(True)), Choice(_("Don't send"), SendTip(False))]
    if d.get("anonymous", True) and (warning := risk_summary(d)):
        lines.append(
            "\n" + warning
        )  # a voice, or metadata that could not be removed: said again before sending
        choices.insert(1, Choice(_("Remove those files"), DropRiskyFiles()))
    ctx.reply("\n".join(lines), choices)


@flow.on("summary")
async def on_summary(ctx: Context) -> Outcome:
    if DropRiskyFiles.read(ctx) is not None:
        return retry(await drop_risky_files(ctx))
    if not SendTip.expect(ctx).yes:
        await discard_files(ctx.app, ctx.data.get("files", []))
        if await same_tip_sent(ctx) is not None:
            ctx.reply(
                _(
                    "Not sent. Your earlier tip is with the police; to follow it or add to it, type /tracuu and "
                    "its receipt code."
                )
            )
        else:
            ctx.reply(_("Cancelled. Nothing was sent or kept."))
        return finish()
    if await tips_today(ctx.session, ctx.app.keyring, ctx.person_id) >= daily_limit(ctx.app):
        await discard_files(ctx.app, ctx.data.get("files", []))
        ctx.reply(limit_text(ctx))
        return finish()
    if not await count_network_tip(ctx.app, ctx.session, ctx.event.client_key):
        await discard_files(ctx.app, ctx.data.get("files", []))
        ctx.reply(network_limit_text())
        return finish()
    await send(ctx)
    return finish()


# The same tip again ---------------------------------------------------------------------------------------
def fingerprint(ctx: Context) -> str | None:
    return tip_fingerprint(ctx.data["category"], ctx.data.get("text") or "")


async def same_tip_sent(ctx: Context) -> datetime | None:
    """When this person sent a tip of the same category and words in the last day (handlers/tips/store.py)."""
    return await sent_before(ctx.session, ctx.app.keyring, ctx.person_id, fingerprint(ctx))


def same_tip_text(sent: datetime) -> str:
    """When, but not the tip's number or code: nothing kept points from her to her tip, and the code is not kept
    at all (the receipt says so)."""
    if local(sent).date() == local(clock.now()).date():
        said = _("You already sent this same tip today at {time}.").format(time=fmt_time(sent))
    else:
        said = _("You already sent this same tip at {moment}.").format(moment=fmt_datetime(sent))
    return (
        said
        + " "
        + _(
            "The police have it. Sent again, it becomes a second tip they must handle as well; to add something "
            "to the first one, type /tracuu and its receipt code instead."
        )
    )


# Sending --------------------------------------------------------------------------------------------------
async def send(ctx: Context) -> None:
    d = ctx.data
    now = clock.now()
    anonymous = bool(d.get("anonymous", True))
    location = d.get("location") or [None, None]
    text = d.get("text") or ""
    tip = Tip(
        ward_code=d["ward"],
        category=d["category"],
        anonymous=anonymous,
        may_reply=anonymous and bool(d.get("may_reply")),
        text=text or None,
        place_text=d.get("place"),
        latitude=location[0],
        longitude=location[1],
        occurred=d.get("occurred"),
        indicators=indicators(text) if d["category"] == "fraud" else [],
        person_id=None if anonymous else ctx.person_id,
        reporter_name=None if anonymous else d.get("name"),
        reporter_phone=None if anonymous else d.get("phone"),
        received_at=now,
        receipt_due_at=receipt_due(now, Rules.of(ctx.app.settings)),
        transfer_due_at=transfer_due(
            now, Rules.of(ctx.app.settings), await ward_kind(ctx.session, d["ward"])
        ),
        decision_due_at=decision_due(now, Rules.of(ctx.app.settings)),
    )
    ctx.session.add(tip)
    await ctx.session.flush()
    assert tip.id is not None
    code = await issue_code(ctx.app.keyring, tip)
    ctx.session.add_all(attachment_rows(tip.id, d.get("files", [])))
    if tip.may_reply:
        sealed = seal_route(ctx.app.keyring, ctx.event.channel, ctx.event.chat_id)
        ctx.session.add(TipRoute(tip_id=tip.id, sealed=sealed, locale=current_locale()))
    await count_tip(ctx.session, ctx.app.keyring, ctx.person_id)
    await remember_sent(ctx.session, ctx.app.keyring, ctx.person_id, fingerprint(ctx))
    await notify_new_tip(ctx.session, ctx.app, tip)
    ward = await ward_name(ctx.session, tip.ward_code)
    lines = [
        _("Sent. Tip no. {number} is with the police of {ward}.").format(number=tip.id, ward=ward),
        _("Your receipt code: {code}").format(code=code),
        _(
            "Keep it somewhere safe: it is the only way to follow this tip, and it works from any chat app — type "
            "/tracuu {code}. We do not keep it, so we cannot show it again."
        ).format(code=code),
        _("The police must send a notice of receipt by {date}.").format(date=fmt_date(tip.receipt_due_at)),
    ]
    if not await police_of_ward(ctx.session, tip.ward_code):
        lines.append(
            _(
                "The police of this ward have not joined An Dân yet; your tip is kept and they will see it "
                "when they join."
            )
        )
    if anonymous:
        lines.append(_("Nothing that identifies you was stored with it."))
    ctx.reply("\n\n".join(lines))
