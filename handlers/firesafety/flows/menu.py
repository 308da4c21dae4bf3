"""/pccc (/firesafety): a resident goes straight to the household checklist; a fire point's keeper sees their
points; leaders get a menu — their household, coverage per group and area, liên gia teams, fire points, and for
the ward admin the advice texts and what the ward uses."""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.menu import command_payload, label_for
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from handlers.firesafety import coverage
from handlers.firesafety.buttons import LeaderMenu, Setting
from handlers.firesafety.flows import checklist, points, teams
from handlers.firesafety.store import LEADERS, kept_points, leader_place, today, ward_config
from handlers.pledges.coverage import unlisted_groups
from models import Area, Group, Role
from models.fire_safety import FireSafetyWard

router = Router("firesafety.menu")
SHOWN_GROUPS = 60


@router.command(
    "pccc",
    "firesafety",
    help=N_(
        "Fire safety: your household's yearly checklist; for leaders, coverage, liên gia teams and fire points"
    ),
)
async def firesafety(ctx: Context) -> None:
    roles = await ctx.roles()
    if roles & LEADERS:
        choices = [
            Choice(_("My household's checklist"), LeaderMenu("mine")),
            Choice(_("Coverage"), LeaderMenu("coverage")),
            Choice(_("Liên gia teams"), LeaderMenu("teams")),
            Choice(_("Public fire points"), LeaderMenu("points")),
        ]
        if Role.WARD_ADMIN.value in roles:
            choices += [
                Choice(_("Advice shown with each item"), LeaderMenu("advice")),
                Choice(_("What the ward uses"), LeaderMenu("settings")),
            ]
        kept = await kept_points(ctx.session, ctx.person_id)
        if kept:  # a leader may keep a fire point too
            await points.show_kept(ctx, kept)
        ctx.reply(_("Fire safety (PCCC): what would you like to see?"), choices)
        return
    kept = await kept_points(ctx.session, ctx.person_id)
    if kept:
        await points.show_kept(ctx, kept)
    await checklist.start(ctx)


@router.choice(LeaderMenu)
async def on_menu(ctx: Context) -> None:
    pressed = LeaderMenu.read(ctx)
    if pressed is None:
        raise NotChosen()
    if pressed.action == "mine":
        await checklist.start(ctx)
        return
    roles = await ctx.roles()
    place = leader_place(await ctx.grants())
    if place is None or not roles & LEADERS:
        ctx.reply(_("Sorry, this is for group leaders, area leaders, the ward admin and police."))
        return
    ward_code, area_id, group_id = place
    match pressed.action:
        case "coverage":
            await show_coverage(ctx, ward_code, area_id, group_id)
        case "teams":
            await teams.show(ctx, ward_code, area_id, group_id)
        case "points":
            await points.show(ctx, ward_code, area_id)
        case "advice" | "settings" if Role.WARD_ADMIN.value not in roles:
            ctx.reply(_("Sorry, this is for the ward admin."))
        case "advice":
            ctx.begin("firesafety_advice", ward_code=ward_code)
        case "settings":
            await show_settings(ctx, ward_code)


async def place_name(ctx: Context, area_id: int | None, group_id: int | None) -> str:
    if group_id is not None:
        group = await ctx.session.get(Group, group_id)
        area = await ctx.session.get(Area, group.area_id) if group else None
        return f"{group.name}, {area.name}" if group and area else ""
    if area_id is not None:
        area = await ctx.session.get(Area, area_id)
        return area.name if area else ""
    return _("the whole ward")


async def show_coverage(ctx: Context, ward_code: int, area_id: int | None, group_id: int | None) -> None:
    year, day = today().year, today()
    groups = await coverage.by_group(ctx.session, ward_code, year, day, area_id=area_id, group_id=group_id)
    counted = coverage.tally(groups)
    place = await place_name(ctx, area_id, group_id)
    households_entry = label_for(ctx.app.registry, "hogiadinh")
    lines = [_("Fire safety {year}, {place}:").format(year=year, place=place)]
    if not counted.households:
        # Nobody can fill in a checklist before their household is on the group's list: say where to begin.
        if group_id is not None and groups:
            lines.append(
                _(
                    "{group} has no household list yet, so none of its households can fill in the checklist."
                ).format(group=place)
            )
        elif groups:
            lines.append(_("No group here has entered its household list yet."))
        else:
            lines.append(_("There are no groups here yet."))
        if groups:
            lines.append(
                _(
                    "Households are entered in “{entry}” (/hogiadinh); residents then find theirs and fill it in."
                ).format(entry=households_entry)
            )
        # The group's leader enters the list: for them, the way there in one press.
        ctx.reply(
            "\n".join(lines),
            [Choice(households_entry, command_payload("hogiadinh"))]
            if group_id is not None and groups
            else (),
        )
        return
    checklist, extinguishers = counted.checklist, counted.extinguishers
    lines += [
        coverage.with_share(
            _("{checked}/{total} households filled in the checklist").format(
                checked=checklist.signed, total=checklist.total
            ),
            checklist,
        ),
        coverage.with_share(
            _("{n}/{total} households have a valid fire extinguisher").format(
                n=extinguishers.signed, total=extinguishers.total
            ),
            extinguishers,
        ),
    ]
    if checklist.unlisted:
        lines.append(
            _(
                "⚠ {groups}, so the fire-safety coverage of {place} is not known yet: their leaders enter the list in "
                "“{entry}” (/hogiadinh)."
            ).format(groups=unlisted_groups(checklist.unlisted), place=place, entry=households_entry)
        )
    lines.append("")
    if group_id is None:
        lines += [coverage.place_line(name, area) for _id, name, area in coverage.by_area(groups)]
        lines.append("")
        lines += [
            coverage.place_line(f"{g.group}, {g.area}", coverage.tally([g])) for g in groups[:SHOWN_GROUPS]
        ]
        if len(groups) > SHOWN_GROUPS:
            lines.append(_("… and {n} more groups.").format(n=len(groups) - SHOWN_GROUPS))
    if (await ward_config(ctx.session, ward_code)).teams_enabled:
        found = await coverage.teams(ctx.session, ward_code, year, area_id=area_id, group_id=group_id)
        lines.append(_("Liên gia teams: {n}").format(n=len(found)))
        lines += [teams.team_line(t) for t in found[:SHOWN_GROUPS]]
    ctx.reply("\n".join(lines).strip())


async def show_settings(ctx: Context, ward_code: int) -> None:
    config = await ward_config(ctx.session, ward_code)
    on, off = _("on"), _("off")
    ctx.reply(
        "\n".join(
            [
                _("Household checklist in the chat: {state}").format(
                    state=on if config.checklist_enabled else off
                ),
                _("Liên gia teams (tổ liên gia an toàn PCCC): {state}").format(
                    state=on if config.teams_enabled else off
                ),
            ]
        ),
        [
            Choice(
                _("Turn the checklist off") if config.checklist_enabled else _("Turn the checklist on"),
                Setting("checklist", not config.checklist_enabled),
            ),
            Choice(
                _("Turn liên gia teams off") if config.teams_enabled else _("Turn liên gia teams on"),
                Setting("teams", not config.teams_enabled),
            ),
        ],
    )


@router.choice(Setting)
async def on_setting(ctx: Context) -> None:
    pressed = Setting.read(ctx)
    if pressed is None:
        raise NotChosen()
    place = leader_place(await ctx.grants())
    if place is None or Role.WARD_ADMIN.value not in await ctx.roles():
        ctx.reply(_("Sorry, this is for the ward admin."))
        return
    ward_code = place[0]
    config = await ctx.session.get(FireSafetyWard, ward_code) or FireSafetyWard(ward_code=ward_code)
    if pressed.what == "checklist":
        config.checklist_enabled = pressed.on
    else:
        config.teams_enabled = pressed.on
    config.updated_by, config.updated_at = ctx.person_id, clock.now()
    ctx.session.add(config)
    ctx.audit(
        "firesafety.settings", "fire_safety_ward", str(ward_code), ward_code, what=pressed.what, on=pressed.on
    )
    await show_settings(ctx, ward_code)
