"""Rewards for useful tips: one row per tip the ward police found useful, with the reward decision and how it is
collected.

What is stored, and what never is: for an anonymous claim, only a keyed hash of the single-use claim code (the
code itself is shown once to whoever holds the tip's receipt code and is kept nowhere) and, once paid, "claimed"
with its date and the paying officer. Nothing about who claimed it. A claimant who chose to be known gave their
name and phone for the police (the `claimant_*` columns); the tip itself stays as anonymous as it was sent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.base import timestamp


class RewardChoice:
    """How the tipster chose to receive the reward."""

    NAMED = "named"  # under their name, in public: the police contact them
    CODE = "code"  # anonymously, by showing a single-use claim code at the ward police


class TipReward(SQLModel, table=True):
    """A tip found useful; with a reward decision once the police record one."""

    __tablename__ = "tip_reward"
    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", unique=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    useful_at: datetime = timestamp()
    marked_by: int | None = Field(default=None, foreign_key="person.id")  # the officer
    # The reward decision: an amount in đồng, or another form (a certificate of merit), and its reference.
    amount_vnd: int | None = None
    form: str | None = None
    decision_ref: str | None = None
    decision_date: date | None = None
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    # How the tipster receives it (RewardChoice), chosen through /tracuu with the receipt code.
    choice: str | None = None
    claimant_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    claimant_name: str | None = None
    claimant_phone: str | None = None
    claim_hash: str | None = Field(default=None, unique=True)  # keyed hash of the claim code (bot.security)
    # Paid out: the only trace an anonymous claim leaves.
    claimed_at: datetime | None = None
    paid_by: int | None = Field(default=None, foreign_key="person.id")
