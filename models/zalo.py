"""Zalo Official Account state kept by the bot: the access token and the single-use refresh token, the phone
numbers people gave for ZNS notifications, and which kinds of OA sends are out of quota.

Zalo invalidates a refresh token the moment it is used, so the pair returned by a refresh is written here (sealed
with the deployment key) before the new access token is used: a crash can never leave us holding only a spent
refresh token. `version` grows with every refresh, so other processes notice a newer pair.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import timestamp


class ZaloOACredentials(SQLModel, table=True):
    __tablename__ = "zalo_oa_credentials"
    app_id: str = Field(primary_key=True)
    access_token: str  # sealed
    refresh_token: str  # sealed
    expires_at: datetime | None = (
        None  # None: age unknown (tokens pasted by the operator), refresh at first use
    )
    # Keyed hash of the refresh token given in the settings this pair descends from: new settings mean re-seed.
    seed_fingerprint: str
    version: int = 0
    updated_at: datetime = timestamp()


class ZnsConsent(SQLModel, table=True):
    """A phone number a person gave, after agreeing, only so that urgent alerts and "a new reply to your tip"
    reach them by ZNS. Sealed with the deployment key; erased by /xoadulieu, shown by /toi."""

    __tablename__ = "zns_consent"
    person_id: int = Field(primary_key=True, foreign_key="person.id")
    phone: str  # sealed "84xxxxxxxxx"
    consented_at: datetime = timestamp()


class ZaloQuota(SQLModel, table=True):
    """A kind of Zalo OA send ("cs", "promotion", "zns") found out of quota: such sends stop until `resume_at`,
    and the ward admins are told once per episode (`told_at`)."""

    __tablename__ = "zalo_quota"
    kind: str = Field(primary_key=True)
    exhausted_at: datetime
    resume_at: datetime
    told_at: datetime | None = None
