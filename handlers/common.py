"""Small helpers shared by handler modules: yes/no buttons, place labels, and the "where do you belong" lookup."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.flow import Outcome, goto, retry
from bot.core.payloads import YesNo
from bot.core.replies import Choice
from bot.directory.geo import search_wards
from bot.directory.people import home_grant
from bot.i18n import _
from models import Area, Group, Province, RoleGrant, Ward


def yes_no(yes: str, no: str, kind: type[YesNo] = YesNo, **about: object) -> list[Choice]:
    """Two buttons answering a yes/no question of `kind` (a YesNo subclass with the question's own prefix); `about`
    fills the kind's other fields (which team, which point)."""
    return [Choice(yes, kind(True, **about)), Choice(no, kind(False, **about))]


async def place_label(session: AsyncSession, grant: RoleGrant) -> str:
    """ "Tổ 3, Khóm 2, Phường Cao Lãnh, Tỉnh Đồng Tháp" for the place a grant points at."""
    parts: list[str] = []
    if grant.group_id is not None:
        group = await session.get(Group, grant.group_id)
        if group:
            parts.append(group.name)
    if grant.area_id is not None or grant.group_id is not None:
        area_id = grant.area_id
        if area_id is None and grant.group_id is not None:
            group = await session.get(Group, grant.group_id)
            area_id = group.area_id if group else None
        area = await session.get(Area, area_id) if area_id else None
        if area:
            parts.append(area.name)
    ward = await session.get(Ward, grant.ward_code)
    if ward:
        parts.append(ward.name)
        province = await session.get(Province, ward.province_code)
        if province:
            parts.append(province.name)
    return ", ".join(parts)


async def group_label(session: AsyncSession, group_id: int) -> str:
    """ "Tổ 3, Khóm 2" for a group."""
    group = await session.get(Group, group_id)
    if group is None:
        return ""
    area = await session.get(Area, group.area_id)
    return f"{group.name}, {area.name}" if area else group.name


async def search_ward_step(ctx: Context, pick_step: str) -> Outcome:
    """A flow step that finds wards by the name typed (accents optional), keeps them in ctx.data["wards"] as
    [code, "Phường …, Tỉnh …"] pairs and moves to `pick_step`; or re-asks with the reason."""
    query = ctx.event.text.strip()
    if len(query) < 2:
        return retry(_("Please type at least two letters of your ward's name."))
    found = await search_wards(ctx.session, query)
    if not found:
        return retry(
            _(
                'I found no commune or ward named "{query}". Please check the spelling; since July 2025 '
                "many wards have new names."
            ).format(query=query[:60])
        )
    ctx.data["wards"] = [
        [hit.ward.code, hit.label] for hit in found
    ]  # "(trước đây: …)" when found by an old name
    return goto(pick_step)


async def home(ctx: Context) -> RoleGrant | None:
    """The person's most specific place (their group if they have one)."""
    return home_grant(await ctx.grants())
