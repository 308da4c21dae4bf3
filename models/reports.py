"""Periodic group reports (config, submissions and drafts), weekly digest settings, and the scheduler's run log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class ReportConfig(SQLModel, table=True):
    """How a ward's self-managed groups report: cadence, deadline and questions. Reports run once a row exists."""

    __tablename__ = "report_config"
    ward_code: int = Field(primary_key=True, foreign_key="ward.code")
    cadence: str = "weekly"  # "weekly" | "monthly"
    due_weekday: int = 4  # Monday = 0; weekly cadence
    due_day: int = 28  # day of month (1–28); monthly cadence
    due_time: str = "17:00"  # local time of the deadline
    remind_group_chat: bool = False  # reminders also go to the group's linked chat
    # [{"id": "q1", "text": "...", "kind": "text" | "number" | "yesno", "builtin": true}]; built-in texts are
    # English msgids translated when shown, texts a ward admin typed are shown as typed.
    questions: list[dict[str, Any]] = json_column([])
    updated_by: int | None = None
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ReportSubmission(SQLModel, table=True):
    """One group's report for one period: a draft while being answered, then submitted (editable until due)."""

    __tablename__ = "report_submission"
    __table_args__ = (UniqueConstraint("group_id", "period_key"),)
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    group_id: int = Field(foreign_key="community_group.id", index=True)
    period_key: str = Field(index=True)  # the deadline's local date, e.g. "2026-11-27"
    due_at: datetime
    status: str = "draft"  # "draft" | "submitted"
    nothing_to_report: bool = False
    # question id -> answer (text, number or "yes"/"no"); "_details": question id -> the leader's words beside a
    # yes, a no or a count ("có, nhà số 14 …"), present only when some answer has words (handlers/reports/store.py)
    answers: dict[str, Any] = json_column()
    questions: list[dict[str, Any]] = json_column(
        []
    )  # the questions as asked, so later edits don't change it
    author_id: int | None = None
    submitted_at: datetime | None = None
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class DigestSetting(SQLModel, table=True):
    """When a ward's weekly digest goes out (Monday 07:00 local when a ward has no row)."""

    __tablename__ = "digest_setting"
    ward_code: int = Field(primary_key=True, foreign_key="ward.code")
    weekday: int = 0
    send_time: str = "07:00"
    updated_at: datetime = timestamp()


class TickRun(SQLModel, table=True):
    """One claimed run of a scheduled tick: the unique (name, slot) lets exactly one process run each slot."""

    __tablename__ = "tick_run"
    __table_args__ = (UniqueConstraint("name", "slot_start"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    slot_start: datetime
    claimed_by: str
    started_at: datetime = timestamp()
    finished_at: datetime | None = None
    error: str | None = None
