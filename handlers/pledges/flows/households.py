"""/hogiadinh: a group admin keeps the group's household list — list, add, edit, remove, import from a CSV or Excel
file. The ward admin keeps any group's list of the ward: the ward office holds them, and a group without a leader
yet has nobody else to enter it. Which group's list (the form's first question): household_groups.py."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.replies import Choice
from bot.core.router import Router
from bot.db import execute
from bot.i18n import N_, _
from bot.textnorm import fold, matches
from handlers.common import group_label, yes_no
from handlers.places.texts import zalo_file_text
from handlers.pledges import csvimport
from handlers.pledges.buttons import HouseholdMenu, PickHousehold, RemoveHousehold
from handlers.pledges.flows.join_requests import decision_choices, request_text
from handlers.pledges.store import admin_wards, keepable_groups, may_keep
from handlers.pledges.texts import household_label
from models import Household, Role
from models.pledges import HouseholdMember, PledgeSignature

router = Router("pledges.households")
flow = Flow("pledge_households", steps=("group", "menu", "add", "pick", "edit", "remove", "import"))
MAX_ERRORS_SHOWN = 25
MAX_MATCHES = 10


@router.command(
    "hogiadinh",
    "households",
    help=N_("Keep a group's household list (add, edit, import a CSV or Excel file)"),
    roles={Role.GROUP_ADMIN.value, Role.WARD_ADMIN.value},
)
async def households(ctx: Context) -> None:
    grants = await ctx.grants()
    if not await keepable_groups(ctx.session, grants):
        if admin_wards(grants):
            ctx.reply(
                _(
                    "Your ward has no groups yet, so there is no household list to keep. Add them with /diaban first."
                )
            )
        else:
            ctx.reply(_("Your role is not tied to a group, so there is no household list to keep."))
        return
    # The groups are looked up when asked, not listed here: a ward admin's ward has hundreds.
    ctx.begin("pledge_households")


async def group_households(ctx: Context) -> list[Household]:
    return list(
        (
            await ctx.session.exec(
                select(Household)
                .where(Household.group_id == ctx.data["group_id"])
                .order_by(col(Household.id))
            )
        ).all()
    )


async def still_kept(ctx: Context) -> bool:
    """Roles and groups change while a form is open (the ward merges or retires the group, a leader steps down):
    every change re-checks, and says so, rather than write to a group nobody sees any more."""
    if await may_keep(ctx.session, await ctx.grants(), ctx.data["group_id"]):
        return True
    ctx.reply(
        _(
            "{group} is no longer yours to keep (the ward has merged or retired it, or your role changed), so "
            "nothing was saved. Type /hogiadinh to see the groups you keep now."
        ).format(group=await group_label(ctx.session, ctx.data["group_id"]))
    )
    return False


async def pending_requests(ctx: Context) -> list[tuple[HouseholdMember, Household]]:
    rows = await ctx.session.exec(
        select(HouseholdMember, Household)
        .join(Household, col(Household.id) == col(HouseholdMember.household_id))
        .where(Household.group_id == ctx.data["group_id"], col(HouseholdMember.confirmed_at).is_(None))
        .order_by(col(HouseholdMember.id))
    )
    return list(rows.all())


@flow.ask("menu")
async def ask_menu(ctx: Context) -> None:
    # Every change starts and ends here: "quay lại" at the menu goes back to the choice of the group, if there was
    # one, not into the change just made (it asked for a household again).
    ctx.state.history = ["group"] if ctx.state.history[:1] == ["group"] else []
    count = len(await group_households(ctx))
    waiting = len(await pending_requests(ctx))
    choices = [
        Choice(_("Show the list"), HouseholdMenu("list")),
        Choice(_("Add a household"), HouseholdMenu("add")),
        Choice(_("Edit a household"), HouseholdMenu("edit")),
        Choice(_("Remove a household"), HouseholdMenu("remove")),
        Choice(_("Import a CSV or Excel file"), HouseholdMenu("import")),
    ]
    if waiting:
        choices.append(Choice(_("Requests to join ({n})").format(n=waiting), HouseholdMenu("pending")))
    ctx.reply(
        _("{group}: {n} households. What do you want to do?").format(
            group=await group_label(ctx.session, ctx.data["group_id"]), n=count
        ),
        [*choices, Choice(_("Done"), HouseholdMenu("done"))],
    )


@flow.on("menu", files=True)
async def on_menu(ctx: Context) -> Outcome:
    if ctx.event.kind == Kind.MEDIA and ctx.event.attachments:
        # A file sent at the menu (the corrected or longer list, right after an import) can only be the list.
        return await on_import(ctx)
    action = HouseholdMenu.expect(ctx).action
    if action == "list":
        rows = await group_households(ctx)
        member_counts = await linked_counts(ctx, [h.id or 0 for h in rows])
        lines = [
            _("{i}. {household} — {n} members, {linked} linked in the chat").format(
                i=i, household=household_label(h), n=h.members_count, linked=member_counts.get(h.id or 0, 0)
            )
            for i, h in enumerate(rows, 1)
        ]
        ctx.reply("\n".join(lines) or _("The list is empty."))
        return retry("")
    if action == "done":
        ctx.reply(_("Done."))
        return finish()
    if action == "pending":
        # The form ends here, so each request's buttons are answered by the join-request handler.
        for member, household in await pending_requests(ctx):
            ctx.reply(await request_text(ctx.session, member, household), decision_choices(member))
        return finish()
    if action in ("add", "import"):
        return goto(action)
    ctx.data["action"] = action  # "edit" or "remove"
    return goto("pick")


async def linked_counts(ctx: Context, ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func

    rows = await ctx.session.exec(
        select(HouseholdMember.household_id, func.count())
        .where(col(HouseholdMember.household_id).in_(ids), col(HouseholdMember.confirmed_at).is_not(None))
        .group_by(col(HouseholdMember.household_id))
    )
    return {hid: int(n) for hid, n in rows.all()}


def typed_household(text: str) -> tuple[csvimport.Row | None, list[str]]:
    parts = [p.strip() for p in text.split(";")]
    if len(parts) not in (2, 3):
        return None, [
            _("please separate the address, the head of household and the number of members with “;”")
        ]
    return csvimport.check_row(1, parts[0], parts[1], parts[2] if len(parts) == 3 else None)


async def address_taken(ctx: Context, address: str, except_id: int | None = None) -> bool:
    key = csvimport.address_key(address)
    return any(
        csvimport.address_key(h.address) == key and h.id != except_id for h in await group_households(ctx)
    )


@flow.ask("add")
async def ask_add(ctx: Context) -> None:
    ctx.reply(
        _(
            "Type the household as: address; head of household; number of members\n"
            "For example: Số 12, đường Lê Lợi; Nguyễn Văn An; 4"
        )
    )


@flow.on("add")
async def on_add(ctx: Context) -> Outcome:
    row, errors = typed_household(ctx.event.text)
    if row is None:
        return retry(_("That was not saved: {problems}.").format(problems="; ".join(errors)))
    if not await still_kept(ctx):
        return finish()
    if await address_taken(ctx, row.address):
        return retry(_("The group already has a household at “{address}”.").format(address=row.address))
    ctx.session.add(
        Household(
            group_id=ctx.data["group_id"],
            address=row.address,
            head_name=row.head_name,
            members_count=row.members,
        )
    )
    ctx.reply(
        _("Added: {address} — {head}, {n} members.").format(
            address=row.address, head=row.head_name, n=row.members
        )
    )
    return goto("menu")


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    ctx.reply(_("Which household? Type part of its address or the head's name."))


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    pressed = PickHousehold.read(ctx)
    rows = await group_households(ctx)
    if pressed is not None:
        chosen = next((h for h in rows if h.id == pressed.household_id), None)
        if chosen is None:
            raise NotChosen()
        ctx.data["household_id"] = chosen.id
        return goto(ctx.data["action"])
    found = [h for h in rows if ctx.event.text.strip() and matches(ctx.event.text, fold(household_label(h)))]
    if not found:
        return retry(_("No household of the group matches “{query}”.").format(query=ctx.event.text[:60]))
    ctx.reply(
        _("Choose the household:"),
        [Choice(household_label(h)[:60], PickHousehold(h.id or 0)) for h in found[:MAX_MATCHES]],
    )
    return stay()


@flow.ask("edit")
async def ask_edit(ctx: Context) -> None:
    household = await ctx.session.get(Household, ctx.data["household_id"])
    assert household is not None
    ctx.reply(
        _("Now: {line}\nType the corrected line (address; head of household; number of members).").format(
            line=f"{household.address}; {household.head_name}; {household.members_count}"
        )
    )


@flow.on("edit")
async def on_edit(ctx: Context) -> Outcome:
    household = await ctx.session.get(Household, ctx.data["household_id"])
    if household is None or household.group_id != ctx.data["group_id"]:
        return goto("menu")
    row, errors = typed_household(ctx.event.text)
    if row is None:
        return retry(_("That was not saved: {problems}.").format(problems="; ".join(errors)))
    if not await still_kept(ctx):
        return finish()
    if await address_taken(ctx, row.address, except_id=household.id):
        return retry(_("The group already has a household at “{address}”.").format(address=row.address))
    household.address, household.head_name, household.members_count = row.address, row.head_name, row.members
    ctx.session.add(household)
    ctx.reply(
        _("Saved: {address} — {head}, {n} members.").format(
            address=row.address, head=row.head_name, n=row.members
        )
    )
    return goto("menu")


@flow.ask("remove")
async def ask_remove(ctx: Context) -> None:
    household = await ctx.session.get(Household, ctx.data["household_id"])
    assert household is not None
    ctx.reply(
        _("Remove {household} from the list? Pledges it signed stay on record with its address.").format(
            household=household_label(household)
        ),
        yes_no(_("Remove"), _("Keep it"), RemoveHousehold),
    )


@flow.on("remove")
async def on_remove(ctx: Context) -> Outcome:
    answer = RemoveHousehold.expect(ctx)
    if answer.yes and not await still_kept(ctx):
        return finish()
    household = await ctx.session.get(Household, ctx.data["household_id"])
    if answer.yes and household is not None and household.group_id == ctx.data["group_id"]:
        await remove_household(ctx, household)
        ctx.reply(_("Removed."))
    return goto("menu")


async def remove_household(ctx: Context, household: Household) -> None:
    session = ctx.session
    await execute(session, delete(HouseholdMember).where(col(HouseholdMember.household_id) == household.id))
    # A signature is the campaign's record: it keeps the address it was signed for, without the household.
    await execute(
        session,
        update(PledgeSignature)
        .where(col(PledgeSignature.household_id) == household.id)
        .values(household_id=None, active_key=None),
    )
    ctx.audit("pledge.household_removed", "household", str(household.id), None, group=household.group_id)
    await session.delete(household)
    await session.flush()


@flow.ask("import")
async def ask_import(ctx: Context) -> None:
    if ctx.event.channel.startswith("zalo"):
        # Zalo cannot send files to a bot: the list is sent from the web chat (or typed here, one household each).
        there = _("There, type /hogiadinh, choose “{entry}” and send the file.")
        ctx.reply(zalo_file_text(ctx, there.format(entry=_("Import a CSV or Excel file"))))
        return
    ctx.reply(
        _(
            "Send the group's household list as a CSV file (UTF-8) or an Excel workbook (.xlsx). The first row "
            "names the columns: Địa chỉ; Chủ hộ; Số nhân khẩu. A household whose address is already on the list "
            "is updated; the others are added. If any row has a problem, nothing is imported and I list the "
            "lines to fix."
        )
    )


@flow.on("import", files=True)
async def on_import(ctx: Context) -> Outcome:
    event = ctx.event
    if event.kind != Kind.MEDIA or not event.attachments:
        return retry(_("Please send the list as a CSV or Excel file, or type /huy to stop."))
    if not await still_kept(ctx):
        return finish()
    attachment = event.attachments[0]
    data = await ctx.download(attachment)
    # Reading a workbook is CPU work: off the event loop, so other conversations do not wait for it.
    parsed = await asyncio.to_thread(csvimport.parse, data)
    if parsed.errors:
        shown = parsed.errors[:MAX_ERRORS_SHOWN]
        more = len(parsed.errors) - len(shown)
        lines = [_("Nothing was imported. Please fix these lines and send the whole file again:")]
        lines += [f"• {e}" for e in shown]
        if more:
            lines.append(_("… and {n} more problems.").format(n=more))
        ctx.reply("\n".join(lines))
        return stay()
    existing = {csvimport.address_key(h.address): h for h in await group_households(ctx)}
    added = updated = 0
    for row in parsed.rows:
        household = existing.get(csvimport.address_key(row.address))
        if household is None:
            ctx.session.add(
                Household(
                    group_id=ctx.data["group_id"],
                    address=row.address,
                    head_name=row.head_name,
                    members_count=row.members,
                )
            )
            added += 1
        elif (household.head_name, household.members_count) != (row.head_name, row.members):
            household.head_name, household.members_count = row.head_name, row.members
            ctx.session.add(household)
            updated += 1
    ctx.audit(
        "pledge.households_imported",
        "community_group",
        str(ctx.data["group_id"]),
        None,
        added=added,
        updated=updated,
    )
    ctx.reply(
        _(
            "Imported {rows} rows: {added} households added, {updated} updated. Households not in the file "
            "were kept; remove them one by one if they moved away."
        ).format(rows=len(parsed.rows), added=added, updated=updated)
    )
    return goto("menu")
