"""Rewards for useful tips, the police's side: mark a tip useful and record the reward decision; at payout check
the claim code (/nhanthuong), which is then spent. The tipster's choice of how to receive it (through /tracuu,
under their name or with a claim code shown once) is in flows/reward_claim.py.

Every police press re-checks that the officer is police of the tip's ward (a reward of another ward reads as no
reward at all, and its claim codes as wrong codes). An anonymous claim leaves only "claimed" behind.
"""

from __future__ import annotations

from datetime import date

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.people import holds
from bot.guard import ratelimit
from bot.i18n import N_, _, fmt_date, local
from handlers.tips.buttons import (
    CheckClaimCode,
    ConfirmPayout,
    DecideReward,
    DecisionToday,
    MarkUseful,
    PayNamed,
    PayNamedOk,
    RewardView,
    SaveDecision,
)
from handlers.tips.flows.police import POLICE, delivered_note, officer_tip
from handlers.tips.notify import tell_tipster
from handlers.tips.rewards import (
    CLAIM_CODES,
    MAX_AMOUNT,
    MAX_FORM,
    MAX_REF,
    MIN_AMOUNT,
    choice_text,
    decision_text,
    find_by_claim_code,
    looks_like_amount,
    mark_claimed,
    parse_amount,
    reward_of,
    what_of,
)
from handlers.tips.texts import officer_label
from handlers.tips.when import parse_day
from models import Person, Role, Tip
from models.base import pk
from models.tip_rewards import RewardChoice, TipReward

router = Router("tips.rewards")
decide_flow = Flow("tip_reward_decide", steps=("what", "ref", "date", "confirm"))
check_flow = Flow("tip_reward_check", steps=("code",), private=True)  # a code typed is kept in no transcript
payout_flow = Flow("tip_reward_payout", steps=("pay",))


# The police: the reward screen of a tip ----------------------------------------------------------------------
@router.choice(RewardView)
async def on_press(ctx: Context) -> None:
    """Police reward buttons ("tiprw:<action>:<tip>", see buttons.py); each press re-checks the officer's ward."""
    if not (await ctx.roles()) & POLICE:
        ctx.reply(_("Sorry, this is for the ward police."))
        return
    if ctx.event.is_group:  # others in the group would read it
        ctx.reply(_("Please open tips in a private chat with me: type /tinbao there."))
        return
    pressed = read_any(ctx, RewardView, MarkUseful, DecideReward, PayNamed, PayNamedOk, CheckClaimCode)
    if isinstance(pressed, CheckClaimCode):
        ctx.begin("tip_reward_check")
        return
    if not isinstance(pressed, RewardView | MarkUseful | DecideReward | PayNamed | PayNamedOk):
        raise NotChosen()
    tip = await officer_tip(ctx, pressed.tip_id)
    if tip is None:
        return
    match pressed:
        case RewardView():
            await show_reward(ctx, tip)
        case MarkUseful():
            await mark_useful(ctx, tip)
        case DecideReward():
            reward = await reward_of(ctx.session, pk(tip))
            if reward is not None and reward.decided_at is not None:
                ctx.reply(_("The reward of tip no. {number} is already recorded.").format(number=tip.id))
                await show_reward(ctx, tip)
            else:
                ctx.begin("tip_reward_decide", tip=tip.id)
        case PayNamed():
            await ask_pay_named(ctx, tip)
        case PayNamedOk():
            await pay_named(ctx, tip)


async def show_reward(ctx: Context, tip: Tip) -> None:
    number = pk(tip)
    reward = await reward_of(ctx.session, number)
    ctx.audit("tip.reward.view", "tip", str(number), tip.ward_code)
    if reward is None:
        ctx.reply(
            _(
                "Tip no. {number} is not marked useful. A useful tip is counted in the year's review; a reward "
                "decision can be recorded with it, and the tipster learns of it only through their receipt code."
            ).format(number=number),
            [
                Choice(_("Mark as useful"), MarkUseful(number)),
                Choice(_("Record a reward decision"), DecideReward(number)),
            ],
        )
        return
    marked = await ctx.session.get(Person, reward.marked_by) if reward.marked_by else None
    lines = [
        _("Tip no. {number}: marked useful on {date} by {officer}.").format(
            number=number, date=fmt_date(reward.useful_at), officer=officer_label(marked)
        )
    ]
    choices: list[Choice] = []
    if reward.decided_at is None:
        lines.append(_("No reward decision recorded."))
        choices.append(Choice(_("Record a reward decision"), DecideReward(number)))
    else:
        lines += [_("Reward: {decision}.").format(decision=decision_text(reward)), choice_text(reward)]
        if reward.claimed_at is None and reward.choice == RewardChoice.NAMED:
            choices.append(Choice(_("Record that it was given"), PayNamed(number)))
        elif reward.claimed_at is None and reward.choice == RewardChoice.CODE:
            choices.append(Choice(_("Check a claim code"), CheckClaimCode()))
    ctx.reply("\n".join(lines), choices)


async def mark_useful(ctx: Context, tip: Tip) -> None:
    number = pk(tip)
    if await reward_of(ctx.session, number) is None:
        ctx.session.add(TipReward(tip_id=number, ward_code=tip.ward_code, marked_by=ctx.person_id))
        await ctx.session.flush()
        ctx.audit("tip.useful", "tip", str(number), tip.ward_code)
        ctx.reply(_("Tip no. {number} is marked useful.").format(number=number))
    await show_reward(ctx, tip)


async def ask_pay_named(ctx: Context, tip: Tip) -> None:
    reward = await reward_of(ctx.session, pk(tip))
    if reward is None or reward.choice != RewardChoice.NAMED or reward.claimed_at is not None:
        await show_reward(ctx, tip)
        return
    ctx.reply(
        _("Record that the reward of tip no. {number} ({what}) was given to {name}?").format(
            number=tip.id, what=what_of(reward), name=reward.claimant_name or "—"
        ),
        [Choice(_("Yes, it was given"), PayNamedOk(pk(tip)))],
    )


async def pay_named(ctx: Context, tip: Tip) -> None:
    reward = await reward_of(ctx.session, pk(tip))
    if reward is None or not await mark_claimed(ctx.session, pk(reward), ctx.person_id, None):
        ctx.reply(_("Nothing to record: the reward was already given, or the tipster changed their choice."))
        return
    ctx.audit("tip.reward.paid", "tip", str(tip.id), tip.ward_code, anonymous=False)
    ctx.reply(_("Recorded: the reward of tip no. {number} was given.").format(number=tip.id))


# The police: recording the decision --------------------------------------------------------------------------
@decide_flow.ask("what")
async def ask_what(ctx: Context) -> None:
    ctx.reply(
        _(
            "What is the reward for tip no. {number}? Type the amount in đồng (for example 2.000.000 or 2 triệu), "
            "or the form of the reward (for example: Giấy khen của Chủ tịch UBND phường)."
        ).format(number=ctx.data["tip"])
    )


@decide_flow.on("what")
async def on_what(ctx: Context) -> Outcome:
    text = " ".join(ctx.event.text.split())
    if ctx.event.kind != Kind.TEXT or len(text) < 2:
        return retry(_("Please type the amount or the form of the reward."))
    amount = parse_amount(text)
    if amount is not None:
        if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
            return retry(
                _(
                    "That amount does not look right. Please type it in đồng, for example 2.000.000 or 2 triệu."
                )
            )
        ctx.data.update(amount=amount, form=None)
    elif looks_like_amount(text):
        return retry(_("I could not read that amount. Please type it like 2.000.000 or 2 triệu."))
    elif len(text) > MAX_FORM:
        return retry(_("Please keep it under {max} characters.").format(max=MAX_FORM))
    else:
        ctx.data.update(amount=None, form=text)
    return goto("ref")


@decide_flow.ask("ref")
async def ask_ref(ctx: Context) -> None:
    ctx.reply(_("The decision's number or reference (for example 15/QĐ-CAP):"))


@decide_flow.on("ref")
async def on_ref(ctx: Context) -> Outcome:
    ref = " ".join(ctx.event.text.split())
    if ctx.event.kind != Kind.TEXT or not 2 <= len(ref) <= MAX_REF:
        return retry(_("Please type the decision's number, at most {max} characters.").format(max=MAX_REF))
    ctx.data["ref"] = ref
    return goto("date")


@decide_flow.ask("date")
async def ask_date(ctx: Context) -> None:
    ctx.reply(
        _("The decision's date? Type it, for example 20/11/2026, or press Today."),
        [Choice(_("Today"), DecisionToday())],
    )


@decide_flow.on("date")
async def on_date(ctx: Context) -> Outcome:
    today = local(clock.now()).date()
    day = today if DecisionToday.read(ctx) else parse_day(ctx.event.text)
    if ctx.event.kind not in (Kind.TEXT, Kind.CHOICE) or day is None:
        return retry(
            _("I could not read that date. Please type it as day/month/year, for example 20/11/2026.")
        )
    if day > today:
        return retry(_("That date is in the future. Please type the day the decision was signed."))
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None:
        return finish()
    if day < local(tip.received_at).date():
        return retry(
            _("The decision cannot be dated before the tip was received ({date}).").format(
                date=fmt_date(tip.received_at)
            )
        )
    ctx.data["day"] = day.isoformat()
    return goto("confirm")


@decide_flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    draft = draft_reward(ctx)
    ctx.reply(
        _(
            "Tip no. {number} found useful, with the reward {decision}. The tipster learns of it only through "
            "their receipt code (and a message, if they allowed replies). Save?"
        ).format(number=ctx.data["tip"], decision=decision_text(draft)),
        [Choice(_("Save"), SaveDecision(True)), Choice(_("Cancel"), SaveDecision(False))],
    )


def draft_reward(ctx: Context) -> TipReward:
    return TipReward(
        tip_id=ctx.data["tip"],
        ward_code=0,
        amount_vnd=ctx.data.get("amount"),
        form=ctx.data.get("form"),
        decision_ref=ctx.data.get("ref"),
        decision_date=date.fromisoformat(ctx.data["day"]),
    )


@decide_flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not SaveDecision.expect(ctx).yes:
        ctx.reply(_("Nothing was recorded."))
        return finish()
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None:
        return finish()
    number = pk(tip)
    reward = await reward_of(ctx.session, number)
    if reward is not None and reward.decided_at is not None:
        ctx.reply(_("The reward of tip no. {number} is already recorded.").format(number=number))
        return finish()
    if reward is None:
        reward = TipReward(tip_id=number, ward_code=tip.ward_code, marked_by=ctx.person_id)
    draft = draft_reward(ctx)
    reward.amount_vnd, reward.form = draft.amount_vnd, draft.form
    reward.decision_ref, reward.decision_date = draft.decision_ref, draft.decision_date
    reward.decided_at, reward.decided_by = clock.now(), ctx.person_id
    ctx.session.add(reward)
    await ctx.session.flush()

    def render() -> str:
        return _(
            "Good news about your tip no. {number}: the ward police found it useful and decided a reward. To see "
            "it and choose how to receive it, type /tracuu followed by your receipt code."
        ).format(number=number)

    sent = await tell_tipster(
        ctx.session, tip, render, dedupe=f"tip:{number}:reward", quiet_hours=ctx.app.settings.quiet_hours
    )
    ctx.audit(
        "tip.reward",
        "tip",
        str(number),
        tip.ward_code,
        amount=reward.amount_vnd,
        form=reward.form,
        ref=reward.decision_ref,
        delivered=sent,
    )
    ctx.reply(
        _("Recorded the reward of tip no. {number}.").format(number=number) + " " + delivered_note(sent)
    )
    return finish()


# The police: checking a claim code at payout -----------------------------------------------------------------
@router.command(
    "nhanthuong",
    "claimreward",
    help=N_("Check a tip reward's claim code and record the payout (police)"),
    roles=POLICE,
    private=True,
)
async def claim_command(ctx: Context) -> None:
    if ctx.event.args.strip():
        await check_code(ctx, ctx.event.args)
    else:
        ctx.begin("tip_reward_check")


@check_flow.ask("code")
async def ask_code(ctx: Context) -> None:
    ctx.reply(_("Type the claim code the person shows you (five groups of four letters and digits):"))


@check_flow.on("code")
async def on_code(ctx: Context) -> Outcome:
    if ctx.event.kind != Kind.TEXT:
        return retry(_("Please type the code."))
    await check_code(ctx, ctx.event.text)  # a valid code opens the payout, which replaces this question
    return stay()


async def check_code(ctx: Context, typed: str) -> None:
    """Look the code up behind the wrong-code limit; a valid unspent code of the officer's ward opens the payout."""

    async def look_up() -> TipReward | None:
        reward = await find_by_claim_code(ctx.session, ctx.app.keyring, typed)
        # Another ward's code reads exactly as a wrong one, and counts as one.
        if reward is None or not holds(await ctx.grants(), Role.POLICE, ward_code=reward.ward_code):
            ctx.reply(
                _(
                    "No reward of your ward has that claim code. Please check it (letters and digits, dashes "
                    "optional) and type it again."
                )
            )
            return None
        return reward

    def paused(verdict: ratelimit.Verdict) -> str:
        return _(
            "Too many wrong claim codes have been typed here, so checking claim codes is paused for a while. "
            "Please try again after {time}."
        ).format(time=verdict.retry_time())

    reward = await ratelimit.guarded(ctx, CLAIM_CODES, paused, look_up)
    if reward is None:
        return
    if reward.claimed_at is not None:
        ctx.audit("tip.reward.code_reused", "tip", str(reward.tip_id), reward.ward_code)
        ctx.reply(
            _(
                "This claim code was already used: the reward of tip no. {number} was claimed on {date}. It "
                "cannot be paid again."
            ).format(number=reward.tip_id, date=fmt_date(reward.claimed_at))
        )
        ctx.end()
        return
    ctx.begin("tip_reward_payout", reward=reward.id, key=reward.claim_hash)


@payout_flow.ask("pay")
async def ask_pay(ctx: Context) -> None:
    reward = await ctx.session.get(TipReward, ctx.data["reward"])
    if reward is None:
        ctx.end()
        return
    ctx.reply(
        _(
            "Valid claim code. Reward of tip no. {number}: {decision}.\nGive the reward to the person who "
            "showed the code, then press Given: the code then stops working. Nothing about the person is "
            "recorded."
        ).format(number=reward.tip_id, decision=decision_text(reward)),
        [Choice(_("Given"), ConfirmPayout(True)), Choice(_("Cancel"), ConfirmPayout(False))],
    )


@payout_flow.on("pay")
async def on_pay(ctx: Context) -> Outcome:
    if not ConfirmPayout.expect(ctx).yes:
        ctx.reply(_("Nothing was recorded; the code stays valid."))
        return finish()
    reward = await ctx.session.get(TipReward, ctx.data["reward"])
    if reward is None or not holds(await ctx.grants(), Role.POLICE, ward_code=reward.ward_code):
        ctx.reply(_("Sorry, this is for the ward police."))
        return finish()
    if not await mark_claimed(ctx.session, pk(reward), ctx.person_id, ctx.data["key"]):
        ctx.reply(_("That code is no longer valid: it was used meanwhile, or replaced by a new one."))
        return finish()
    number = reward.tip_id
    ctx.audit("tip.reward.paid", "tip", str(number), reward.ward_code, anonymous=True)
    tip = await ctx.session.get(Tip, number)
    if tip is not None:
        # The tipster learns the code was used: if it was not them, they should tell the police.

        def render() -> str:
            return _(
                "The reward for your tip no. {number} was collected with its claim code. If that was not you, "
                "please tell the ward police."
            ).format(number=number)

        await tell_tipster(
            ctx.session,
            tip,
            render,
            dedupe=f"tip:{number}:reward:claimed",
            quiet_hours=ctx.app.settings.quiet_hours,
        )
    ctx.reply(_("Recorded: the reward of tip no. {number} is claimed.").format(number=number))
    return finish()
