"""Words shown in several places: a camera in one line, its status, an answer's status, a time window."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, _, fmt_datetime, fmt_number, ngettext
from models.cameras import AskStatus, Camera, CameraStatus

KEEP_CHOICES = (3, 7, 15, 30)  # days of keeping offered as buttons; any number 1–365 may be typed
MAX_KEEP_DAYS = 365
FACING_MAX = 200
PLACE_MAX = 200
REASON_MAX = 300

CAMERA_STATUS = {
    CameraStatus.ACTIVE: N_("active"),
    CameraStatus.PAUSED: N_("paused"),
    CameraStatus.REMOVED: N_("removed"),
}
ASK_STATUS = {
    AskStatus.ASKED: N_("no answer yet"),
    AskStatus.HAVE: N_("has footage"),
    AskStatus.NOTHING: N_("nothing recorded"),
    AskStatus.DECLINED: N_("declined"),
    AskStatus.WITHDRAWN: N_("camera removed, not asked"),
}


def place_of(camera: Camera) -> str:
    if camera.place_text and camera.latitude is not None:
        return _("{address} (location shared)").format(address=camera.place_text)
    if camera.place_text:
        return camera.place_text
    if camera.latitude is not None and camera.longitude is not None:
        return _("shared location {lat:.5f}, {lon:.5f}").format(lat=camera.latitude, lon=camera.longitude)
    return "—"


def keep_label(days: int) -> str:
    return ngettext("{n} day", "{n} days", days).format(n=fmt_number(days))


def camera_line(camera: Camera) -> str:
    """ "Camera 3: 12 Nguyễn Huệ — looks at: the alley's gate — at night: yes — keeps 7 days — active"."""
    return _(
        "Camera {number}: {place} — looks at: {facing} — at night: {night} — keeps {keep} — {status}"
    ).format(
        number=camera.id,
        place=place_of(camera),
        facing=camera.facing,
        night=_("yes") if camera.records_at_night else _("no"),
        keep=keep_label(camera.keep_days),
        status=_(CAMERA_STATUS.get(camera.status, camera.status)),
    )


def window_label(start: datetime, end: datetime) -> str:
    return _("from {start} to {end}").format(start=fmt_datetime(start), end=fmt_datetime(end))


def distance_label(metres: float | None) -> str:
    if metres is None:
        return _("same street (address only)")
    return _("{m} m").format(m=fmt_number(round(metres)))
