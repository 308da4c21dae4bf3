"""/chiendich: a ward admin opens the year's pledge campaign and edits its text (each edit is a new version)."""

from __future__ import annotations

import re
from datetime import date

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.geo import areas_of
from bot.directory.people import home_grant
from bot.i18n import N_, _, fmt_date
from bot.textnorm import fold
from handlers.common import yes_no
from handlers.pledges.buttons import (
    EditPledgeText,
    OpenCampaign,
    ScopeArea,
    ScopeDone,
    ShowPledgeText,
    UseSuggestedDates,
    UseSuggestedText,
    UseSuggestedTitle,
    WholeWard,
)
from handlers.pledges.store import campaign_of_year, current_version, target_year
from handlers.pledges.texts import default_text, default_title
from models import Area, Role
from models.pledges import PledgeCampaign, PledgeVersion

ADMINS = {Role.WARD_ADMIN.value}
MAX_TITLE = 200
_DATES = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")

router = Router("pledges.campaigns")

opening = Flow("pledge_campaign", steps=("title", "text", "dates", "scope", "confirm"))
editing = Flow("pledge_text", steps=("text",))


async def ward_of(ctx: Context) -> int | None:
    grant = home_grant([g for g in await ctx.grants() if g.role == Role.WARD_ADMIN])
    return grant.ward_code if grant else None


@router.command(
    "chiendich", "campaign", help=N_("Open or edit the year's household pledge campaign"), roles=ADMINS
)
async def campaign(ctx: Context) -> None:
    ward = await ward_of(ctx)
    assert ward is not None  # the command is for ward admins only
    year = target_year()
    found = await campaign_of_year(ctx.session, ward, year)
    if found is None:
        ctx.begin("pledge_campaign", ward=ward, year=year)
        return
    version = await current_version(ctx.session, found.id or 0)
    ctx.reply(
        await summary(ctx, found, version),
        [
            Choice(_("Edit the pledge text"), EditPledgeText(found.id or 0)),
            Choice(_("Show the pledge text"), ShowPledgeText(found.id or 0)),
        ],
    )


async def summary(ctx: Context, found: PledgeCampaign, version: PledgeVersion) -> str:
    if found.area_ids:
        names = [a.name for a in await areas_of(ctx.session, found.ward_code) if a.id in found.area_ids]
        scope = ", ".join(names)
    else:
        scope = _("the whole ward")
    return _(
        "Campaign “{title}”: {start} – {end}, for {scope}. Pledge text version {version}. "
        "Coverage: /baophu. Areas register with /dangky."
    ).format(
        title=found.title,
        start=fmt_date(found.starts_on),
        end=fmt_date(found.ends_on),
        scope=scope,
        version=version.number,
    )


@router.choice(EditPledgeText)
async def on_campaign_choice(ctx: Context) -> None:
    pressed = EditPledgeText.read(ctx) or ShowPledgeText.read(ctx)
    if pressed is None:
        raise NotChosen()
    found = await ctx.session.get(PledgeCampaign, pressed.campaign_id)
    if found is None or found.ward_code != await ward_of(ctx):
        ctx.reply(_("Sorry, this is for the ward admin of that campaign."))
        return
    version = await current_version(ctx.session, found.id or 0)
    if isinstance(pressed, ShowPledgeText):
        ctx.reply(_("Pledge text, version {n}:").format(n=version.number) + "\n\n" + version.text)
    else:
        ctx.begin("pledge_text", campaign_id=found.id)


# Opening -------------------------------------------------------------------------------------------------
@opening.ask("title")
async def ask_title(ctx: Context) -> None:
    title = default_title(ctx.data["year"], ctx.app.settings.default_locale)
    ctx.reply(
        _(
            "Let's open the household pledge campaign for {year}. What is its title? Type it, or use the "
            "suggested one: “{title}”."
        ).format(year=ctx.data["year"], title=title),
        [Choice(_("Use the suggested title"), UseSuggestedTitle())],
    )


@opening.on("title")
async def on_title(ctx: Context) -> Outcome:
    if UseSuggestedTitle.read(ctx) is not None:
        ctx.data["title"] = default_title(ctx.data["year"], ctx.app.settings.default_locale)
    elif ctx.event.text.strip() and not ctx.event.choice:
        title = " ".join(ctx.event.text.split())
        if len(title) > MAX_TITLE:
            return retry(_("That title is too long (at most {max} characters).").format(max=MAX_TITLE))
        ctx.data["title"] = title
    else:
        return retry(_("Please type a title or press the suggested one."))
    return goto("text")


@opening.ask("text")
async def ask_text(ctx: Context) -> None:
    ctx.reply(
        _("This is the suggested pledge text, drawn from the five criteria of Circular 124/2021/TT-BCA:")
    )
    ctx.reply(default_text(ctx.app.settings.default_locale))
    ctx.reply(
        _(
            "Use it, or type your own text in one message. Once opened, the text households sign is frozen: "
            "an edit makes a new version and signatures keep theirs."
        ),
        [Choice(_("Use the suggested text"), UseSuggestedText())],
    )


def typed_text(ctx: Context) -> str | None:
    text = ctx.event.text.strip()
    return text if text and not ctx.event.choice and len(text) >= 40 else None


@opening.on("text")
async def on_text(ctx: Context) -> Outcome:
    if UseSuggestedText.read(ctx) is not None:
        ctx.data["text"] = default_text(ctx.app.settings.default_locale)
    elif (text := typed_text(ctx)) is not None:
        ctx.data["text"] = text
    else:
        return retry(
            _("A pledge text needs at least a few sentences. Type it, or press “Use the suggested text”.")
        )
    return goto("dates")


@opening.ask("dates")
async def ask_dates(ctx: Context) -> None:
    year = ctx.data["year"]
    start, end = date(year, 1, 1), date(year, 3, 31)
    ctx.reply(
        _(
            "When may households sign? Type two dates like 1/1/{year} - 31/3/{year}, or keep the first "
            "quarter."
        ).format(year=year),
        [
            Choice(
                _("{start} – {end}").format(start=fmt_date(start), end=fmt_date(end))[:60],
                UseSuggestedDates(),
            )
        ],
    )


def typed_dates(text: str) -> tuple[date, date] | None:
    """ "1/1/2027 - 31/3/2027" (or with dots or dashes) → the two dates; None when they are not two real dates."""
    found = _DATES.findall(text)
    if len(found) != 2:
        return None
    try:
        start, end = (date(int(y), int(m), int(d)) for d, m, y in found)
    except ValueError:
        return None
    return start, end


@opening.on("dates")
async def on_dates(ctx: Context) -> Outcome:
    year = ctx.data["year"]
    if UseSuggestedDates.read(ctx) is not None:
        start, end = date(year, 1, 1), date(year, 3, 31)
    else:
        dates = typed_dates(ctx.event.text)
        if dates is None:
            return retry(
                _("Please type two dates as day/month/year, for example 1/1/{year} - 31/3/{year}.").format(
                    year=year
                )
            )
        start, end = dates
        if end < start:
            return retry(_("The end date is before the start date. Please type them again."))
    ctx.data["starts_on"], ctx.data["ends_on"] = start.isoformat(), end.isoformat()
    ctx.data.setdefault("areas", [])
    return goto("scope")


@opening.ask("scope")
async def ask_scope(ctx: Context) -> None:
    chosen = set(ctx.data.get("areas", []))
    areas = await areas_of(ctx.session, ctx.data["ward"])
    choices = [Choice(_("The whole ward"), WholeWard())]
    choices += [Choice(("✓ " if a.id in chosen else "") + a.name, ScopeArea(a.id or 0)) for a in areas[:30]]
    if chosen:
        choices.append(Choice(_("Done: only the ticked areas"), ScopeDone()))
    ctx.reply(_("For the whole ward, or only some areas? Press areas to tick them, then “Done”."), choices)


@opening.on("scope")
async def on_scope(ctx: Context) -> Outcome:
    match read_any(ctx, WholeWard, ScopeDone, ScopeArea):
        case WholeWard():
            ctx.data["areas"] = []
            return goto("confirm")
        case ScopeDone() if ctx.data.get("areas"):
            return goto("confirm")
        case ScopeArea(area_id=area_id):
            area = await ctx.session.get(Area, area_id)
            if area is not None and area.ward_code == ctx.data["ward"]:
                chosen = set(ctx.data.get("areas", [])) ^ {area.id}
                ctx.data["areas"] = sorted(chosen)
                return retry("")
    raise NotChosen()


@opening.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    d = ctx.data
    if d["areas"]:
        names = [a.name for a in await areas_of(ctx.session, d["ward"]) if a.id in d["areas"]]
        scope = ", ".join(names)
    else:
        scope = _("the whole ward")
    ctx.reply(
        _("Open “{title}” from {start} to {end} for {scope}?").format(
            title=d["title"],
            start=fmt_date(date.fromisoformat(d["starts_on"])),
            end=fmt_date(date.fromisoformat(d["ends_on"])),
            scope=scope,
        ),
        yes_no(_("Open the campaign"), _("Cancel"), OpenCampaign),
    )


@opening.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not OpenCampaign.expect(ctx).yes:
        ctx.reply(_("Nothing was opened."))
        return finish()
    d = ctx.data
    if await campaign_of_year(ctx.session, d["ward"], d["year"]) is not None:
        ctx.reply(
            _("A campaign for {year} already exists; type /chiendich to see it.").format(year=d["year"])
        )
        return finish()
    row = PledgeCampaign(
        ward_code=d["ward"],
        year=d["year"],
        title=d["title"],
        starts_on=date.fromisoformat(d["starts_on"]),
        ends_on=date.fromisoformat(d["ends_on"]),
        area_ids=list(d["areas"]),
        created_by=ctx.person_id,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.session.add(
        PledgeVersion(campaign_id=row.id or 0, number=1, text=d["text"], created_by=ctx.person_id)
    )
    ctx.audit("pledge.campaign_opened", "pledge_campaign", str(row.id), row.ward_code, year=row.year)
    ctx.reply(
        _(
            "The campaign is open. Residents sign with /camket; group leaders keep their household lists "
            "with /hogiadinh; area leaders register their area with /dangky; everyone with a role sees "
            "coverage with /baophu."
        )
    )
    return finish()


# Editing the text ----------------------------------------------------------------------------------------
@editing.ask("text")
async def ask_new_text(ctx: Context) -> None:
    ctx.reply(
        _(
            "Type the new pledge text in one message. Households that already signed keep the version "
            "they signed; new signatures use the new one."
        )
    )


@editing.on("text")
async def on_new_text(ctx: Context) -> Outcome:
    text = typed_text(ctx)
    if text is None:
        return retry(_("A pledge text needs at least a few sentences."))
    found = await ctx.session.get(PledgeCampaign, ctx.data["campaign_id"])
    if found is None or found.ward_code != await ward_of(ctx):
        ctx.reply(_("Sorry, this is for the ward admin of that campaign."))
        return finish()
    previous = await current_version(ctx.session, found.id or 0)
    if fold(previous.text) == fold(text):
        ctx.reply(_("That is the same text as version {n}; nothing was changed.").format(n=previous.number))
        return finish()
    version = PledgeVersion(
        campaign_id=found.id or 0, number=previous.number + 1, text=text, created_by=ctx.person_id
    )
    ctx.session.add(version)
    ctx.audit("pledge.text_edited", "pledge_campaign", str(found.id), found.ward_code, version=version.number)
    ctx.reply(
        _("Saved as version {n}. Signatures already given keep version {old}.").format(
            n=version.number, old=previous.number
        )
    )
    return finish()
