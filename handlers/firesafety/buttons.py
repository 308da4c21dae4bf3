"""Every button of the fire-safety feature. The wire strings are stored in sent messages and conversation state,
so a prefix or field order never changes."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

Item = Literal["extinguisher", "smoke_alarm", "escape", "electrical", "gas", "gas_use", "shop", "second_exit"]

# /pccc: a household's checklist ----------------------------------------------------------------------------


class StartChecklist(Payload, prefix="fsc"):
    """Fill in (or update) this household's checklist now: offered after the pledge and in /pccc."""

    household_id: int


class PickHousehold(Payload, prefix="fsh"):
    """The household the checklist is for, when the person belongs to several."""

    household_id: int


class Answer(Payload, prefix="fsa"):
    """The answer to one item of the checklist; the item is part of the button, so an old one answers nothing
    else."""

    item: Item
    answer: Literal["yes", "no", "none"]


class DateUnknown(Payload, prefix="fsdate:unknown"):
    """The extinguisher's refill date cannot be read now."""


class SignChecklist(YesNo, prefix="fssign"):
    """Sign the checklist as summed up, or keep nothing."""


class Renew(Payload, prefix="fsrenew"):
    """From a reminder: the extinguisher was refilled or replaced; type its new date."""

    checklist_id: int


# /pccc for leaders -----------------------------------------------------------------------------------------


class LeaderMenu(Payload, prefix="fsm"):
    """A screen of the leaders' fire-safety menu."""

    action: Literal["mine", "coverage", "teams", "points", "advice", "settings"]

    def typed_as(self) -> tuple[str, ...]:
        """What a leader types under the menu besides its labels ("xem độ phủ" for "Tỷ lệ kê khai")."""
        return MENU_TYPED.get(self.action, ())


# Typed under the leaders' /pccc menu, besides its labels (read as labels are, bot.core.typed).
MENU_TYPED = {
    "mine": ("phiếu nhà tôi", "phiếu hộ tôi", "kê khai nhà tôi", "khai cho nhà tôi", "nhà tôi", "hộ tôi"),
    "coverage": (
        "xem độ phủ", "độ bao phủ", "xem tỷ lệ kê khai", "xem tỷ lệ", "xem tiến độ kê khai",
        "bao nhiêu hộ đã kê khai", "bao nhiêu hộ kê khai rồi", "hộ nào chưa kê khai", "thống kê kê khai",
        "coverage",
    ),
    "teams": ("xem tổ liên gia", "liên gia"),
    "points": ("xem điểm chữa cháy", "điểm chữa cháy", "bình công cộng"),
}  # fmt: skip


class Setting(Payload, prefix="fsset"):
    """The ward admin switches the checklist or liên gia teams on or off."""

    what: Literal["checklist", "teams"]
    on: bool


# Liên gia teams --------------------------------------------------------------------------------------------


class NewTeam(Payload, prefix="fstnew"):
    """Start a new liên gia team in this group."""

    group_id: int


class TeamHousehold(Payload, prefix="fsth"):
    """Add (or take off) a household of the team being made."""

    household_id: int


class TeamHouseholdsDone(Payload, prefix="fstdone:go"):
    """The team's households are all chosen."""


class TeamLeader(Payload, prefix="fstlead"):
    """The leader of the team being made: a member of one of its households."""

    person_id: int


class DissolveTeam(Payload, prefix="fstrm"):
    """Dissolve a liên gia team (its households may join another): asked once more before it is done."""

    team_id: int


class DissolveTeamSure(YesNo, prefix="fstrmok"):
    """The answer to "dissolve this team?": yes dissolves it, no keeps it."""

    team_id: int


# Public fire points ----------------------------------------------------------------------------------------


class NewPoint(Payload, prefix="fspnew:go"):
    """The ward admin registers a fire point."""


class PointArea(Payload, prefix="fsparea"):
    """The area of the fire point being registered."""

    area_id: int


class PointKeeper(Payload, prefix="fspkeep"):
    """The keeper of the fire point being registered."""

    person_id: int


class ConfirmPoint(YesNo, prefix="fspok"):
    """Register the fire point as summed up, or nothing."""


class CheckPoint(Payload, prefix="fspc"):
    """The keeper's monthly check of a point: all in order (yes), or something needs repair (no)."""

    point_id: int
    ok: bool


class RetirePoint(Payload, prefix="fsprm"):
    """The ward admin takes a fire point off the register: asked once more before it is done."""

    point_id: int


class RetirePointSure(YesNo, prefix="fsprmok"):
    """The answer to "take this fire point off the register?": yes takes it off, no keeps it."""

    point_id: int


# Advice ----------------------------------------------------------------------------------------------------


class EditAdvice(Payload, prefix="fsadv"):
    """The ward admin rewrites the advice of one item."""

    item: Literal["extinguisher", "smoke_alarm", "escape", "electrical", "gas", "second_exit"]


class ResetAdvice(Payload, prefix="fsadv0:go"):
    """Go back to the shipped advice for the item being edited."""


class TeamGroup(Payload, prefix="fstgrp"):
    """The group of the liên gia team being made (the ward admin picks among the groups matching a name)."""

    group_id: int


class ConfirmTeam(YesNo, prefix="fstok"):
    """Make the liên gia team as summed up, or nothing."""
