"""/dangky: an area's "bản đăng ký" — its leader registers the area to be recognised as safe this year.

Who registers: the area leader (trưởng khu dân cư / trưởng khóm, ấp), who represents the whole area under
Circular 124; group admins lead only part of an area. A ward admin may register an area that has no leader in
the bot yet; the registration records who did it.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.geo import areas_of
from bot.i18n import N_, _, fmt_date, fmt_number
from handlers.common import yes_no
from handlers.pledges.buttons import ConfirmRegistration, RegisterArea
from handlers.pledges.store import campaign_of_year, covers, latest_campaign
from models import Area, Group, Household, Role
from models.pledges import PledgeAreaRegistration, PledgeCampaign

REGISTRARS = {Role.AREA_LEADER.value, Role.WARD_ADMIN.value}
router = Router("pledges.registration")
flow = Flow("pledge_register", steps=("area", "confirm"))


async def registrable(ctx: Context) -> list[tuple[Area, PledgeCampaign]]:
    """Areas this person may register, each with the campaign it would register for."""
    found: list[tuple[Area, PledgeCampaign]] = []
    for grant in await ctx.grants():
        if grant.role not in REGISTRARS:
            continue
        campaign = await latest_campaign(ctx.session, grant.ward_code)
        if campaign is None:
            continue
        if grant.role == Role.AREA_LEADER and grant.area_id is not None:
            areas = [a for a in [await ctx.session.get(Area, grant.area_id)] if a is not None]
        else:
            areas = await areas_of(ctx.session, grant.ward_code)
        found += [(a, campaign) for a in areas if covers(campaign, a.id or 0)]
    return found


@router.command(
    "dangky", "register", help=N_("Register your area for the year's pledge campaign"), roles=REGISTRARS
)
async def register(ctx: Context) -> None:
    options = await registrable(ctx)
    if not options:
        ctx.reply(
            _("There is no pledge campaign for your area yet. The ward admin opens it with /chiendich.")
        )
        return
    ctx.begin("pledge_register", options=[[a.id, c.id] for a, c in options])


@flow.ask("area")
async def ask_area(ctx: Context) -> None:
    options = ctx.data["options"]
    if len(options) == 1:
        ctx.data["pick"] = options[0]
        await ask_confirm(ctx)
        ctx.state.step = "confirm"
        return
    choices = []
    for area_id, _cid in options[:30]:
        area = await ctx.session.get(Area, area_id)
        choices.append(Choice(area.name if area else str(area_id), RegisterArea(area_id)))
    ctx.reply(_("Which area do you register?"), choices)


@flow.on("area")
async def on_area(ctx: Context) -> Outcome:
    area_id = RegisterArea.expect(ctx).area_id
    match = [o for o in ctx.data["options"] if o[0] == area_id]
    if not match:
        raise NotChosen()
    ctx.data["pick"] = match[0]
    return goto("confirm")


async def households_of_area(ctx: Context, area_id: int) -> int:
    return int(
        (
            await ctx.session.exec(
                select(func.count())
                .select_from(Household)
                .join(Group, col(Group.id) == col(Household.group_id))
                .where(Group.area_id == area_id)
            )
        ).one()
    )


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    area_id, campaign_id = ctx.data["pick"]
    area = await ctx.session.get(Area, area_id)
    campaign = await ctx.session.get(PledgeCampaign, campaign_id)
    assert area is not None and campaign is not None
    existing = (
        await ctx.session.exec(
            select(PledgeAreaRegistration).where(
                PledgeAreaRegistration.campaign_id == campaign_id, PledgeAreaRegistration.area_id == area_id
            )
        )
    ).first()
    if existing is not None:
        ctx.reply(
            _("{area} already registered for “{title}” on {date}.").format(
                area=area.name, title=campaign.title, date=fmt_date(existing.registered_at)
            )
        )
        ctx.end()
        return
    count = await households_of_area(ctx, area_id)
    ctx.reply(
        _(
            "REGISTRATION: {area} registers to be recognised as a residential area safe in security and "
            "order in {year}, and undertakes that all {n} of its households sign the pledge “{title}” "
            "by {end}. Register?"
        ).format(
            area=area.name,
            year=campaign.year,
            n=fmt_number(count),
            title=campaign.title,
            end=fmt_date(campaign.ends_on),
        ),
        yes_no(_("Register the area"), _("Cancel"), ConfirmRegistration),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmRegistration.expect(ctx).yes:
        ctx.reply(_("Nothing was registered."))
        return finish()
    area_id, campaign_id = ctx.data["pick"]
    campaign = await ctx.session.get(PledgeCampaign, campaign_id)
    assert campaign is not None
    if await campaign_of_year(ctx.session, campaign.ward_code, campaign.year) is None:
        return finish()
    row = PledgeAreaRegistration(
        campaign_id=campaign_id,
        area_id=area_id,
        registered_by=ctx.person_id,
        households=await households_of_area(ctx, area_id),
    )
    ctx.session.add(row)
    ctx.audit("pledge.area_registered", "area", str(area_id), campaign.ward_code, campaign=campaign_id)
    ctx.reply(_("Registered. Follow the signatures with /baophu."))
    return finish()
