"""/diaban: the ward admin's areas and groups — the list with households and residents, adding, renaming, merging
and retiring them, appointing group leaders, and importing the ward's list from a spreadsheet."""

from __future__ import annotations

import asyncio

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.invites import create
from bot.i18n import N_, _
from bot.textnorm import fold, matches
from handlers.places import importer, sheet, store
from handlers.places.buttons import ConfirmChange, ManageWard, Menu, PickPlace, PickTarget, PlaceKind
from handlers.places.texts import leader_invite_text, share_links, web_chat_url
from models import Area, Group, Role, RoleGrant, Ward
from models.base import pk

router = Router("places.places")
flow = Flow("places", steps=("menu", "kind", "pick", "name", "into", "confirm", "import"))

MAX_BUTTONS = 20  # more places than this are found by typing part of their name
MAX_MATCHES = 10
MAX_PROBLEMS_SHOWN = 25
MAX_GROUPS_LISTED = 200  # a bigger ward's overview names its areas only
TRANSIENT = ("action", "kind", "place", "into", "matches")


def admin_wards(grants: list[RoleGrant]) -> list[int]:
    return sorted({g.ward_code for g in grants if g.role == Role.WARD_ADMIN})


@router.command(
    "diaban",
    "places",
    help=N_("Set up your ward's areas and groups, their leaders and join links"),
    roles={Role.WARD_ADMIN.value},
)
async def places(ctx: Context) -> None:
    wards = admin_wards(await ctx.grants())
    if len(wards) == 1:
        ctx.begin("places", ward=wards[0])
        return
    choices = []
    for code in wards[:MAX_BUTTONS]:
        ward = await ctx.session.get(Ward, code)
        choices.append(Choice(ward.name if ward else str(code), ManageWard(code)))
    ctx.reply(_("Which ward?"), choices)


@router.choice(ManageWard)
async def on_ward(ctx: Context) -> None:
    pressed = ManageWard.read(ctx)
    if pressed is None or pressed.ward_code not in admin_wards(await ctx.grants()):
        raise NotChosen()
    ctx.begin("places", ward=pressed.ward_code)


async def still_admin(ctx: Context) -> bool:
    """Roles can change while a form is open: every change re-checks that the person still runs the ward."""
    if ctx.data.get("ward") in admin_wards(await ctx.grants()):
        return True
    ctx.reply(_("You no longer administer this ward, so nothing was changed."))
    return False


# The overview and the menu --------------------------------------------------------------------------------------
async def overview(ctx: Context) -> str:
    session, code = ctx.session, ctx.data["ward"]
    ward = await session.get(Ward, code)
    ward_name = ward.name if ward else str(code)
    areas = await store.areas_of_ward(session, code)
    groups = await store.groups_of_ward(session, code)
    if not areas:
        return _(
            "{ward} has no residential areas in An Dân yet. Add them one by one, or import the ward's list "
            "of areas and groups from a spreadsheet (CSV or Excel)."
        ).format(ward=ward_name)
    counts = await store.group_counts(session, code)
    empty = store.Counts()
    lines = [
        _("{ward}: {areas} areas, {groups} groups, {households} households, {residents} residents.").format(
            ward=ward_name,
            areas=len(areas),
            groups=len(groups),
            households=sum(counts.get(pk(g), empty).households for g in groups),
            residents=sum(counts.get(pk(g), empty).residents for g in groups),
        )
    ]
    for area in areas:
        own = [g for g in groups if g.area_id == area.id]
        lines.append(
            "• "
            + _("{area}: {groups} groups, {households} households, {residents} residents").format(
                area=area.name,
                groups=len(own),
                households=sum(counts.get(pk(g), empty).households for g in own),
                residents=sum(counts.get(pk(g), empty).residents for g in own),
            )
        )
        if own and len(groups) <= MAX_GROUPS_LISTED:
            lines.append(
                "   "
                + "; ".join(
                    _("{group} ({households} households, {residents} residents)").format(
                        group=g.name,
                        households=counts.get(pk(g), empty).households,
                        residents=counts.get(pk(g), empty).residents,
                    )
                    for g in own
                )
            )
    return "\n".join(lines)


@flow.ask("menu")
async def ask_menu(ctx: Context) -> None:
    for key in TRANSIENT:
        ctx.data.pop(key, None)
    areas = await store.areas_of_ward(ctx.session, ctx.data["ward"])
    groups = await store.groups_of_ward(ctx.session, ctx.data["ward"])
    choices = [Choice(_("Add an area"), Menu("add_area"))]
    if areas:
        choices += [
            Choice(_("Add a group"), Menu("add_group")),
            Choice(_("Rename"), Menu("rename")),
            Choice(_("Merge"), Menu("merge")),
            Choice(_("Retire"), Menu("retire")),
        ]
    if groups:
        choices += [
            Choice(_("Appoint a group leader"), Menu("leader")),
            Choice(_("Group join links"), Menu("links")),
        ]
    choices += [Choice(_("Import a file"), Menu("import")), Choice(_("Done"), Menu("done"))]
    ctx.reply(await overview(ctx) + "\n\n" + _("What do you want to do?"), choices)


@flow.on("menu")
async def on_menu(ctx: Context) -> Outcome:
    action = Menu.expect(ctx).action
    if action == "done":
        ctx.reply(_("Done."))
        return finish()
    if not await still_admin(ctx):
        return finish()
    ctx.data["action"] = action
    if action == "add_area":
        ctx.data["kind"] = "area"
        return goto("name")
    if action == "add_group":
        ctx.data["kind"] = "area"  # first the area the group belongs to
        return goto("pick")
    if action in ("leader", "links"):
        ctx.data["kind"] = "group"
        return goto("pick")
    if action == "import":
        return goto("import")
    return goto("kind")


@flow.ask("kind")
async def ask_kind(ctx: Context) -> None:
    question = {
        "rename": _("What do you want to rename?"),
        "merge": _("What do you want to merge into another?"),
        "retire": _("What do you want to retire?"),
    }[ctx.data["action"]]
    ctx.reply(question, [Choice(_("An area"), PlaceKind("area")), Choice(_("A group"), PlaceKind("group"))])


@flow.on("kind")
async def on_kind(ctx: Context) -> Outcome:
    ctx.data["kind"] = PlaceKind.expect(ctx).kind
    return goto("pick")


# Choosing an area or a group ----------------------------------------------------------------------------------
async def candidates(ctx: Context, exclude: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the active places of the kind in hand: areas, or groups labelled "Tổ 3, Khóm 2"."""
    ward = ctx.data["ward"]
    areas = await store.areas_of_ward(ctx.session, ward)
    if ctx.data["kind"] == "area":
        found = [(pk(a), a.name) for a in areas]
    else:
        names = {a.id: a.name for a in areas}
        found = [
            (pk(g), f"{g.name}, {names.get(g.area_id, '')}")
            for g in await store.groups_of_ward(ctx.session, ward)
        ]
    return [c for c in found if c[0] != exclude]


async def offer(
    ctx: Context, question: str, button: type[PickPlace] | type[PickTarget], exclude: int | None
) -> None:
    found = await candidates(ctx, exclude)
    shortlist = ctx.data.get("matches")
    if shortlist:
        found = [c for c in found if c[0] in shortlist]
    if len(found) <= MAX_BUTTONS:
        ctx.reply(question, [Choice(label[:60], button(place_id)) for place_id, label in found])
    else:
        ctx.reply(question + "\n" + _("Type part of its name."))


async def choose(
    ctx: Context, button: type[PickPlace] | type[PickTarget], exclude: int | None
) -> int | Outcome:
    """The place pressed, or typed (accents optional); or the Outcome that re-asks."""
    found = await candidates(ctx, exclude)
    pressed: Payload | None = button.read(ctx)
    if isinstance(pressed, PickPlace | PickTarget):
        if pressed.place_id in {c[0] for c in found}:
            ctx.data.pop("matches", None)
            return pressed.place_id
        return retry(_("That one no longer exists. Please choose again."))
    typed = ctx.event.text.strip()
    if not typed:
        raise NotChosen()
    hits = [c for c in found if fold(c[1]) == fold(typed)] or [c for c in found if matches(typed, fold(c[1]))]
    if len(hits) == 1:
        ctx.data.pop("matches", None)
        return hits[0][0]
    if not hits:
        ctx.data.pop("matches", None)
        return retry(_("Nothing here matches “{query}”.").format(query=typed[:60]))
    ctx.data["matches"] = [c[0] for c in hits[:MAX_MATCHES]]
    return retry(_("Several match; please choose one."))


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    action, kind = ctx.data["action"], ctx.data["kind"]
    questions = {
        ("rename", "area"): _("Which area do you want to rename?"),
        ("rename", "group"): _("Which group do you want to rename?"),
        ("merge", "area"): _("Which area goes into another one? It is retired, and its groups move."),
        ("merge", "group"): _(
            "Which group goes into another one? It is retired, and its households and people move."
        ),
        ("retire", "area"): _("Which area do you want to retire?"),
        ("retire", "group"): _("Which group do you want to retire?"),
        ("add_group", "area"): _("In which area is the new group?"),
        ("leader", "group"): _("Which group gets a leader?"),
        ("links", "group"): _("Which group's join links?"),
    }
    await offer(ctx, questions[(action, kind)], PickPlace, None)


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    chosen = await choose(ctx, PickPlace, None)
    if isinstance(chosen, Outcome):
        return chosen
    if not await still_admin(ctx):
        return finish()
    ctx.data["place"] = chosen
    action = ctx.data["action"]
    if action in ("rename", "add_group"):
        return goto("name")
    if action == "merge":
        return goto("into")
    if action == "retire":
        return goto("confirm")
    if action == "links":
        ctx.begin("places_link", group=chosen)
        return stay()
    return await appoint(ctx, chosen)


async def appoint(ctx: Context, group_id: int) -> Outcome:
    """A single-use group-leader invite for the group, shown with its code and links."""
    group = await ctx.session.get(Group, group_id)
    assert group is not None
    made = await create(
        ctx.session,
        ctx.app.keyring,
        ctx.app.settings,
        role=Role.GROUP_ADMIN.value,
        ward_code=group.ward_code,
        area_id=group.area_id,
        group_id=pk(group),
        created_by=ctx.person_id,
    )
    ctx.audit("invite.created", "invite", str(made.invite.id), group.ward_code, role=Role.GROUP_ADMIN.value)
    ctx.reply(leader_invite_text(ctx, await store.group_label(ctx.session, group), made.code, made.invite))
    return goto("menu")


async def place_of(ctx: Context, key: str = "place") -> Area | Group | None:
    """The place chosen earlier in the form, if it is still an active one of the ward."""
    place: Area | Group | None
    if ctx.data["kind"] == "area":
        place = await ctx.session.get(Area, ctx.data.get(key) or 0)
    else:
        place = await ctx.session.get(Group, ctx.data.get(key) or 0)
    if place is None or place.ward_code != ctx.data["ward"] or place.retired_at is not None:
        return None
    return place


# Adding and renaming ---------------------------------------------------------------------------------------------
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


@flow.on("name")
async def on_name(ctx: Context) -> Outcome:
    name = " ".join(ctx.event.text.split())
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
        return retry(_("There is already one called “{name}”. Please type another name.").format(name=name))
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


# Merging and retiring ---------------------------------------------------------------------------------------------
@flow.ask("into")
async def ask_into(ctx: Context) -> None:
    place = await place_of(ctx)
    name = place.name if place else ""
    question = (
        _("Into which area should {place} go?")
        if ctx.data["kind"] == "area"
        else _("Into which group should {place} go?")
    ).format(place=name)
    await offer(ctx, question, PickTarget, ctx.data.get("place"))


@flow.on("into")
async def on_into(ctx: Context) -> Outcome:
    chosen = await choose(ctx, PickTarget, ctx.data.get("place"))
    if isinstance(chosen, Outcome):
        return chosen
    ctx.data["into"] = chosen
    source, target = await place_of(ctx), await place_of(ctx, "into")
    if isinstance(source, Area) and isinstance(target, Area):
        clashes = await store.clashing_groups(ctx.session, source, target)
        if clashes:
            ctx.reply(
                _(
                    "Both areas have groups called {names}. Rename those of {source} first (Rename → A group), "
                    "then merge."
                ).format(names=", ".join(f"“{n}”" for n in clashes[:10]), source=source.name)
            )
            return goto("menu")
    return goto("confirm")


async def group_people(ctx: Context, group_ids: list[int]) -> tuple[int, int]:
    """(households, people) of these groups."""
    counts = await store.group_counts(ctx.session, ctx.data["ward"])
    people = {p.id for g in group_ids for p in await store.people_of_group(ctx.session, g)}
    return sum(counts.get(g, store.Counts()).households for g in group_ids), len(people)


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    place = await place_of(ctx)
    target = await place_of(ctx, "into") if ctx.data["action"] == "merge" else None
    if place is None:
        ctx.reply(_("That place no longer exists."), [Choice(_("Back"), ConfirmChange(False))])
        return
    own = (
        [pk(g) for g in await store.groups_of_ward(ctx.session, ctx.data["ward"]) if g.area_id == place.id]
        if isinstance(place, Area)
        else [pk(place)]
    )
    households, people = await group_people(ctx, own)
    if ctx.data["action"] == "retire" and isinstance(place, Area):
        text = _(
            "Retire {place}? Its {groups} groups are retired with it, and their {people} people are asked to "
            "choose their new group. Nothing is deleted: reports, pledges and households stay on record."
        ).format(place=place.name, groups=len(own), people=people)
    elif ctx.data["action"] == "retire":
        text = _(
            "Retire {place}? Its {people} people are asked to choose their new group. Its {households} "
            "households stay on record with it; if they now belong to another group, merge it instead."
        ).format(place=place.name, people=people, households=households)
    elif isinstance(place, Area):
        text = _(
            "Merge {place} into {target}? Its {groups} groups move to {target}, and {place} is retired."
        ).format(place=place.name, target=target.name if target else "", groups=len(own))
    else:
        text = _(
            "Merge {place} into {target}? Its {households} households and {people} people move to {target} "
            "(its leaders become residents there), and {place} is retired."
        ).format(place=place.name, target=target.name if target else "", households=households, people=people)
    ctx.reply(text, [Choice(_("Yes, go ahead"), ConfirmChange(True)), Choice(_("No"), ConfirmChange(False))])


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmChange.expect(ctx).yes:
        ctx.reply(_("Nothing was changed."))
        return goto("menu")
    if not await still_admin(ctx):
        return finish()
    place = await place_of(ctx)
    target = await place_of(ctx, "into") if ctx.data["action"] == "merge" else None
    if place is None or (ctx.data["action"] == "merge" and target is None):
        ctx.reply(_("That place no longer exists."))
        return goto("menu")
    if ctx.data["action"] == "retire" and isinstance(place, Area):
        groups, asked = await store.retire_area(ctx.session, place, actor=ctx.person_id)
        ctx.reply(
            _(
                "Retired {place} and its {groups} groups; {people} people were asked to choose their new group."
            ).format(place=place.name, groups=groups, people=asked)
        )
    elif ctx.data["action"] == "retire" and isinstance(place, Group):
        asked = await store.retire_group(ctx.session, place, actor=ctx.person_id)
        ctx.reply(
            _("Retired {place}; {people} people were asked to choose their new group.").format(
                place=place.name, people=asked
            )
        )
    elif isinstance(place, Area) and isinstance(target, Area):
        if await store.clashing_groups(ctx.session, place, target):
            ctx.reply(_("Both areas now have groups of the same name; nothing was changed."))
            return goto("menu")
        moved = await store.merge_areas(ctx.session, place, target, actor=ctx.person_id)
        ctx.reply(
            _("Merged {place} into {target}: {groups} groups moved.").format(
                place=place.name, target=target.name, groups=moved
            )
        )
    elif isinstance(place, Group) and isinstance(target, Group):
        done = await store.merge_groups(ctx.session, place, target, actor=ctx.person_id)
        text = _("Merged {place} into {target}: {households} households and {people} people moved.").format(
            place=place.name, target=target.name, households=done.households, people=done.people
        )
        if done.leaders:
            text += "\n" + _(
                "Its {n} leaders are now residents of {target}; appoint them again here if they should lead."
            ).format(n=done.leaders, target=target.name)
        ctx.reply(text)
    return goto("menu")


# Importing a file -------------------------------------------------------------------------------------------------
@flow.ask("import")
async def ask_import(ctx: Context) -> None:
    if ctx.event.channel.startswith("zalo"):
        ctx.reply(
            _(
                "Files cannot be sent to me on Zalo. Open the web chat at {url}, type /diaban there and send "
                "the file; or type /huy to stop."
            ).format(url=web_chat_url(ctx.app.settings))
        )
        return
    ctx.reply(
        _(
            "Send the spreadsheet (CSV or Excel .xlsx) of the ward's areas and groups: one line per group. The "
            "first row names the columns “area” and “group” (or “Khu vực/Tổ dân phố” and “Tổ”); “leader_name” "
            "and “leader_phone” are optional, and each group with a leader gets a leader invite. Areas and groups "
            "that already exist are left as they are. If any line has a problem, nothing is imported and I list "
            "the lines to fix."
        )
    )


@flow.on("import")
async def on_import(ctx: Context) -> Outcome:
    event = ctx.event
    if event.kind != Kind.MEDIA or not event.attachments:
        return retry(_("Please send the file itself (CSV or .xlsx), or type /huy to stop."))
    if not await still_admin(ctx):
        return finish()
    data = await ctx.download(event.attachments[0])
    ward = ctx.data["ward"]
    # Parsing a workbook is CPU work: off the event loop, so other conversations do not wait for it.
    parsed = await asyncio.to_thread(sheet.parse, data, sheet.Limits.of(ctx.app.settings), ward)
    if not parsed.problems:
        await importer.check(ctx.session, parsed, allowed_wards={ward})
    if parsed.problems:
        shown = parsed.problems[:MAX_PROBLEMS_SHOWN]
        lines = [importer.refused()]
        lines += [f"• {p.text()}" for p in shown]
        if len(parsed.problems) > len(shown):
            lines.append(_("… and {n} more problems.").format(n=len(parsed.problems) - len(shown)))
        ctx.reply("\n".join(lines))
        return stay()
    outcome = await importer.apply(
        ctx.session, ctx.app.keyring, ctx.app.settings, parsed.rows, actor=ctx.person_id
    )
    ctx.reply("\n".join(importer.summary(outcome)))
    for leader in outcome.leaders:
        assert leader.code is not None
        ctx.reply("\n".join([*importer.leader_lines(leader), *share_links(ctx, leader.code)]))
    return goto("menu")
