"""What /toi shows and /xoadulieu erases of tip rewards: the name and phone a claimant chose to give, and the
officers who recorded and paid rewards.

An anonymous claim holds nobody, so there is nothing to find. A named claim is the claimant's until the reward is
given: erasing then withdraws it (name and phone go, and the tipster may choose again with the receipt code). Once
given, the payout is a record of public money paid out, which the ward must keep with its accounting records
(Luật Kế toán 88/2015/QH13, art. 41, and Nghị định 174/2016/NĐ-CP: payment documents are kept at least ten
years): the name and phone stay
on it, and only the link to the account goes. Officers' ids are unlinked, the records staying.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_date
from handlers.tips.rewards import decision_text, forget_claimant
from models import Person
from models.tip_rewards import TipReward


async def _claims(session: AsyncSession, person: Person) -> list[TipReward]:
    rows = await session.exec(
        select(TipReward).where(TipReward.claimant_person_id == person.id).order_by(col(TipReward.id))
    )
    return list(rows.all())


async def export_rewards(session: AsyncSession, person: Person) -> dict[str, Any]:
    claims = await _claims(session, person)
    if not claims:
        return {}
    return {
        "tip_rewards": [
            {
                "tip": r.tip_id,
                "reward": decision_text(r),
                "name": r.claimant_name,
                "phone": r.claimant_phone,
                "given": fmt_date(r.claimed_at) if r.claimed_at else None,
            }
            for r in claims
        ]
    }


async def erase_rewards(session: AsyncSession, person: Person) -> list[str]:
    claims = await _claims(session, person)
    withdrawn = [r for r in claims if r.claimed_at is None]
    for reward in withdrawn:
        forget_claimant(reward)
        session.add(reward)
    await session.flush()
    paid = len(claims) - len(withdrawn)
    await execute(
        session,
        update(TipReward)
        .where(col(TipReward.claimant_person_id) == person.id)
        .values(claimant_person_id=None),
    )
    await unlink(session, person, TipReward.marked_by, TipReward.decided_by, TipReward.paid_by)
    notes = []
    if withdrawn:
        notes.append(
            _(
                "Your name and phone were removed from {n} tip rewards not yet given; to receive one, choose again "
                "with /tracuu and the tip's receipt code."
            ).format(n=len(withdrawn))
        )
    if paid:
        notes.append(
            _(
                "{n} tip rewards were given to you under your name: the ward keeps the record of the payment, with "
                "the name and phone you gave, as the accounting law requires; it is no longer linked to you here."
            ).format(n=paid)
        )
    return notes


async def summary(session: AsyncSession, person: Person) -> list[str]:
    claims = await _claims(session, person)
    if not claims:
        return []
    listed = "; ".join(
        _("tip no. {number}, {reward}, {state}").format(
            number=r.tip_id,
            reward=decision_text(r),
            state=_("given on {date}").format(date=fmt_date(r.claimed_at))
            if r.claimed_at
            else _("not yet given"),
        )
        for r in claims
    )
    return [
        _("Tip rewards you chose to receive under your name ({name}, {phone}): {rewards}.").format(
            name=claims[-1].claimant_name, phone=claims[-1].claimant_phone, rewards=listed
        )
    ]
