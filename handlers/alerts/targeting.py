"""Where and when an alert goes: scope (ward, areas, groups), now or later, then the preview and the confirmation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import select

from bot import clock
from bot.core.context import Context
from bot.core.flow import Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.directory.geo import areas_of, groups_of
from bot.i18n import _, fmt_datetime, zone
from bot.security import new_code
from handlers.alerts.base import compose
from handlers.alerts.delivery import release, store
from handlers.alerts.places import powers_of
from handlers.alerts.render import media, text
from handlers.common import group_label, pick_reason, picked
from models import Area, Group
from models.alerts import Alert

MAX_AHEAD = timedelta(days=60)
_WHEN = re.compile(r"^(?:(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s+)?(\d{1,2})\s*[:hg]\s*(\d{2})?$", re.I)


@compose.ask("scope")
async def ask_scope(ctx: Context) -> None:
    powers = powers_of(await ctx.grants())
    if powers is None or powers.role != "police":
        groups = powers.group_ids if powers else ()
        choices = [Choice(await group_label(ctx.session, g), f"scope:g:{g}") for g in groups]
        ctx.reply(_("The alert goes to the group you lead:"), choices)
        return
    ctx.reply(
        _("Who should receive it?"),
        [
            Choice(_("The whole ward"), "scope:ward"),
            Choice(_("Some residential areas"), "scope:areas"),
            Choice(_("Some groups"), "scope:groups"),
        ],
    )


@compose.on("scope")
async def on_scope(ctx: Context) -> Outcome:
    value = picked(ctx, "scope") or ""
    powers = powers_of(await ctx.grants())
    if powers is None:
        ctx.reply(_("Only group leaders and the ward police can send alerts."))
        return finish()
    if powers.role != "police":
        group_id = int(value[2:]) if value.startswith("g:") and value[2:].isdigit() else None
        if group_id not in powers.group_ids:
            return retry(_("You can send alerts only to the group you lead."))
        ctx.data.update(
            scope="groups", group_ids=[group_id], area_ids=[], issuer=await group_label(ctx.session, group_id)
        )
        return goto("when")
    if value not in ("ward", "areas", "groups"):
        return retry(pick_reason())
    ctx.data.update(scope=value, area_ids=[], group_ids=[], browse_area=None)
    return goto("when" if value == "ward" else value)


def ticked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


@compose.ask("areas")
async def ask_areas(ctx: Context) -> None:
    chosen = set(ctx.data["area_ids"])
    areas = await areas_of(ctx.session, ctx.data["ward_code"])
    choices = [Choice(ticked(a.name, a.id in chosen), f"area:{a.id}") for a in areas[:30]]
    choices.append(Choice(_("Done ({n} chosen)").format(n=len(chosen)), "area:done"))
    ctx.reply(_("Choose the areas (press again to remove one), then press Done."), choices)


@compose.on("areas")
async def on_areas(ctx: Context) -> Outcome:
    value = picked(ctx, "area") or ""
    if value == "done":
        return goto("when") if ctx.data["area_ids"] else retry(_("Please choose at least one area."))
    area = await ctx.session.get(Area, int(value)) if value.isdigit() else None
    if area is None or area.ward_code != ctx.data["ward_code"]:
        return retry(pick_reason())
    ids = ctx.data["area_ids"]
    ctx.data["area_ids"] = [i for i in ids if i != area.id] if area.id in ids else [*ids, area.id]
    return retry("")


@compose.ask("groups")
async def ask_groups(ctx: Context) -> None:
    chosen = set(ctx.data["group_ids"])
    done = Choice(_("Done ({n} chosen)").format(n=len(chosen)), "grp:done")
    if ctx.data.get("browse_area") is None:
        areas = await areas_of(ctx.session, ctx.data["ward_code"])
        ctx.reply(
            _("In which area are the groups?"), [*(Choice(a.name, f"grp:a{a.id}") for a in areas[:30]), done]
        )
        return
    groups = await groups_of(ctx.session, ctx.data["browse_area"])
    choices = [Choice(ticked(g.name, g.id in chosen), f"grp:{g.id}") for g in groups[:40]]
    ctx.reply(
        _("Choose the groups (press again to remove one), then press Done."),
        [*choices, Choice(_("Another area"), "grp:areas"), done],
    )


@compose.on("groups")
async def on_groups(ctx: Context) -> Outcome:
    value = picked(ctx, "grp") or ""
    if value == "done":
        return goto("when") if ctx.data["group_ids"] else retry(_("Please choose at least one group."))
    if value == "areas":
        ctx.data["browse_area"] = None
        return retry("")
    if value.startswith("a") and value[1:].isdigit():
        area = await ctx.session.get(Area, int(value[1:]))
        if area is None or area.ward_code != ctx.data["ward_code"]:
            return retry(pick_reason())
        ctx.data["browse_area"] = area.id
        return retry("")
    group = await ctx.session.get(Group, int(value)) if value.isdigit() else None
    if group is None or group.ward_code != ctx.data["ward_code"]:
        return retry(pick_reason())
    ids = ctx.data["group_ids"]
    ctx.data["group_ids"] = [i for i in ids if i != group.id] if group.id in ids else [*ids, group.id]
    return retry("")


@compose.ask("when")
async def ask_when(ctx: Context) -> None:
    ctx.reply(
        _("Send it now, or at a time you choose?"),
        [Choice(_("Send now"), "when:now"), Choice(_("Schedule"), "when:later")],
    )


@compose.on("when")
async def on_when(ctx: Context) -> Outcome:
    value = picked(ctx, "when")
    if value == "now":
        ctx.data["send_at"] = None
        return goto("preview")
    return goto("at") if value == "later" else retry(pick_reason())


def parse_when(typed: str, now: datetime) -> datetime | None:
    """ "25/11 18:30", "25/11/2026 18h30" or "18:30" (today, or tomorrow once past), in local time."""
    match = _WHEN.match(typed.strip())
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    here = now.astimezone(zone())
    try:
        year_n = int(year) + (2000 if len(year) == 2 else 0) if year else here.year
        base = here.replace(year=year_n, month=int(month), day=int(day)) if day else here
        moment = base.replace(hour=int(hour), minute=int(minute or 0), second=0, microsecond=0)
    except ValueError:
        return None
    if not day and moment <= here:
        moment += timedelta(days=1)
    elif day and not year and moment < here:
        moment = moment.replace(year=moment.year + 1)
    return moment.astimezone(now.tzinfo)


@compose.ask("at")
async def ask_at(ctx: Context) -> None:
    ctx.reply(_("Type the date and time to send it, e.g. 25/11 18:30 (or just 18:30 for the next one)."))


@compose.on("at")
async def on_at(ctx: Context) -> Outcome:
    now = clock.now()
    moment = parse_when(ctx.event.text, now)
    if moment is None:
        return retry(_("I could not read that time. Please type it like 25/11 18:30."))
    if moment <= now or moment > now + MAX_AHEAD:
        return retry(_("Please choose a time in the future, within 60 days."))
    ctx.data["send_at"] = moment.isoformat()
    return goto("preview")


async def scope_label(ctx: Context) -> str:
    data = ctx.data
    if data["scope"] == "ward":
        return _("the whole ward")
    if data["scope"] == "areas":
        names = (await ctx.session.exec(select(Area.name).where(Area.id.in_(data["area_ids"])))).all()  # type: ignore[union-attr]
        return ", ".join(sorted(names))
    return "; ".join([await group_label(ctx.session, g) for g in data["group_ids"]])


@compose.ask("preview")
async def ask_preview(ctx: Context) -> None:
    if ctx.data["author_role"] == "police" and not ctx.data.get("code"):
        code = new_code(groups=1, size=6)
        while (await ctx.session.exec(select(Alert.id).where(Alert.verification_code == code))).first():
            code = new_code(groups=1, size=6)
        ctx.data["code"] = code
    ctx.reply(text(ctx.data), media=media(ctx.data))
    when = (
        _("now") if not ctx.data.get("send_at") else fmt_datetime(datetime.fromisoformat(ctx.data["send_at"]))
    )
    ctx.reply(
        _(
            'Above is exactly what residents will see, with an "I have read this" button. '
            "It goes to {scope}, {when}. Send it?"
        ).format(scope=await scope_label(ctx), when=when),
        [Choice(_("Send"), "confirm:send"), Choice(_("Don't send"), "confirm:drop")],
    )


@compose.on("preview")
async def on_preview(ctx: Context) -> Outcome:
    value = picked(ctx, "confirm")
    if value == "drop":
        ctx.reply(_("Nothing was sent."))
        return finish()
    if value != "send":
        return retry(pick_reason())
    powers = powers_of(await ctx.grants())  # roles may have changed while the form was open
    allowed = (
        powers is not None
        and powers.role == ctx.data["author_role"]
        and powers.ward_code == ctx.data["ward_code"]
    )
    if powers is not None and powers.role != "police":
        allowed = allowed and set(ctx.data["group_ids"]) <= set(powers.group_ids)
    if not allowed:
        ctx.reply(_("You may no longer send alerts there. Nothing was sent."))
        return finish()
    send_at = datetime.fromisoformat(ctx.data["send_at"]) if ctx.data.get("send_at") else clock.now()
    alert = await store(ctx.session, ctx.data, ctx.person_id, send_at)
    ctx.audit(
        "alert.created", "alert", str(alert.id), alert.ward_code, scope=alert.scope, severity=alert.severity
    )
    if ctx.data.get("send_at"):
        ctx.reply(
            _("Scheduled for {when}. You can follow it or cancel it with /canhbao.").format(
                when=fmt_datetime(send_at)
            )
        )
        return finish()
    people, chats = await release(ctx.session, ctx.app.settings, alert)
    ctx.reply(
        _("Sent to {people} people and {chats} group chats. Follow the deliveries with /canhbao.").format(
            people=people, chats=chats
        )
    )
    return finish()
