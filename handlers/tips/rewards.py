"""Rewards for useful tips: finding a tip's reward, claim codes (issued once, kept only as a keyed hash, valid
once), reading an amount as officers type it, and the words both sides read about a reward.

See models/tip_rewards.py for what is stored. The claim code is random (20 characters of the unambiguous
alphabet, about 93 bits), so a keyed hash with the server's secret is enough to keep it unguessable from a
stolen table; it also lets the officer's check find it with one indexed look-up.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice
from bot.db import execute
from bot.guard import ratelimit
from bot.i18n import _, fmt_date, fmt_number
from bot.security import Keyring, new_code, normalize_code
from handlers.tips.buttons import RewardOpen
from models.tip_rewards import RewardChoice, TipReward

CLAIM_GROUPS = 5  # five groups of four: never read as a four-group receipt code
CLAIM_LENGTH = CLAIM_GROUPS * 4 + CLAIM_GROUPS - 1
# Wrong claim codes per officer account (or web client network), as wrong receipt codes are limited for /tracuu.
CLAIM_CODES = ratelimit.Limit("reward-claim-codes", "tip_reward_code_failures_per_hour", ratelimit.HOUR)
MAX_AMOUNT = 10_000_000_000  # đồng: anything above is a typing mistake
MIN_AMOUNT = 1_000
MAX_FORM = 200
MAX_REF = 60


# Finding and claiming ---------------------------------------------------------------------------------------
async def reward_of(session: AsyncSession, tip_id: int) -> TipReward | None:
    return (await session.exec(select(TipReward).where(TipReward.tip_id == tip_id))).first()


def claim_key(keyring: Keyring, code: str) -> str:
    return keyring.keyed_hash("tip-reward-claim", normalize_code(code))


def issue_claim_code(keyring: Keyring, reward: TipReward) -> str:
    """A new claim code for the reward; any earlier one stops working. Only its keyed hash is kept."""
    code = new_code(groups=CLAIM_GROUPS, size=4)
    reward.claim_hash = claim_key(keyring, code)
    return code


async def find_by_claim_code(session: AsyncSession, keyring: Keyring, typed: str) -> TipReward | None:
    code = normalize_code(typed)
    if len(code) != CLAIM_LENGTH:
        return None
    key = claim_key(keyring, code)
    return (await session.exec(select(TipReward).where(TipReward.claim_hash == key))).first()


async def mark_claimed(
    session: AsyncSession, reward_id: int, officer_id: int, claim_hash: str | None
) -> bool:
    """Record the payout once: False when it was already paid, or (for a code) the code was replaced meanwhile.
    One conditional update, so two officers confirming the same code at once cannot both pay."""
    statement = (
        update(TipReward)
        .where(col(TipReward.id) == reward_id, col(TipReward.claimed_at).is_(None))
        .values(claimed_at=clock.now(), paid_by=officer_id)
    )
    if claim_hash is not None:
        statement = statement.where(col(TipReward.claim_hash) == claim_hash)
    else:
        statement = statement.where(col(TipReward.choice) == RewardChoice.NAMED)
    result = await execute(session, statement)
    return bool(result.rowcount)


def forget_claimant(reward: TipReward) -> None:
    """The tipster's earlier choice is undone: a name and phone they gave, or a code they were shown."""
    reward.choice = None
    reward.claimant_name = reward.claimant_phone = None
    reward.claimant_person_id = None
    reward.claim_hash = None


# Reading what officers type -------------------------------------------------------------------------------
_UNITS = {"trieu": 1_000_000, "tr": 1_000_000, "nghin": 1_000, "ngan": 1_000, "k": 1_000}
_AMOUNT = re.compile(r"^(?P<number>\d[\d.,\s]*?)\s*(?P<unit>trieu|tr|nghin|ngan|k)?\s*(?:dong|d|vnd)?\s*\.?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def parse_amount(text: str) -> int | None:
    """An amount in đồng as officers write it ("2.000.000", "2,000,000 đ", "2 triệu", "1,5tr", "500k",
    "500 nghìn đồng"), or None when the text is not an amount (then it is the reward's form, e.g. a certificate)."""
    match = _AMOUNT.match(_bare(text))
    if match is None:
        return None
    number, unit = match.group("number").strip(), match.group("unit")
    if _THOUSANDS.match(number) or number.isdigit():
        value = Decimal(re.sub(r"[.,\s]", "", number))
    elif unit and _DECIMAL.match(number):
        value = Decimal(number.replace(",", "."))
    else:
        return None
    try:
        amount = value * _UNITS.get(unit or "", 1)
    except InvalidOperation:
        return None
    return int(amount) if amount == amount.to_integral_value() else None


def looks_like_amount(text: str) -> bool:
    """Only digits and money words ("2.000.00", "3 trieu5"): meant as an amount even when it cannot be read, so
    it is asked again instead of being kept as the reward's form."""
    rest = re.sub(r"(trieu|tr|nghin|ngan|dong|vnd|k|d)", " ", _bare(text))
    return bool(re.search(r"\d", rest)) and re.fullmatch(r"[\d.,\s]*", rest) is not None


# Words about a reward --------------------------------------------------------------------------------------
def what_of(reward: TipReward) -> str:
    if reward.amount_vnd is not None:
        return _("{amount} đồng").format(amount=fmt_number(reward.amount_vnd))
    return reward.form or "—"


def decision_text(reward: TipReward) -> str:
    """ "2.000.000 đồng (decision no. 15/QĐ-CAP of 20 Nov 2026)"."""
    return _("{what} (decision no. {ref} of {date})").format(
        what=what_of(reward),
        ref=reward.decision_ref or "—",
        date=fmt_date(reward.decision_date) if reward.decision_date else "—",
    )


def tipster_view(reward: TipReward | None) -> tuple[list[str], list[Choice]]:
    """What the tipster reads about the reward in /tracuu, and the button to choose how to receive it."""
    if reward is None:
        return [], []
    if reward.decided_at is None:
        return [_("The ward police found your tip useful. Thank you.")], []
    lines = [
        _("The ward police found your tip useful and decided a reward: {decision}.").format(
            decision=decision_text(reward)
        )
    ]
    if reward.claimed_at is not None:
        lines.append(_("Reward: claimed on {date}.").format(date=fmt_date(reward.claimed_at)))
        return lines, []
    if reward.choice == RewardChoice.NAMED:
        lines.append(_("You chose to receive it under your name: the ward police will contact you."))
    elif reward.choice == RewardChoice.CODE:
        lines.append(
            _(
                "You chose to collect it anonymously: bring your claim code to the ward police. If you lost it, "
                "you can get a new one here (the old one then stops working)."
            )
        )
    else:
        lines.append(_("Please choose how to receive it: under your name, or anonymously with a claim code."))
        return lines, [Choice(_("Receive the reward"), RewardOpen())]
    return lines, [Choice(_("Change how I receive it"), RewardOpen())]


def choice_text(reward: TipReward) -> str:
    """How the tipster will receive the reward, as the police read it (never who holds a claim code)."""
    if reward.claimed_at is not None and reward.choice == RewardChoice.NAMED:
        return _("Given on {date} to {name}, phone {phone}.").format(
            date=fmt_date(reward.claimed_at),
            name=reward.claimant_name or "—",
            phone=reward.claimant_phone or "—",
        )
    if reward.claimed_at is not None:
        return _("Claimed on {date} with the claim code.").format(date=fmt_date(reward.claimed_at))
    if reward.choice == RewardChoice.NAMED:
        return _("The tipster chose to receive it under their name: {name}, phone {phone}.").format(
            name=reward.claimant_name or "—", phone=reward.claimant_phone or "—"
        )
    if reward.choice == RewardChoice.CODE:
        return _(
            "The tipster will collect it anonymously with a claim code: check the code with /nhanthuong when "
            "they come."
        )
    return _("The tipster has not yet chosen how to receive it (they learn of it with their receipt code).")
