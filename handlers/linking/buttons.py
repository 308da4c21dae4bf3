"""Every button of the linking feature (typed button data, see bot/core/payloads.py)."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload


class PushTo(Payload, prefix="pushto"):
    """The chat account that pushed alerts, reminders and the weekly digest should reach."""

    identity_id: int


class LinkTarget(Payload, prefix="linkgrp"):
    """The group chat link to make a code for: a ward's police ("p", by ward code) or a group ("c", by group id)."""

    kind: Literal["p", "c"]
    target: int
