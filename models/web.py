"""The web chat's transcript: what a browser session sent and what the bot replied or pushed."""

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
