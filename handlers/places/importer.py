"""Applying a checked list of areas, groups and group leaders (read by handlers/places/sheet.py) to a ward: checked
against the database first, then applied all at once or not at all.

Places are matched within a ward by `bot.textnorm.place_key` (accents, case, spacing and a number's leading zeros aside,
as the chat's "Thêm tổ" compares them), so importing the same file again creates nothing, a file that adds lines
adds only those, and a line that names a place already there otherwise ("Tổ 01" for "Tổ 1") is said to be taken
as it. A line with a leader gets a single-use group-leader invite, unless the group already has one that is open
or used. Nothing here talks to a chat: the CLI (`andan places import`) and /diaban
both check, apply and summarise with these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.directory.invites import create
from bot.i18n import N_, _, fmt_date
from bot.security import Keyring
from bot.settings import Settings
from bot.textnorm import place_key
from handlers.places import store
from handlers.places.names import written
from handlers.places.sheet import Parsed, Problem, Row
from models import Area, Group, Role, Ward
from models.base import pk


# Checking against the database -----------------------------------------------------------------------------
async def check(session: AsyncSession, parsed: Parsed, allowed_wards: set[int] | None = None) -> None:
    """Problems only the database knows: ward codes that do not exist (or are not the importer's), and places
    the ward has retired (importing an old list must not quietly bring them back)."""
    codes = {row.ward_code for row in parsed.rows}
    known = (
        set((await session.exec(select(Ward.code).where(col(Ward.code).in_(codes)))).all())
        if codes
        else set()
    )
    kept: list[Row] = []
    for row in parsed.rows:
        if row.ward_code not in known:
            parsed.problem(row.line, N_("no commune or ward has the code {code}"), code=row.ward_code)
        elif allowed_wards is not None and row.ward_code not in allowed_wards:
            parsed.problem(
                row.line, N_("the ward code {code} is not the ward you manage"), code=row.ward_code
            )
        else:
            kept.append(row)
    for ward in sorted({row.ward_code for row in kept}):
        areas = await store.areas_of_ward(session, ward, retired=True)
        key = place_key
        active = {key(a.name): a for a in areas if a.retired_at is None}
        retired = {key(a.name): a for a in areas if a.retired_at is not None}
        groups = await store.groups_of_ward(session, ward, retired=True)
        retired_groups = {(g.area_id, key(g.name)): g for g in groups if g.retired_at is not None}
        active_groups = {(g.area_id, key(g.name)) for g in groups if g.retired_at is None}
        for row in (r for r in kept if r.ward_code == ward):
            area_key, group_key = key(row.area), key(row.group)
            area = active.get(area_key)
            if area is None and area_key in retired:
                parsed.problem(
                    row.line,
                    N_(
                        "the area “{area}” was retired on {date}; remove the line or give the area another name"
                    ),
                    area=row.area,
                    date=fmt_date(_retired(retired[area_key])),
                )
            elif area is not None and (pk(area), group_key) not in active_groups:
                gone = retired_groups.get((pk(area), group_key))
                if gone is not None:
                    parsed.problem(
                        row.line,
                        N_(
                            "the group “{group}” of “{area}” was retired on {date}; remove the line or give the "
                            "group another name"
                        ),
                        group=row.group,
                        area=row.area,
                        date=fmt_date(_retired(gone)),
                    )


def _retired(place: Area | Group) -> datetime:
    assert place.retired_at is not None
    return place.retired_at


# Planning and applying -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaderInvite:
    name: str
    phone: str | None
    place: str  # "Tổ 3, Khóm 2"
    code: str | None  # None in a dry run
    expires_at: datetime | None = None


@dataclass
class Outcome:
    areas_created: int = 0
    areas_unchanged: int = 0
    groups_created: int = 0
    groups_unchanged: int = 0
    leaders: list[LeaderInvite] = field(default_factory=list)
    leaders_kept: list[str] = field(default_factory=list)  # groups whose leader invite is open or used
    taken_as: list[Problem] = field(default_factory=list)  # lines whose names were taken as another spelling

    @property
    def changed(self) -> bool:
        return bool(self.areas_created or self.groups_created or self.leaders)


async def apply(
    session: AsyncSession,
    keyring: Keyring,
    settings: Settings,
    rows: list[Row],
    *,
    actor: int | None,
    dry_run: bool = False,
) -> Outcome:
    """Create what the checked rows add, in the caller's transaction (the caller commits, or rolls back on a dry
    run); every creation is audited. Returns the counts, and the leader invites made (their codes shown once)."""
    outcome = Outcome()
    now = clock.now()
    for ward in sorted({row.ward_code for row in rows}):
        key = place_key
        areas = {key(a.name): a for a in await store.areas_of_ward(session, ward)}
        groups = {(g.area_id, key(g.name)): g for g in await store.groups_of_ward(session, ward)}
        counted_areas: set[str] = set()
        made_on: dict[str, int] = {}  # area key → the line that made the area in this import
        for row in (r for r in rows if r.ward_code == ward):
            area_key = key(row.area)
            area = areas.get(area_key)
            if area is None:
                area = await store.add_area(session, ward, row.area, actor=actor, source="import")
                areas[area_key] = area
                made_on[area_key] = row.line
                outcome.areas_created += 1
                counted_areas.add(area_key)
            elif area_key not in counted_areas:
                outcome.areas_unchanged += 1
                counted_areas.add(area_key)
            group = groups.get((pk(area), key(row.group)))
            if group is None:
                group = await store.add_group(session, area, row.group, actor=actor, source="import")
                groups[(pk(area), key(group.name))] = group
                outcome.groups_created += 1
                _taken_as(outcome, row, area, None, made_on.get(area_key))
            else:
                outcome.groups_unchanged += 1
                _taken_as(outcome, row, area, group, made_on.get(area_key))
            if row.leader_name is None:
                continue
            place = f"{group.name}, {area.name}"
            if await store.leader_invite_taken(session, pk(group)):
                outcome.leaders_kept.append(place)
                continue
            if dry_run:
                outcome.leaders.append(LeaderInvite(row.leader_name, row.leader_phone, place, None))
                continue
            made = await create(
                session,
                keyring,
                settings,
                role=Role.GROUP_ADMIN.value,
                ward_code=ward,
                area_id=pk(area),
                group_id=pk(group),
                created_by=actor,
            )
            store.audit(
                session,
                actor,
                "invite.created",
                "invite",
                str(made.invite.id),
                ward,
                role=Role.GROUP_ADMIN.value,
                source="import",
            )
            outcome.leaders.append(
                LeaderInvite(row.leader_name, row.leader_phone, place, made.code, made.invite.expires_at)
            )
    if outcome.groups_created and not dry_run:
        for ward in sorted({row.ward_code for row in rows}):
            await store.ask_ward_residents(session, ward)
    if outcome.changed and not dry_run:
        for ward in sorted({row.ward_code for row in rows}):
            store.audit(
                session,
                actor,
                "places.imported",
                "ward",
                str(ward),
                ward,
                areas_created=outcome.areas_created,
                groups_created=outcome.groups_created,
                leader_invites=len(outcome.leaders),
                at=now.isoformat(),
            )
    return outcome


MAX_TAKEN_AS_SHOWN = 25


def _taken_as(outcome: Outcome, row: Row, area: Area, group: Group | None, made_on: int | None) -> None:
    """Say that a line's names were taken as another spelling of a place (not "To 3" written "Tổ 3", as the chat
    writes it too): its area, made on an earlier line or already there, or the group already there."""
    typed_area = written(row.typed_area or row.area)
    typed_group = written(row.typed_group or row.group)
    if group is not None and (typed_group, typed_area) != (group.name, area.name):
        typed, name = (
            f"{row.typed_group or row.group}, {row.typed_area or row.area}",
            f"{group.name}, {area.name}",
        )
    elif typed_area != area.name:
        typed, name = row.typed_area or row.area, area.name
    else:
        return
    if made_on is not None and made_on != row.line:
        message = N_("“{typed}” is taken as “{name}” of line {first}")
    else:
        message = N_("“{typed}” is taken as “{name}”, already there")
    outcome.taken_as.append(Problem(row.line, message, {"typed": typed, "name": name, "first": made_on}))


# What to tell the importer ---------------------------------------------------------------------------------
def refused() -> str:
    return _("Nothing was imported. Please fix these lines and send the whole file again:")


def summary(outcome: Outcome, dry_run: bool = False) -> list[str]:
    """The counts, in the current language (the leader invites are listed by the caller, with their links)."""
    lines: list[str] = []
    if dry_run:
        lines.append(_("Dry run: nothing was written. Importing this file would make these changes:"))
    if not outcome.changed:
        lines.append(
            _("Nothing changed: the {areas} areas and {groups} groups of the file are already there.").format(
                areas=outcome.areas_unchanged, groups=outcome.groups_unchanged
            )
        )
    else:
        lines.append(
            _("Areas: {created} created, {unchanged} unchanged.").format(
                created=outcome.areas_created, unchanged=outcome.areas_unchanged
            )
        )
        lines.append(
            _("Groups: {created} created, {unchanged} unchanged.").format(
                created=outcome.groups_created, unchanged=outcome.groups_unchanged
            )
        )
    if outcome.leaders_kept:
        lines.append(
            _(
                "{n} groups already have a leader invite that is open or used, so no new one was made: {groups}"
            ).format(n=len(outcome.leaders_kept), groups="; ".join(outcome.leaders_kept[:20]))
        )
    if outcome.leaders and dry_run:
        lines.append(_("Leader invites to make: {n}.").format(n=len(outcome.leaders)))
    if outcome.taken_as:
        lines.append(
            _(
                "Names written otherwise than on an earlier line, or than in An Dân, were taken as the same place:"
            )
        )
        lines += [f"  {note.text()}" for note in outcome.taken_as[:MAX_TAKEN_AS_SHOWN]]
        if len(outcome.taken_as) > MAX_TAKEN_AS_SHOWN:
            lines.append(_("… and {n} more lines.").format(n=len(outcome.taken_as) - MAX_TAKEN_AS_SHOWN))
    return lines


def leader_lines(leader: LeaderInvite) -> list[str]:
    """ "Nguyễn Văn An (0912 345 678), leader of Tổ 3, Khóm 2: code ABCD-EFGH-JKMN", and until when it works, in
    the current language."""
    who = f"{leader.name} ({leader.phone})" if leader.phone else leader.name
    lines = [_("{who}, leader of {place}: code {code}").format(who=who, place=leader.place, code=leader.code)]
    if leader.expires_at is not None:
        lines.append(_("It works once, until {date}.").format(date=fmt_date(leader.expires_at)))
    return lines
