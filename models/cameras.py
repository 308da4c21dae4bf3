"""Cameras for security: residents' cameras registered by their owners, the police's footage requests, each
owner's answer, and the clips they hand over.

The registry is seen only by the ward's police and ward admin. A request asks each chosen owner once
(FootageAsk); a clip (FootageClip) is kept encrypted twice, as the police's cleaned copy and the original, and
deleted after the retention unless the officer marks it as evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp, utcnow


class CameraStatus:
    ACTIVE = "active"
    PAUSED = "paused"  # the owner does not want to be asked for now
    REMOVED = "removed"  # kept as a row so past requests and the year's counts stay whole


class AskStatus:
    ASKED = "asked"
    HAVE = "have"  # the owner has footage (and uploads it)
    NOTHING = "nothing"  # nothing was recorded
    DECLINED = "declined"  # the owner's right, recorded without judgement
    WITHDRAWN = "withdrawn"  # the camera was removed (or its owner erased their data) before an answer

    ANSWERED = (HAVE, NOTHING, DECLINED)


class Camera(SQLModel, table=True):
    __tablename__ = "camera"
    id: int | None = Field(default=None, primary_key=True)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    # The owner's area and group when they registered it (for counts per place); None when unknown.
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)
    place_text: str | None = None  # a typed address
    latitude: float | None = None  # a shared location
    longitude: float | None = None
    facing: str  # what it looks at: a direction or a short description
    records_at_night: bool = True
    keep_days: int  # days its recordings are kept before they are overwritten
    status: str = Field(default=CameraStatus.ACTIVE, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    removed_at: datetime | None = None


class FootageRequest(SQLModel, table=True):
    """An officer's request for footage of a place and a time window (from a tip or on its own)."""

    __tablename__ = "footage_request"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    officer_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int
    window_start: datetime
    window_end: datetime
    reason: str  # what owners are told; never the tip's content or the tipster
    created_at: datetime = Field(default_factory=utcnow, nullable=False, index=True)


class FootageAsk(SQLModel, table=True):
    """One owner asked once for one request, about one or more of their cameras."""

    __tablename__ = "footage_ask"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="footage_request.id", index=True)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    camera_ids: list[int] = json_column([])
    status: str = Field(default=AskStatus.ASKED, index=True)
    deadline_at: datetime  # start of the window + the cameras' keep days: before the recording is overwritten
    asked_at: datetime = timestamp()
    answered_at: datetime | None = None
    reminded_at: datetime | None = None
    useful: bool = False  # the officer found the footage useful
    # The one-time web upload link: only a keyed hash of its token is kept.
    upload_token_hash: str | None = Field(default=None, index=True)
    upload_expires_at: datetime | None = None
    upload_used_at: datetime | None = None


class FootageClip(SQLModel, table=True):
    """A clip or still an owner handed over: the police's cleaned copy and the encrypted original."""

    __tablename__ = "footage_clip"
    id: int | None = Field(default=None, primary_key=True)
    ask_id: int = Field(foreign_key="footage_ask.id", index=True)
    request_id: int = Field(foreign_key="footage_request.id", index=True)
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    kind: str  # "video" | "photo" | "file"
    police_ref: str | None = None  # emptied when the clip is deleted after the retention
    original_ref: str | None = None
    mime_type: str
    size: int
    stripped: bool = False
    evidence: bool = False  # kept beyond the retention
    added_at: datetime = timestamp()
    purged_at: datetime | None = None
