"""/canhbao for residents: recent alerts of their place, newest first, searchable by a word; muting information."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.router import Router
from bot.i18n import N_, _, fmt_date
from bot.textnorm import fold, matches
from handlers.alerts.buttons import AlertsMenu
from handlers.alerts.flows.compose import begin
from handlers.alerts.flows.progress import show_progress
from handlers.alerts.places import concerning, place_of, powers_of
from handlers.alerts.texts import ICONS
from models.alerts import Alert, AlertStatus

router = Router("alerts.view")

LIST_SIZE = 10
SEARCH_WINDOW = 300  # newest alerts searched by a word
MUTE_WORDS = {"tatthongtin", "muteinfo", "tat thong tin"}
UNMUTE_WORDS = {"batthongtin", "unmuteinfo", "bat thong tin"}


@router.command(
    "canhbao", "alert", help=N_("Alerts for your place; leaders and police write and follow them here")
)
async def alerts(ctx: Context) -> None:
    args = ctx.event.args.strip()
    if fold(args) in MUTE_WORDS:
        await set_mute(ctx, True)
    elif fold(args) in UNMUTE_WORDS:
        await set_mute(ctx, False)
    elif args:
        await show_list(ctx, args)
    elif powers_of(await ctx.grants()) is not None:
        await show_progress(ctx)
    else:
        await show_list(ctx, None)


@router.command(
    "tatthongtin", "muteinfo", help=N_("Stop information-level alerts (urgent ones still arrive)")
)
async def mute(ctx: Context) -> None:
    await set_mute(ctx, True)


@router.command("batthongtin", "unmuteinfo", help=N_("Receive information-level alerts again"))
async def unmute(ctx: Context) -> None:
    await set_mute(ctx, False)


async def set_mute(ctx: Context, muted: bool) -> None:
    person = ctx.person
    assert person is not None
    person.mute_info_alerts = muted
    ctx.session.add(person)
    if muted:
        ctx.reply(
            _(
                "Done: you will no longer receive information-level alerts. Urgent and important alerts still "
                "arrive. Type /batthongtin to receive them again."
            )
        )
    else:
        ctx.reply(_("Done: you will receive information-level alerts again. Type /tatthongtin to stop them."))


@router.choice(AlertsMenu)
async def menu_choice(ctx: Context) -> None:
    value = AlertsMenu.expect(ctx).screen
    if value == "new":
        await begin(ctx)
    elif value == "mine" and powers_of(await ctx.grants()) is not None:
        await show_progress(ctx)
    else:
        await show_list(ctx, None)


async def show_list(ctx: Context, query: str | None) -> None:
    place = await place_of(ctx.session, await ctx.grants())
    if place is None:
        ctx.reply(_("Join your group first (type /start) to see the alerts of your place."))
        return
    statement = (
        select(Alert)
        .where(col(Alert.status) == AlertStatus.SENT, concerning(place))
        .order_by(col(Alert.released_at).desc(), col(Alert.id).desc())
    )
    if query is None:
        found = list((await ctx.session.exec(statement.limit(LIST_SIZE))).all())
    else:
        recent = (await ctx.session.exec(statement.limit(SEARCH_WINDOW))).all()
        found = [a for a in recent if matches(query, a.search_folded)][:LIST_SIZE]
    if not found:
        ctx.reply(
            _('No alert mentions "{query}".').format(query=query)
            if query
            else _("There are no alerts for your place yet.")
        )
        return
    head = (
        _('Alerts mentioning "{query}", newest first:').format(query=query)
        if query
        else _("Recent alerts for your place, newest first:")
    )
    lines = [head]
    for alert in found:
        body = alert.body if len(alert.body) <= 200 else alert.body[:200].rstrip() + "…"
        lines.append(
            f"\n{ICONS.get(alert.severity, '')} {fmt_date(alert.released_at or alert.send_at, 'short')} · "
            f"{alert.title}\n{body}"
        )
    lines.append("\n" + _("Search with /canhbao followed by a word, e.g. /canhbao otp."))
    ctx.reply("\n".join(lines))
