"""/hogiadinh's first question, which group's household list: a group admin's own group goes straight to the
list; a ward admin keeps any group of the ward (hundreds), chosen by a button or found by typing its name and its
area's as people say them ("to 3 khom 2")."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Outcome, goto, retry
from bot.core.replies import Choice
from bot.i18n import _
from bot.textnorm import fold, matches
from handlers.pledges.buttons import PickGroup
from handlers.pledges.flows.households import MAX_MATCHES, ask_menu, flow
from handlers.pledges.store import keepable_groups
from models import Area

MAX_BUTTONS = 20  # more groups than this (a ward admin's) are found by typing their name


async def group_choices(ctx: Context) -> list[tuple[int, str]]:
    """(id, "Tổ 3, Khóm 2") of the groups whose list this person may keep now."""
    groups = await keepable_groups(ctx.session, await ctx.grants())
    areas = {
        a.id: a.name
        for a in (
            await ctx.session.exec(select(Area).where(col(Area.id).in_({g.area_id for g in groups})))
        ).all()
    }
    return [(g.id or 0, f"{g.name}, {areas[g.area_id]}" if g.area_id in areas else g.name) for g in groups]


@flow.ask("group")
async def ask_group(ctx: Context) -> None:
    found = await group_choices(ctx)
    shortlist = ctx.data.get("matches")
    if shortlist:
        found = [c for c in found if c[0] in shortlist]
    if len(found) == 1 and not shortlist:
        ctx.data["group_id"] = found[0][0]
        ctx.state.step = "menu"
        await ask_menu(ctx)
        return
    if len(found) > MAX_BUTTONS:
        ctx.reply(_("Which group? Type its name and its area's, for example “Tổ 3, Khóm 2”."))
        return
    ctx.reply(_("Which group?"), [Choice(label[:60], PickGroup(group_id)) for group_id, label in found])


@flow.on("group")
async def on_group(ctx: Context) -> Outcome:
    found = await group_choices(ctx)
    pressed = PickGroup.read(ctx)
    typed = ctx.event.text.strip()
    if pressed is not None:
        hits = [c for c in found if c[0] == pressed.group_id]
    elif typed:
        # Typed as a person says it ("to 3 khom 2", accents optional): the exact name first, else every group
        # whose name and area start with the words typed.
        hits = [c for c in found if fold(c[1]) == fold(typed)] or [
            c for c in found if matches(typed, fold(c[1]))
        ]
    else:
        raise NotChosen()
    if pressed is not None and not hits:
        raise NotChosen()
    if not hits:
        ctx.data.pop("matches", None)
        return retry(_("No group of yours matches “{query}”.").format(query=typed[:60]))
    if len(hits) > 1:
        ctx.data["matches"] = [c[0] for c in hits[:MAX_MATCHES]]
        return retry(_("Several groups match; please choose one."))
    ctx.data.pop("matches", None)
    ctx.data["group_id"] = hits[0][0]
    return goto("menu")
