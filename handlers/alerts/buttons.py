"""Every button of the alerts feature. The wire strings are stored in sent messages and conversation state, so a
prefix or field order never changes."""

from __future__ import annotations

from typing import Literal, Self

from bot.core.payloads import SEP, Payload
from handlers.alerts.texts import CategoryKey, SeverityKey

# /soancanhbao: what the alert says ----------------------------------------------------------------------------


class Category(Payload, prefix="cat"):
    """What the alert is about (a key of texts.CATEGORIES)."""

    key: CategoryKey


class Severity(Payload, prefix="sev"):
    """How serious the alert is (a key of texts.SEVERITIES)."""

    key: SeverityKey


class NoPhoto(Payload, prefix="photo:none"):
    """The alert goes out without a photo."""


class NoLink(Payload, prefix="link:none"):
    """The alert goes out without a link."""


class NoneKnown(Payload, prefix="watch:none"):
    """The author knows no phone number, account, link or name the scammers use."""


class WatchDone(Payload, prefix="watch:done"):
    """Every identifier is typed (one message with several lines, or several messages on a phone)."""


# /soancanhbao: where and when it goes -------------------------------------------------------------------------


class Scope(Payload, prefix="scope"):
    """The police's choice of who receives the alert."""

    kind: Literal["ward", "areas", "groups"]


class LeadGroup(Payload, prefix="scope:g"):
    """A group leader's alert goes to this group they lead."""

    group_id: int


class AreasDone(Payload, prefix="area:done"):
    """The areas ticked so far receive the alert."""


class PickArea(Payload, prefix="area"):
    """Tick or untick one residential area."""

    area_id: int


class GroupsDone(Payload, prefix="grp:done"):
    """The groups ticked so far receive the alert."""


class OtherArea(Payload, prefix="grp:areas"):
    """Back to the list of areas, to tick groups of another one."""


class BrowseArea(Payload, prefix="grp:a"):
    """List the groups of this area. Sent as "grp:a12", the id glued to the "a", as these buttons always were: a
    form left open across an upgrade keeps working."""

    area_id: int

    def pack(self) -> str:
        return self.prefix + super().pack()[len(self.prefix + SEP) :]

    @classmethod
    def unpack(cls, raw: str | None) -> Self | None:
        if raw is None or not raw.startswith(cls.prefix):
            return None
        return super().unpack(cls.prefix + SEP + raw[len(cls.prefix) :])


class PickGroup(Payload, prefix="grp"):
    """Tick or untick one group."""

    group_id: int


class When(Payload, prefix="when"):
    """Send at once, or at a time the author types next."""

    moment: Literal["now", "later"]


class Confirm(Payload, prefix="confirm"):
    """Send the alert as previewed, or drop it."""

    answer: Literal["send", "drop"]


# Residents and authors, outside the form -----------------------------------------------------------------------


class Ack(Payload, prefix="ack"):
    """ "I have read this", under an alert a resident received; "đã đọc", "ok" or "rồi" typed under it press it."""

    acknowledges = True
    alert_id: int


class AlertsMenu(Payload, prefix="alerts"):
    """A screen of /canhbao: write a new alert, the author's own alerts, or the alerts of the person's place."""

    screen: Literal["new", "mine", "list"]


class StopAlert(Payload, prefix="acancel"):
    """The author asks to stop an alert that has not gone out (or not to everyone yet)."""

    alert_id: int


class ConfirmStop(Payload, prefix="acancel"):
    """The author's answer to "Stop it?" ("acancel:5:yes"; StopAlert's "acancel:5" has one field less, so neither
    reads the other's buttons)."""

    alert_id: int
    yes: bool


class UseWritten(Payload, prefix="abody:written"):
    """The words the author wrote before pressing the offer become the alert's description."""
