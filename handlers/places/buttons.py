"""Every button of the places feature (/diaban, join links, choosing a new group)."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

MenuAction = Literal[
    "add_area", "add_group", "rename", "merge", "retire", "leader", "links", "import", "done"
]


# /diaban ----------------------------------------------------------------------------------------------------
class Menu(Payload, prefix="plc:menu"):
    """What the ward admin wants to do with the ward's places."""

    action: MenuAction


class PlaceKind(Payload, prefix="plc:kind"):
    """Whether the change is about an area or a group."""

    kind: Literal["area", "group"]


class PickPlace(Payload, prefix="plc:pick"):
    """The area or group to change."""

    place_id: int


class PickTarget(Payload, prefix="plc:into"):
    """The area or group another one is merged into."""

    place_id: int


class ConfirmChange(YesNo, prefix="plcok"):
    """Go ahead with a merge or a retirement, or not."""


# Join links ----------------------------------------------------------------------------------------------------
class LinkMenu(Payload, prefix="pll:menu"):
    """Make a new join link for the group, or leave."""

    action: Literal["new", "done"]


class RevokeLink(Payload, prefix="pll:revoke"):
    """Withdraw one of the group's join links."""

    invite_id: int


class LinkDays(Payload, prefix="pll:days"):
    """How many days a new join link stays valid."""

    days: int


class LinkCap(Payload, prefix="pll:cap"):
    """How many people may join by a new join link."""

    uses: int


# Choosing a new group after one was retired ---------------------------------------------------------------------
class RegroupArea(Payload, prefix="plr:area"):
    """The area of the new group."""

    area_id: int


class RegroupGroup(Payload, prefix="plr:group"):
    """The new group."""

    group_id: int


# Outside any form ------------------------------------------------------------------------------------------
class ManageWard(Payload, prefix="plw"):
    """/diaban for someone who administers several wards: which one."""

    ward_code: int


class LinksFor(Payload, prefix="pln"):
    """/linknhom for someone who may make links for several groups: which one."""

    group_id: int


class ChooseNewGroup(Payload, prefix="plg"):
    """In the notice that a group was retired: choose the new one."""

    group_id: int


class ChooseFirstGroup(Payload, prefix="plf"):
    """In the notice that the ward has set up its groups: a resident who joined at ward level chooses theirs."""

    ward_code: int
