"""The web chat's transcript (what a browser session sent and what the bot replied or pushed), and the Web Push
subscriptions of sessions whose person asked to be told of new messages with the page closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class WebMessage(SQLModel, table=True):
    __tablename__ = "web_message"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True)  # hash of the browser's session cookie
    direction: str  # "in" from the person, "out" from the bot
    payload: dict[str, Any] = json_column()
    at: datetime = timestamp()


class WebPushSubscription(SQLModel, table=True):
    __tablename__ = "web_push_subscription"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True)  # hash of the browser's session cookie, as in web_message
    # A keyed hash of the push endpoint: the same browser subscribing again replaces its row.
    endpoint_key: str = Field(unique=True)
    # Endpoint and encryption keys, sealed with ANDAN_SECRET_KEY: an endpoint is a capability to reach a device.
    sealed: str
    at: datetime = timestamp()
