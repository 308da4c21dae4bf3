"""/diaban, adding and renaming: the name of a new area or group, or the new name of one, unique among its
siblings."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.flow import Outcome, finish, goto, retry
from bot.i18n import _
from bot.textnorm import fold
from handlers.places import names, store
from handlers.places.flows.places import flow, still_admin
from handlers.places.flows.places_pick import place_of
from models import Area, Group
from models.base import pk


@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    action = ctx.data["action"]
    place = await place_of(ctx) if action != "add_area" else None
    if action == "add_group" and place is not None:
        ctx.reply(_("Type the name of the new group of {area}, for example “Tổ 7”.").format(area=place.name))
    elif action == "rename" and place is not None:
        ctx.reply(_("It is now called “{name}”. Type its new name.").format(name=place.name))
    else:
        ctx.reply(_("Type the name of the new area, for example “Tổ dân phố 5” or “Thôn Đông”."))


# Typed where a name is asked, these are an answer, not a name: on Zalo, where the menu's "Xong" is typed, a group
# was named "xong" (or "ok", "không") after a name already taken was refused.
NOT_A_NAME = frozenset(
    {
        "xong", "xong roi", "ok", "oke", "okay", "roi", "khong", "ko", "k", "khong co", "khong them", "co",
        "dong y", "bo qua", "thoi khong them", "done", "no", "yes", "skip", "none",
    }
)  # fmt: skip


async def sibling_names(ctx: Context, groups: bool) -> list[str]:
    """Names of the places of the kind being named: the ward's groups, or its areas."""
    ward = ctx.data["ward"]
    if groups:
        return [g.name for g in await store.groups_of_ward(ctx.session, ward)]
    return [a.name for a in await store.areas_of_ward(ctx.session, ward)]


@flow.on("name")
async def on_name(ctx: Context) -> Outcome:
    typed = " ".join(ctx.event.text.split())
    if fold(typed) in NOT_A_NAME:
        ctx.reply(
            _("The name was not changed.")
            if ctx.data["action"] == "rename"
            else _("Nothing was added to the ward.")
        )
        return goto("menu")
    naming_group = ctx.data["action"] == "add_group" or ctx.data["kind"] == "group"
    if typed[:1].isdigit() and (
        bare := names.numbered(typed, await sibling_names(ctx, naming_group), "Tổ" if naming_group else None)
    ):
        typed = bare  # "3" is "Tổ 3", as the ward's other groups are written
    elif typed[:1].isdigit() and typed.isalnum():
        return retry(
            _(
                "Please type the whole name, with its kind: for example “Tổ dân phố {n}” or “Thôn {n}”."
            ).format(n=typed)
        )
    name = names.written(typed)
    longest = ctx.app.settings.places_name_max_length
    if not name or not fold(name):
        return retry(_("Please type the name in letters or digits."))
    if len(name) > longest:
        return retry(_("That name is longer than {max} characters; please shorten it.").format(max=longest))
    if not await still_admin(ctx):
        return finish()
    action, ward = ctx.data["action"], ctx.data["ward"]
    place = await place_of(ctx) if action != "add_area" else None
    if action != "add_area" and place is None:
        ctx.reply(_("That place no longer exists."))
        return goto("menu")
    if isinstance(place, Group):
        siblings_of: int | None = place.area_id
    elif action == "add_group" and place is not None:
        siblings_of = pk(place)
    else:
        siblings_of = None
    except_id = place.id if action == "rename" and place is not None else None
    if await store.name_taken(ctx.session, ward, name, area_id=siblings_of, except_id=except_id):
        return retry(
            _("There is already one called “{name}”. Please type another name.").format(name=name)
            + "\n"
            + _("(Or type “xong” to go back to the menu.)")
        )
    if action == "add_area":
        await store.add_area(ctx.session, ward, name, actor=ctx.person_id, source="chat")
        ctx.reply(_("Added the area “{name}”.").format(name=name))
    elif action == "add_group" and isinstance(place, Area):
        await store.add_group(ctx.session, place, name, actor=ctx.person_id, source="chat")
        await store.ask_ward_residents(ctx.session, ward)
        ctx.reply(_("Added the group “{name}” to {area}.").format(name=name, area=place.name))
    elif place is not None:
        old = place.name
        await store.rename(ctx.session, place, name, actor=ctx.person_id)
        ctx.reply(_("Renamed “{old}” to “{new}”.").format(old=old, new=name))
    return goto("menu")
