"""Zalo Official Account credentials kept by the bot: the access token and the single-use refresh token.

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
