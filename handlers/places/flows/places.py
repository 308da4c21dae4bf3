"""/diaban: the ward admin's areas and groups — the command, the overview with households and residents, and the
menu. The form's other screens add their steps to `flow` from their own modules: choosing a place
(places_pick.py), adding and renaming (places_names.py), merging and retiring (places_merge.py), importing the
ward's list from a spreadsheet (places_import.py)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from bot.textnorm import fold
from handlers.places import store
from handlers.places.buttons import ManageWard, Menu, MenuAction, PlaceKind
from models import Role, RoleGrant, Ward
from models.base import pk

router = Router("places.places")
flow = Flow("places", steps=("menu", "kind", "pick", "name", "into", "confirm", "import"))

MAX_BUTTONS = 20  # more places than this are found by typing part of their name
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
    # The menu is where every change starts and ends: "quay lại" here has no question to go back to (the steps
    # before were of a change already made, their answers cleared above; going back to one failed).
    ctx.state.history = []
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


# What a ward admin types at the menu instead of a line's number (on Zalo, words are what one types): the verb says
# what to do, an area's or a group's word what to do it to, the rest which one ("xóa tổ 2", "đổi tên khu phố 3").
# Folded; longer phrases first. Before, each of these was answered "Vui lòng chọn một trong các mục".
VERBS: tuple[tuple[str, MenuAction], ...] = (
    ("nhap tu tep", "import"), ("sap nhap", "merge"), ("gop", "merge"), ("giai the", "retire"),
    ("xoa bo", "retire"), ("xoa", "retire"), ("loai bo", "retire"), ("doi ten", "rename"), ("sua ten", "rename"),
    ("cu to truong", "leader"), ("to truong", "leader"), ("duong dan", "links"), ("link", "links"),
    ("them", "add_area"), ("tao", "add_area"),
)  # fmt: skip
AREA_WORDS = ("khu vuc", "khu pho", "khu dan cu", "to dan pho", "thon", "ap", "khom", "xom", "ban", "khu")
FILLERS = frozenset({"cu", "cho", "cua", "mot", "moi"})


def typed_wish(text: str) -> tuple[MenuAction, str | None, str] | None:
    """(action, "area", "group" or None, the rest: a place's name) of words typed at the menu; None if no verb."""
    words = fold(text).split()
    for verb, action in VERBS:
        size = len(verb.split())
        at = next((i for i in range(len(words) - size + 1) if words[i : i + size] == verb.split()), None)
        if at is None:
            continue
        rest = [w for w in words[:at] + words[at + size :] if w not in FILLERS]
        named = " ".join(rest)
        if any(named == a or named.startswith(a + " ") for a in AREA_WORDS):
            kind: str | None = "area"
        elif rest[:1] == ["to"] or action in ("leader", "links"):
            kind = "group"
        else:
            kind = None
        if action == "add_area" and kind == "group":
            action = "add_group"
        return action, kind, named
    return None


@flow.on("menu", files=True)
async def on_menu(ctx: Context) -> Outcome:
    if ctx.event.kind == Kind.MEDIA and ctx.event.attachments:
        # A spreadsheet sent at the menu (the longer file, right after an import) can only be an import.
        return await flow.handlers["import"](ctx)
    pressed = Menu.read(ctx)
    if pressed is not None:
        return await menu_action(ctx, pressed.action)
    wish = typed_wish(ctx.event.text)
    if wish is None:
        raise NotChosen()
    action, kind, named = wish
    if action == "add_area" and kind is None:
        return retry(_("An area or a group? For example “thêm khu phố” or “thêm tổ”."))
    if action not in ("rename", "merge", "retire", "leader", "links") or kind is None:
        return await menu_action(ctx, action)
    if not await still_admin(ctx):
        return finish()
    from handlers.places.flows.places_pick import named_place  # it adds its steps to this flow: imported late

    ctx.data.update(action=action, kind=kind)
    return await named_place(ctx, named)


async def menu_action(ctx: Context, action: MenuAction) -> Outcome:
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
