"""Every button of the cameras feature, typed (bot.core.payloads). Prefixes start with "cam" (the owner's side) or
"camp" (the police's side), so one kind never reads another's buttons."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo
from bot.core.replies import Choice
from bot.i18n import _

# Registering and editing a camera (flows/register.py) ------------------------------------------------------


class KeepAsIs(Payload, prefix="cam:same"):
    """While editing: keep this answer as it is."""


class Night(YesNo, prefix="cam:night"):
    """Whether the camera records at night."""


class KeepDays(Payload, prefix="cam:days"):
    """How many days the camera keeps its recordings."""

    days: int


class SaveCamera(YesNo, prefix="cam:save"):
    """On the summary: save the camera, or leave it."""


class NewCamera(Payload, prefix="cam:new"):
    """Register another camera."""


class OpenCamera(Payload, prefix="cam:open"):
    """One of my cameras, with its actions."""

    camera_id: int


class CameraAction(Payload, prefix="cam:do"):
    """Pause, resume, edit or remove one of my cameras."""

    camera_id: int
    action: Literal["pause", "resume", "edit", "remove"]


class ConfirmRemove(Payload, prefix="cam:rm"):
    """Remove the camera for good."""

    camera_id: int


class WardRegistry(Payload, prefix="cam:registry"):
    """The ward's registry of cameras (police and ward admin only); `page` from 0."""

    page: int


# The owner's answer to a footage request (flows/answer.py) -------------------------------------------------


class Answer(Payload, prefix="camans"):
    """I have it, nothing was recorded, or I decline."""

    ask_id: int
    answer: Literal["have", "nothing", "decline"]

    def typed_as(self) -> tuple[str, ...]:
        # What an owner who looked at the recorder and found nothing says, besides "Không ghi được gì".
        if self.answer == "nothing":
            return (
                "không có gì hết", "không có gì cả", "không thấy gì hết", "không thấy gì cả", "không ghi lại được",
                "không quay được gì", "không quay lại được", "camera không ghi được", "rốt cuộc không có",
                "nothing at all", "found nothing", "nothing after all",
            )  # fmt: skip
        return ()


class UploadDone(Payload, prefix="camup:done"):
    """Finished sending the footage."""


# The police's side (flows/request.py, flows/footage.py) ----------------------------------------------------


class AskCamerasNearTip(Payload, prefix="camp:tip"):
    """On the police's view of a tip: ask cameras near its place for footage."""

    tip_id: int


class UseTipPlace(Payload, prefix="camp:tipplace"):
    """Look around the tip's own place."""


class Radius(Payload, prefix="camp:radius"):
    """How far around the place, in metres."""

    metres: int


class Window(Payload, prefix="camp:window"):
    """The time window as the last `hours` hours (a typed window is read from the text)."""

    hours: int


class SearchUnplaced(Payload, prefix="camp:more"):
    """Look also among the cameras this search could not compare: by a street typed (cameras known by their
    address only) or by a location shared (cameras known by their location only)."""


class BackToOwners(Payload, prefix="camp:back"):
    """Back to the cameras found, without searching more."""


class PickOwner(Payload, prefix="camp:owner"):
    """Add or take away an owner (a person id) of the cameras found."""

    person_id: int


class OwnersChosen(Payload, prefix="camp:owners"):
    """Done choosing owners: go on to the reason."""


class SendRequests(YesNo, prefix="camp:send"):
    """On the summary: send the requests, or cancel."""


class MyRequests(Payload, prefix="camp:list"):
    """The officer's ward's recent footage requests."""


class NewRequest(Payload, prefix="camp:new"):
    """Start a new footage request."""


class OpenRequest(Payload, prefix="camp:req"):
    """One footage request with every owner's answer."""

    request_id: int


class OpenAnswer(Payload, prefix="camp:ask"):
    """One owner's answer, with its clips (each view audited)."""

    ask_id: int


class MarkUseful(Payload, prefix="camp:useful"):
    """The footage of this answer was useful."""

    ask_id: int


class MarkEvidence(Payload, prefix="camp:evidence"):
    """Keep this clip as evidence beyond the retention."""

    clip_id: int


def tip_choice(tip_id: int) -> Choice:
    """The button on the police's view of a tip (handlers/tips/flows/police.py), labelled in this feature's words."""
    return Choice(_("Ask cameras nearby"), AskCamerasNearTip(tip_id))
