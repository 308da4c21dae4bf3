"""A tipster's side of a reward: reached only from /tracuu, after the receipt code, they choose to be rewarded
under their name (given to the police) or anonymously with a claim code shown once. The form is private, like
/tracuu: nothing of it is linked to the account they use. The police's side is in flows/rewards.py.
"""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto
from bot.core.replies import Choice, Reply
from bot.i18n import _, fmt_date
from handlers.tips.buttons import (
    RevealName,
    RewardView,
    RewardWay,
    ShowClaimCode,
)
from handlers.tips.flows.contact import name_and_phone_steps
from handlers.tips.notify import notify_officers
from handlers.tips.rewards import (
    forget_claimant,
    issue_claim_code,
    reward_of,
    what_of,
)
from handlers.tips.store import ward_name
from models import Tip
from models.base import pk
from models.tip_rewards import RewardChoice, TipReward

choice_flow = Flow("tip_reward_choice", steps=("way", "name", "phone", "reveal", "code"), private=True)


# The tipster: choosing how to receive the reward (reached only from /tracuu, after the receipt code) ---------
async def tipster_reward(ctx: Context) -> tuple[Tip, TipReward] | None:
    """The tip the receipt code opened and its reward, while the tipster may still choose; otherwise a reply."""
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    reward = await reward_of(ctx.session, ctx.data["tip"]) if tip is not None else None
    if tip is None or tip.purged_at is not None or reward is None or reward.decided_at is None:
        ctx.reply(_("There is no reward to choose for this tip."))
        return None
    if reward.claimed_at is not None:
        ctx.reply(_("The reward was claimed on {date}.").format(date=fmt_date(reward.claimed_at)))
        return None
    return tip, reward


@choice_flow.ask("way")
async def ask_way(ctx: Context) -> None:
    found = await tipster_reward(ctx)
    if found is None:
        ctx.end()
        return
    tip, reward = found
    ctx.reply(
        _(
            "How would you like to receive the reward for tip no. {number} ({what})?\n"
            "• Under your name: the ward police learn your name and phone and give you the reward in public. "
            "Your tip stays as you sent it.\n"
            "• Anonymously: you get a claim code, shown only once. Bring it to the ward police; the officer "
            "checks it and gives you the reward without recording who you are."
        ).format(number=tip.id, what=what_of(reward)),
        [
            Choice(_("Under my name"), RewardWay("named")),
            Choice(_("Anonymously, with a claim code"), RewardWay("code")),
            Choice(_("Decide later"), RewardWay("later")),
        ],
    )


@choice_flow.on("way")
async def on_way(ctx: Context) -> Outcome:
    way = RewardWay.expect(ctx).way
    if way == "later":
        ctx.reply(_("Fine. Type /tracuu with your receipt code whenever you want to choose."))
        return finish()
    if way == "code":
        return goto("code")
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    if tip is not None and not tip.anonymous and tip.reporter_name and tip.reporter_phone:
        ctx.data.update(name=tip.reporter_name, phone=tip.reporter_phone)  # a tố giác: already known
        return goto("reveal")
    return goto("name")


name_and_phone_steps(choice_flow, then="reveal")


@choice_flow.ask("reveal")
async def ask_reveal(ctx: Context) -> None:
    ctx.reply(
        _(
            "The ward police will see this name and phone with the reward for tip no. {number}:\n{name}, {phone}\n"
            "They will contact you to give it in public. They are kept with the reward (and, if you use An Dân "
            "with an account, shown in /toi); any claim code you had stops working. Confirm?"
        ).format(number=ctx.data["tip"], name=ctx.data["name"], phone=ctx.data["phone"]),
        [Choice(_("Confirm"), RevealName(True)), Choice(_("Cancel"), RevealName(False))],
    )


@choice_flow.on("reveal")
async def on_reveal(ctx: Context) -> Outcome:
    if not RevealName.expect(ctx).yes:
        ctx.reply(_("Nothing was changed."))
        return finish()
    found = await tipster_reward(ctx)
    if found is None:
        return finish()
    tip, reward = found
    forget_claimant(reward)
    reward.choice = RewardChoice.NAMED
    reward.claimant_name, reward.claimant_phone = ctx.data["name"], ctx.data["phone"]
    # Whoever reveals themselves can see and erase what they gave (/toi, /xoadulieu): the account they use now.
    reward.claimant_person_id = (
        tip.person_id if not tip.anonymous else (ctx.person.id if ctx.person else None)
    )
    ctx.session.add(reward)
    number = pk(tip)
    await notify_officers(
        ctx.session,
        tip,
        lambda: Reply(
            _("The tipster of tip no. {number} chose to receive the reward under their name.").format(
                number=number
            ),
            (Choice(_("Open it"), RewardView(number)),),
        ),
        dedupe=f"tip:{number}:reward:named:{clock.now().isoformat()}",
    )
    ctx.reply(
        _("Thank you. The ward police of {ward} will contact you about the reward.").format(
            ward=await ward_name(ctx.session, tip.ward_code)
        )
    )
    return finish()


@choice_flow.ask("code")
async def ask_show_code(ctx: Context) -> None:
    ctx.reply(
        _(
            "Your claim code will be shown only once, here, and An Dân keeps no copy: it cannot show it again. "
            "Whoever has the code can collect the reward, so write it down and keep it safe. A new code cancels "
            "any earlier one. Ready?"
        ),
        [Choice(_("Show my claim code"), ShowClaimCode(True)), Choice(_("Back"), ShowClaimCode(False))],
    )


@choice_flow.on("code")
async def on_show_code(ctx: Context) -> Outcome:
    if not ShowClaimCode.expect(ctx).yes:
        return goto("way")
    found = await tipster_reward(ctx)
    if found is None:
        return finish()
    tip, reward = found
    forget_claimant(reward)  # a name given before is no longer the police's to keep
    reward.choice = RewardChoice.CODE
    code = issue_claim_code(ctx.app.keyring, reward)
    ctx.session.add(reward)
    ctx.reply(
        _(
            "Your claim code for the reward of tip no. {number}:\n\n{code}\n\nBring it to the ward police of "
            "{ward}. The officer checks it and gives you the reward; the code then stops working. Write it down "
            "now: it will not be shown again (on a chat app you may delete this message afterwards)."
        ).format(number=tip.id, code=code, ward=await ward_name(ctx.session, tip.ward_code))
    )
    return finish()
