"""/baophu: coverage for group admins, area leaders, ward admins and police, with the unsigned list and exports."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.menu import command_payload, label_for
from bot.core.payloads import read_any
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.i18n import N_, _, fmt_date
from handlers.pledges import coverage, export
from handlers.pledges.buttons import Export, ExportYear
from handlers.pledges.coverage import Scope
from handlers.pledges.store import campaign_of_year, latest_campaign
from handlers.pledges.texts import bar
from models import Area, Group, Role, RoleGrant
from models.pledges import PledgeAreaRegistration, PledgeCampaign

LEADERS = {Role.GROUP_ADMIN.value, Role.AREA_LEADER.value, Role.WARD_ADMIN.value, Role.POLICE.value}
SHOWN_UNSIGNED = 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = Router("pledges.report")


def leader_scope(grants: list[RoleGrant]) -> Scope | None:
    """The widest place this person may see coverage of: ward (police, ward admin), area, or group."""
    for roles, level in (
        ({Role.WARD_ADMIN, Role.POLICE}, "ward"),
        ({Role.AREA_LEADER}, "area"),
        ({Role.GROUP_ADMIN}, "group"),
    ):
        for g in grants:
            if g.role in roles:
                if level == "ward":
                    return Scope(g.ward_code)
                if level == "area" and g.area_id is not None:
                    return Scope(g.ward_code, area_id=g.area_id)
                if level == "group" and g.group_id is not None:
                    return Scope(g.ward_code, group_id=g.group_id)
    return None


def typed_year(args: str) -> int | None:
    """ "/baophu 2026": the year asked for; None for the campaign under way."""
    word = args.strip()
    return int(word) if word.isdigit() and 2000 <= int(word) <= 2100 else None


async def scoped_campaign(ctx: Context, year: int | None = None) -> tuple[Scope, PledgeCampaign] | None:
    """The leader's place and the campaign of `year`, or the one leaders look at now (store.latest_campaign)."""
    scope = leader_scope(await ctx.grants())
    if scope is not None and year is not None:
        campaign = await campaign_of_year(ctx.session, scope.ward_code, year)
        if campaign is None:
            ctx.reply(_("Your ward had no pledge campaign for {year}.").format(year=year))
            return None
        return scope, campaign
    campaign = await latest_campaign(ctx.session, scope.ward_code) if scope else None
    if scope is None or campaign is None:
        text = _("There is no pledge campaign in your ward yet.")
        if scope is not None and Role.WARD_ADMIN.value in await ctx.roles():
            # The one who opens it: what to do next, not only what is missing.
            text += " " + _("Open the year's campaign with /chiendich.")
        ctx.reply(text)
        return None
    return scope, campaign


async def scope_name(ctx: Context, scope: Scope) -> str:
    if scope.group_id is not None:
        group = await ctx.session.get(Group, scope.group_id)
        area = await ctx.session.get(Area, group.area_id) if group else None
        return f"{group.name}, {area.name}" if group and area else ""
    if scope.area_id is not None:
        area = await ctx.session.get(Area, scope.area_id)
        return area.name if area else ""
    return _("the whole ward")


async def registered_areas(ctx: Context, campaign: PledgeCampaign) -> set[int]:
    rows = await ctx.session.exec(
        select(PledgeAreaRegistration.area_id).where(PledgeAreaRegistration.campaign_id == campaign.id)
    )
    return set(rows.all())


@router.command(
    "baophu",
    "coverage",
    help=N_("Pledge coverage: who has signed, who has not; a past year's with /baophu 2026"),
    roles=LEADERS,
)
async def show_coverage(ctx: Context) -> None:
    found = await scoped_campaign(ctx, typed_year(ctx.event.args))
    if found is None:
        return
    scope, campaign = found
    groups = await coverage.by_group(ctx.session, campaign, scope)
    counted = coverage.tally(groups)
    place = await scope_name(ctx, scope)
    lines = [
        _("“{title}” ({start} – {end}), {place}:").format(
            title=campaign.title,
            start=fmt_date(campaign.starts_on),
            end=fmt_date(campaign.ends_on),
            place=place,
        )
    ]
    households_entry = label_for(ctx.app.registry, "hogiadinh")
    if scope.group_id is not None and counted.groups and not counted.total:
        # The leader's own group has no list: nobody in it can link a household, so nobody can sign yet.
        lines += [
            _("{group} has no household list yet, so none of its households can sign the pledge.").format(
                group=place
            ),
            _(
                "Enter the list in “{entry}” (/hogiadinh): add the households one by one, or import them from a "
                "CSV file. Residents then find their household and sign."
            ).format(entry=households_entry),
        ]
        ctx.reply("\n".join(lines), [Choice(households_entry, command_payload("hogiadinh"))])
        return
    lines.append(headline(counted, campaign, place))
    if counted.unlisted and scope.group_id is None:
        if Role.WARD_ADMIN.value in await ctx.roles():
            # The ward admin may enter them too: a group without a leader yet has nobody else.
            unlisted = _(
                "⚠ {groups}, so the coverage of {place} is not known yet: their leaders, or you for a group "
                "without one, enter the list in “{entry}” (/hogiadinh)."
            )
        else:
            unlisted = _(
                "⚠ {groups}, so the coverage of {place} is not known yet: their leaders enter the list in "
                "“{entry}” (/hogiadinh)."
            )
        lines.append(
            unlisted.format(
                groups=coverage.unlisted_groups(counted.unlisted), place=place, entry=households_entry
            )
        )
    lines.append("")
    if scope.group_id is None:
        registered = await registered_areas(ctx, campaign)
        for area_id, name, area_tally in coverage.by_area_ids(groups):
            mark = _("registered") if area_id in registered else _("not registered yet")
            lines.append(f"{name} ({mark}): {coverage.share(area_tally)}")
        lines.append("")
        led = await groups_with_leader(ctx, [g.group_id for g in groups if not g.listed])
        for g in groups:
            # Nobody can enter a group's list before it has a leader: the one to appoint first.
            leaderless = "" if g.listed or g.group_id in led else _(", no group leader yet")
            lines.append(f"{g.group}, {g.area}: {coverage.share(g)}{leaderless}")
        lines.append("")
    unsigned = await coverage.households(ctx.session, campaign, scope, unsigned_only=True)
    if unsigned:
        lines.append(_("Not signed yet ({n}):").format(n=len(unsigned)))
        for h in unsigned[:SHOWN_UNSIGNED]:
            where = "" if scope.group_id is not None else f" ({h.group})"
            lines.append(f"• {h.address} — {h.head_name}{where}")
        if len(unsigned) > SHOWN_UNSIGNED:
            lines.append(_("… and {n} more: see the export.").format(n=len(unsigned) - SHOWN_UNSIGNED))
    elif counted.complete:
        lines.append(_("Every household has signed."))
    elif counted.total:
        lines.append(
            _("Every household on the lists has signed; {groups}.").format(
                groups=coverage.unlisted_groups(counted.unlisted)
            )
        )
    year = campaign.year
    ctx.reply(
        "\n".join(lines),
        [
            Choice(_("Export CSV"), ExportYear("csv", year)),
            Choice(_("Export Excel"), ExportYear("xlsx", year)),
        ],
    )


async def groups_with_leader(ctx: Context, group_ids: list[int]) -> set[int]:
    if not group_ids:
        return set()
    rows = await ctx.session.exec(
        select(RoleGrant.group_id).where(
            col(RoleGrant.group_id).in_(group_ids),
            RoleGrant.role == Role.GROUP_ADMIN,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return {g for g in rows.all() if g is not None}


def headline(counted: coverage.Tally, campaign: PledgeCampaign, place: str) -> str:
    """The first figure a leader reads: the share only when every group has its household list."""
    if not counted.groups:
        if campaign.area_ids:
            return _("This campaign does not include {place}.").format(place=place)
        return _("There are no groups here yet.")
    if not counted.total:
        return _("No group here has entered its household list yet.")
    if counted.known:
        return (
            _("{signed}/{total} households signed").format(signed=counted.signed, total=counted.total)
            + "  "
            + bar(counted.signed, counted.total)
        )
    return _(
        "{signed}/{total} households signed, in the {listed} of {groups} groups that have a household list"
    ).format(signed=counted.signed, total=counted.total, listed=counted.listed, groups=counted.groups)


@router.choice(Export)
async def on_export(ctx: Context) -> None:
    if not (await ctx.roles()) & LEADERS:
        ctx.reply(
            _("Sorry, the coverage list is for group leaders, area leaders, the ward admin and police.")
        )
        return
    pressed = read_any(ctx, ExportYear, Export)
    if not isinstance(pressed, ExportYear | Export):
        raise NotChosen()
    found = await scoped_campaign(ctx, pressed.year if isinstance(pressed, ExportYear) else None)
    if found is None:
        return
    scope, campaign = found
    lines = await coverage.households(ctx.session, campaign, scope)
    stem = f"cam-ket-{campaign.year}"
    # A ward's list may hold thousands of households: written off the event loop (the locale goes along).
    if pressed.format == "xlsx":
        data, mime, filename = (
            await asyncio.to_thread(export.to_xlsx, lines, str(campaign.year)),
            XLSX,
            stem + ".xlsx",
        )
    else:
        data, mime, filename = await asyncio.to_thread(export.to_csv, lines), "text/csv", stem + ".csv"
    ref = await ctx.app.media.put(data, mime, filename)
    ctx.audit("pledge.exported", "pledge_campaign", str(campaign.id), campaign.ward_code, rows=len(lines))
    signed = sum(1 for line in lines if line.signed_at is not None)
    ctx.reply(
        _("The list of {n} households ({signed} signed).").format(n=len(lines), signed=signed),
        media=(Media(kind="file", url=ref, filename=filename, caption=campaign.title),),
    )
