"""Liên gia teams ("tổ liên gia an toàn PCCC"): when the ward uses them, a group admin (or the ward admin) groups
5–10 neighbouring households of a group under a leader who is a member of one of them; teams are listed in the
coverage and can be dissolved."""

from __future__ import annotations

import re

from sqlalchemy import delete
from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.db import execute
from bot.delivery.outbox import enqueue_to_person
from bot.i18n import _
from bot.textnorm import fold
from handlers.common import group_label, yes_no
from handlers.firesafety import coverage
from handlers.firesafety.buttons import (
    ConfirmTeam,
    DissolveTeam,
    DissolveTeamSure,
    NewTeam,
    TeamGroup,
    TeamHousehold,
    TeamHouseholdsDone,
    TeamLeader,
)
from handlers.firesafety.store import members, today, ward_config
from handlers.pledges.texts import household_label
from models import Group, Household, Person, Role
from models.fire_safety import FireSafetyTeam, FireSafetyTeamHousehold

router = Router("firesafety.teams")
flow = Flow("firesafety_team", steps=("group", "name", "households", "leader", "confirm"))
SHOWN = 40
NUMBERS = re.compile(r"\d+")
TYPED_NUMBERS = re.compile(r"[\d\s,;.]+")


def team_line(t: coverage.TeamLine) -> str:
    return _("• {team} ({group}), leader {leader}: {n} households, {checked} filled in the checklist").format(
        team=t.name, group=t.group, leader=t.leader, n=t.households, checked=t.checked
    )


def may_manage(roles: set[str], admin_groups: set[int], group_id: int) -> bool:
    return Role.WARD_ADMIN.value in roles or group_id in admin_groups


async def admin_groups_of(ctx: Context) -> set[int]:
    return {
        g.group_id for g in await ctx.grants() if g.role == Role.GROUP_ADMIN.value and g.group_id is not None
    }


async def show(ctx: Context, ward_code: int, area_id: int | None, group_id: int | None) -> None:
    if not (await ward_config(ctx.session, ward_code)).teams_enabled:
        ctx.reply(
            _(
                "The ward does not use liên gia teams. The ward admin can turn them on in /pccc → “What the ward "
                "uses”."
            )
        )
        return
    found = await coverage.teams(ctx.session, ward_code, today().year, area_id=area_id, group_id=group_id)
    roles, mine = await ctx.roles(), await admin_groups_of(ctx)
    lines = [_("Liên gia teams: {n}").format(n=len(found)), *[team_line(t) for t in found[:SHOWN]]]
    choices = [
        Choice(_("Dissolve {team}").format(team=t.name)[:60], DissolveTeam(t.team_id))
        for t in found[:SHOWN]
        if may_manage(roles, mine, t.group_id)
    ]
    if Role.WARD_ADMIN.value in roles:
        choices.insert(0, Choice(_("Make a new team"), NewTeam(0)))
    else:
        choices[:0] = [
            Choice(
                _("Make a new team in {group}").format(group=await group_label(ctx.session, g))[:60],
                NewTeam(g),
            )
            for g in sorted(mine)
        ]
    ctx.reply("\n".join(lines), choices)


@router.choice(NewTeam)
async def on_new(ctx: Context) -> None:
    pressed = NewTeam.read(ctx)
    if pressed is None:
        raise NotChosen()
    roles, mine = await ctx.roles(), await admin_groups_of(ctx)
    ward_codes = {
        g.ward_code for g in await ctx.grants() if g.role in (Role.WARD_ADMIN.value, Role.GROUP_ADMIN.value)
    }
    if pressed.group_id and not may_manage(roles, mine, pressed.group_id):
        raise NotChosen()
    if not pressed.group_id and Role.WARD_ADMIN.value not in roles:
        raise NotChosen()
    ward_code = min(ward_codes) if ward_codes else 0
    if not (await ward_config(ctx.session, ward_code)).teams_enabled:
        ctx.reply(_("The ward does not use liên gia teams."))
        return
    ctx.begin("firesafety_team", ward_code=ward_code, group_id=pressed.group_id or None)


@flow.ask("group")
async def ask_group(ctx: Context) -> None:
    if ctx.data.get("group_id"):
        ctx.state.step = "name"
        await ask_name(ctx)
        return
    ctx.reply(_("Which group is the team in? Type the group's name, for example “Tổ 3”."))


@flow.on("group")
async def on_group(ctx: Context) -> Outcome:
    pressed = TeamGroup.read(ctx)
    if pressed is not None:
        if pressed.group_id not in ctx.data.get("matches", []):
            raise NotChosen()
        ctx.data["group_id"] = pressed.group_id
        return goto("name")
    typed = fold(ctx.event.text)
    if not typed or ctx.event.choice:
        raise NotChosen()
    rows = (
        await ctx.session.exec(
            select(Group)
            .where(Group.ward_code == ctx.data["ward_code"], col(Group.retired_at).is_(None))
            .order_by(col(Group.id))
        )
    ).all()
    found = [g for g in rows if g.name_folded == typed or typed in g.name_folded][:10]
    if not found:
        return retry(
            _("No group of the ward has that name. Please type it as it is written, for example “Tổ 3”.")
        )
    ctx.data["matches"] = [g.id for g in found]
    ctx.reply(
        _("Which group?"),
        [Choice((await group_label(ctx.session, g.id or 0))[:60], TeamGroup(g.id or 0)) for g in found],
    )
    return stay()


@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    ctx.reply(_("What is the team called? For example “Liên gia số 1” or the alley's name."))


@flow.on("name")
async def on_name(ctx: Context) -> Outcome:
    name = " ".join(ctx.event.text.split())
    longest = ctx.app.settings.firesafety_text_max_length
    if ctx.event.choice or not name:
        raise NotChosen()
    if len(name) > longest:
        return retry(_("Please keep the name under {n} characters.").format(n=longest))
    ctx.data["name"], ctx.data["chosen"] = name, []
    return goto("households")


async def free_households(ctx: Context) -> list[Household]:
    """The group's households that are in no team."""
    taken = select(FireSafetyTeamHousehold.household_id)
    rows = await ctx.session.exec(
        select(Household)
        .where(Household.group_id == ctx.data["group_id"], col(Household.id).not_in(taken))
        .order_by(col(Household.id))
    )
    return list(rows.all())


@flow.ask("households")
async def ask_households(ctx: Context) -> None:
    free = (await free_households(ctx))[:SHOWN]
    chosen = set(ctx.data["chosen"])
    ctx.data["offered"] = [h.id for h in free]
    settings = ctx.app.settings
    choices = [
        Choice((("✓ " if h.id in chosen else "") + household_label(h))[:60], TeamHousehold(h.id or 0))
        for h in free
    ]
    ctx.reply(
        _(
            "Choose the team's {min}–{max} neighbouring households: press each one (press again to take it off), or "
            "type their numbers, for example “1 2 3 4 5”. Chosen so far: {n}."
        ).format(
            min=settings.firesafety_team_min_households,
            max=settings.firesafety_team_max_households,
            n=len(chosen),
        ),
        [*choices, Choice(_("Done"), TeamHouseholdsDone())],
    )


@flow.on("households")
async def on_households(ctx: Context) -> Outcome:
    settings = ctx.app.settings
    chosen: list[int] = list(ctx.data["chosen"])
    offered: list[int] = ctx.data.get("offered", [])
    if TeamHouseholdsDone.read(ctx) is not None:
        low, high = settings.firesafety_team_min_households, settings.firesafety_team_max_households
        if not low <= len(chosen) <= high:
            return retry(
                _("A team has {min} to {max} households; {n} are chosen.").format(
                    min=low, max=high, n=len(chosen)
                )
            )
        return goto("leader")
    pressed = TeamHousehold.read(ctx)
    if pressed is not None:
        picked = [pressed.household_id]
    elif not ctx.event.choice and TYPED_NUMBERS.fullmatch(ctx.event.text.strip()):
        numbers = [int(n) for n in NUMBERS.findall(ctx.event.text)]
        if not numbers or any(not 1 <= n <= len(offered) for n in numbers):
            return retry(_("Please type numbers from the list, from 1 to {n}.").format(n=len(offered)))
        picked = [offered[n - 1] for n in numbers]
    else:
        raise NotChosen()
    for household_id in picked:
        if household_id not in offered:
            raise NotChosen()
        if household_id in chosen:
            chosen.remove(household_id)
        else:
            chosen.append(household_id)
    ctx.data["chosen"] = chosen
    return retry("")


@flow.ask("leader")
async def ask_leader(ctx: Context) -> None:
    found = await members(ctx.session, ctx.data["chosen"])
    if not found:
        ctx.reply(
            _(
                "None of these households has a member registered in An Dân, and the leader must be one. Ask one of "
                "them to join their household with /hocuatoi, then make the team again."
            )
        )
        ctx.end()
        return
    addresses = {
        h.id: h.address for h in [await ctx.session.get(Household, i) for i in ctx.data["chosen"]] if h
    }
    ctx.reply(
        _("Who leads the team? The leader is a member of one of its households."),
        [
            Choice(f"{p.display_name or '—'} ({addresses.get(hid, '')})"[:60], TeamLeader(p.id or 0))
            for p, hid in found[:SHOWN]
        ],
    )


@flow.on("leader")
async def on_leader(ctx: Context) -> Outcome:
    pressed = TeamLeader.expect(ctx)
    found = {p.id: hid for p, hid in await members(ctx.session, ctx.data["chosen"])}
    if pressed.person_id not in found:
        raise NotChosen()
    ctx.data["leader"], ctx.data["leader_household"] = pressed.person_id, found[pressed.person_id]
    return goto("confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    leader = await ctx.session.get(Person, ctx.data["leader"])
    ctx.reply(
        _("Make the team “{team}” in {group} with {n} households, led by {leader}?").format(
            team=ctx.data["name"],
            group=await group_label(ctx.session, ctx.data["group_id"]),
            n=len(ctx.data["chosen"]),
            leader=(leader.display_name if leader else None) or "—",
        ),
        yes_no(_("Make the team"), _("Cancel"), ConfirmTeam),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmTeam.expect(ctx).yes:
        ctx.reply(_("No team was made."))
        return finish()
    taken = (
        await ctx.session.exec(
            select(FireSafetyTeamHousehold.household_id).where(
                col(FireSafetyTeamHousehold.household_id).in_(ctx.data["chosen"])
            )
        )
    ).all()
    if taken:
        ctx.data["chosen"] = [h for h in ctx.data["chosen"] if h not in set(taken)]
        ctx.reply(_("Some of these households joined another team meanwhile; please choose again."))
        return goto("households")
    team = FireSafetyTeam(
        ward_code=ctx.data["ward_code"],
        group_id=ctx.data["group_id"],
        name=ctx.data["name"],
        leader_household_id=ctx.data["leader_household"],
        leader_person_id=ctx.data["leader"],
        created_by=ctx.person_id,
        created_at=clock.now(),
    )
    ctx.session.add(team)
    await ctx.session.flush()
    ctx.session.add_all(
        [FireSafetyTeamHousehold(team_id=team.id or 0, household_id=h) for h in ctx.data["chosen"]]
    )
    ctx.audit(
        "firesafety.team_made",
        "fire_safety_team",
        str(team.id),
        team.ward_code,
        households=len(ctx.data["chosen"]),
    )
    leader = await ctx.session.get(Person, team.leader_person_id)
    if leader is not None:
        name, count = team.name, len(ctx.data["chosen"])

        def render() -> Reply:
            return Reply(
                _(
                    "You were named leader of the liên gia fire-safety team “{team}” ({n} neighbouring households). "
                    "Keep an eye on each other's homes, and remind the households to fill in /pccc."
                ).format(team=name, n=count)
            )

        await enqueue_to_person(
            ctx.session, leader, render, kind="notice", source_kind="firesafety_team", source_id=str(team.id)
        )
    ctx.reply(_("The team “{team}” is made. It shows in the coverage (/pccc).").format(team=team.name))
    return finish()


@router.choice(DissolveTeam)
@router.choice(DissolveTeamSure)
async def on_dissolve(ctx: Context) -> None:
    # One press away from undoing a team that took a leader minutes of choosing: asked once more.
    pressed = read_any(ctx, DissolveTeam, DissolveTeamSure)
    team_id = pressed.team_id if isinstance(pressed, (DissolveTeam, DissolveTeamSure)) else 0
    team = await ctx.session.get(FireSafetyTeam, team_id)
    if team is None or team.retired_at is not None:
        raise NotChosen()
    ward_admin = any(
        g.role == Role.WARD_ADMIN.value and g.ward_code == team.ward_code for g in await ctx.grants()
    )
    if not ward_admin and team.group_id not in await admin_groups_of(ctx):
        ctx.reply(_("Sorry, only the group's leader or the ward admin can dissolve this team."))
        return
    if isinstance(pressed, DissolveTeam):
        ctx.reply(
            _(
                "Dissolve the team “{team}”? Its households will no longer be counted as covered by it."
            ).format(team=team.name),
            yes_no(_("Yes, dissolve it"), _("No, keep it"), DissolveTeamSure, team_id=team_id),
        )
        return
    if isinstance(pressed, DissolveTeamSure) and not pressed.yes:
        ctx.reply(_("The team “{team}” is kept as it is.").format(team=team.name))
        return
    team.retired_at = clock.now()
    ctx.session.add(team)
    await execute(
        ctx.session, delete(FireSafetyTeamHousehold).where(col(FireSafetyTeamHousehold.team_id) == team.id)
    )
    ctx.audit("firesafety.team_dissolved", "fire_safety_team", str(team.id), team.ward_code)
    ctx.reply(_("The team “{team}” was dissolved; its households may join another.").format(team=team.name))
