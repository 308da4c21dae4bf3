"""Public fire points ("điểm chữa cháy công cộng"): the ward admin registers each (its area, place, what it holds,
its keeper); the keeper confirms the monthly check with a button; leaders see each point's last check and the
overdue ones."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, or_, select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.delivery.outbox import enqueue_to_people
from bot.i18n import _, fmt_date
from bot.textnorm import fold
from handlers.common import yes_no
from handlers.firesafety.buttons import (
    CheckPoint,
    ConfirmPoint,
    NewPoint,
    PointArea,
    PointKeeper,
    RetirePoint,
    RetirePointSure,
)
from handlers.firesafety.store import last_checks, month_key, today
from models import Area, Group, Person, Role, RoleGrant
from models.fire_safety import FirePoint, FirePointCheck

router = Router("firesafety.points")
flow = Flow("firesafety_point", steps=("area", "place", "holds", "keeper", "confirm"))
note_flow = Flow("firesafety_point_note", steps=("note",))
SHOWN = 40


def overdue(point: FirePoint, last: FirePointCheck | None, days: int) -> bool:
    since = last.checked_at if last is not None else point.created_at
    return clock.now() - since > timedelta(days=days)


def check_text(point: FirePoint, last: FirePointCheck | None, days: int) -> str:
    if last is None:
        state = _("never checked")
    elif last.ok:
        state = _("checked on {date}, all in order").format(date=fmt_date(last.checked_at))
    else:
        state = _("checked on {date}, needs repair: {note}").format(
            date=fmt_date(last.checked_at), note=last.note or "—"
        )
    if overdue(point, last, days):
        state += " " + _("(overdue)")
    return state


async def show(ctx: Context, ward_code: int, area_id: int | None) -> None:
    query = (
        select(FirePoint, Area.name)
        .join(Area, col(Area.id) == col(FirePoint.area_id))
        .where(FirePoint.ward_code == ward_code, col(FirePoint.retired_at).is_(None))
    )
    if area_id is not None:
        query = query.where(FirePoint.area_id == area_id)
    rows = (await ctx.session.exec(query.order_by(col(FirePoint.area_id), col(FirePoint.id)))).all()
    checks = await last_checks(ctx.session, [p.id or 0 for p, _a in rows])
    days = ctx.app.settings.firesafety_point_overdue_days
    keepers = {
        p.id: p.display_name
        for p in (
            await ctx.session.exec(
                select(Person).where(col(Person.id).in_([p.keeper_person_id for p, _a in rows]))
            )
        ).all()
    }
    late = sum(1 for p, _a in rows if overdue(p, checks.get(p.id or 0), days))
    lines = [_("Public fire points: {n}, overdue for a check: {late}").format(n=len(rows), late=late)]
    for point, area in rows[:SHOWN]:
        lines.append(
            _("• {place} ({area}) — {holds}; keeper {keeper}; {state}").format(
                place=point.place,
                area=area,
                holds=point.holds,
                keeper=keepers.get(point.keeper_person_id) or "—",
                state=check_text(point, checks.get(point.id or 0), days),
            )
        )
    choices: list[Choice] = []
    if any(g.role == Role.WARD_ADMIN.value for g in await ctx.grants()):
        choices.append(Choice(_("Register a fire point"), NewPoint()))
        choices += [
            Choice(_("Take off: {place}").format(place=p.place)[:60], RetirePoint(p.id or 0))
            for p, _a in rows[:SHOWN]
        ]
    ctx.reply("\n".join(lines), choices)


async def show_kept(ctx: Context, kept: list[FirePoint]) -> None:
    """A keeper's points, each with its check buttons."""
    checks = await last_checks(ctx.session, [p.id or 0 for p in kept])
    days = ctx.app.settings.firesafety_point_overdue_days
    for point in kept:
        ctx.reply(
            _("Fire point you keep: {place} — {holds}; {state}").format(
                place=point.place, holds=point.holds, state=check_text(point, checks.get(point.id or 0), days)
            ),
            check_choices(point),
        )


def check_choices(point: FirePoint) -> list[Choice]:
    return [
        Choice(_("Checked: all in order"), CheckPoint(point.id or 0, True)),
        Choice(_("Something needs repair"), CheckPoint(point.id or 0, False)),
    ]


async def ward_admin_ward(ctx: Context) -> int | None:
    return next((g.ward_code for g in await ctx.grants() if g.role == Role.WARD_ADMIN.value), None)


@router.choice(NewPoint)
async def on_new(ctx: Context) -> None:
    ward_code = await ward_admin_ward(ctx)
    if ward_code is None:
        ctx.reply(_("Sorry, this is for the ward admin."))
        return
    ctx.begin("firesafety_point", ward_code=ward_code)


@flow.ask("area")
async def ask_area(ctx: Context) -> None:
    areas = (
        await ctx.session.exec(
            select(Area)
            .where(Area.ward_code == ctx.data["ward_code"], col(Area.retired_at).is_(None))
            .order_by(col(Area.id))
        )
    ).all()
    ctx.reply(
        _("In which residential area is the fire point?"),
        [Choice(a.name[:60], PointArea(a.id or 0)) for a in areas[:60]],
    )


@flow.on("area")
async def on_area(ctx: Context) -> Outcome:
    area = await ctx.session.get(Area, PointArea.expect(ctx).area_id)
    if area is None or area.ward_code != ctx.data["ward_code"] or area.retired_at is not None:
        raise NotChosen()
    ctx.data["area_id"] = area.id
    return goto("place")


def typed_text(ctx: Context) -> str | Outcome:
    text = " ".join(ctx.event.text.split())
    longest = ctx.app.settings.firesafety_text_max_length
    if ctx.event.choice or not text:
        raise NotChosen()
    if len(text) > longest:
        return retry(_("Please keep it under {n} characters ({m} now).").format(n=longest, m=len(text)))
    return text


@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    ctx.reply(_("Where is it? For example “Đầu hẻm 5, cạnh cột điện số 12”."))


@flow.on("place")
async def on_place(ctx: Context) -> Outcome:
    text = typed_text(ctx)
    if isinstance(text, Outcome):
        return text
    ctx.data["place"] = text
    return goto("holds")


@flow.ask("holds")
async def ask_holds(ctx: Context) -> None:
    ctx.reply(_("What does it hold? For example “2 bình bột 8 kg, 1 bình CO₂, 1 thang, 1 xà beng”."))


@flow.on("holds")
async def on_holds(ctx: Context) -> Outcome:
    text = typed_text(ctx)
    if isinstance(text, Outcome):
        return text
    ctx.data["holds"] = text
    return goto("keeper")


@flow.ask("keeper")
async def ask_keeper(ctx: Context) -> None:
    ctx.reply(
        _(
            "Who keeps it and checks it every month? Type part of their name (they must use An Dân in this area)."
        )
    )


async def area_people(ctx: Context, typed: str) -> list[Person]:
    """People with a role in the area (or one of its groups) whose name contains what was typed."""
    groups = select(Group.id).where(Group.area_id == ctx.data["area_id"])
    rows = await ctx.session.exec(
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            col(RoleGrant.revoked_at).is_(None),
            or_(col(RoleGrant.area_id) == ctx.data["area_id"], col(RoleGrant.group_id).in_(groups)),
        )
        .distinct()
        .order_by(col(Person.id))
    )
    return [p for p in rows.all() if typed in fold(p.display_name or "")][:10]


@flow.on("keeper", names=True)
async def on_keeper(ctx: Context) -> Outcome:
    pressed = PointKeeper.read(ctx)
    if pressed is not None:
        if pressed.person_id not in ctx.data.get("matches", []):
            raise NotChosen()
        ctx.data["keeper"] = pressed.person_id
        return goto("confirm")
    typed = fold(ctx.event.text)
    if ctx.event.choice or len(typed) < 2:
        return retry(_("Please type at least two letters of the keeper's name."))
    found = await area_people(ctx, typed)
    if not found:
        return retry(
            _("Nobody of this area using An Dân has that name. Please try another part of the name.")
        )
    ctx.data["matches"] = [p.id for p in found]
    ctx.reply(
        _("Which person?"), [Choice((p.display_name or "—")[:60], PointKeeper(p.id or 0)) for p in found]
    )
    return stay()


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    keeper = await ctx.session.get(Person, ctx.data["keeper"])
    area = await ctx.session.get(Area, ctx.data["area_id"])
    ctx.reply(
        _("Register the fire point “{place}” ({area}), holding {holds}, kept by {keeper}?").format(
            place=ctx.data["place"],
            area=area.name if area else "",
            holds=ctx.data["holds"],
            keeper=(keeper.display_name if keeper else None) or "—",
        ),
        yes_no(_("Register it"), _("Cancel"), ConfirmPoint),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not ConfirmPoint.expect(ctx).yes:
        ctx.reply(_("Nothing was registered."))
        return finish()
    point = FirePoint(
        ward_code=ctx.data["ward_code"],
        area_id=ctx.data["area_id"],
        place=ctx.data["place"],
        holds=ctx.data["holds"],
        keeper_person_id=ctx.data["keeper"],
        created_by=ctx.person_id,
        created_at=clock.now(),
    )
    ctx.session.add(point)
    await ctx.session.flush()
    ctx.audit("firesafety.point_registered", "fire_point", str(point.id), point.ward_code)
    ctx.reply(_("Registered. Its keeper will be reminded every month to check it and confirm here."))
    return finish()


@router.choice(RetirePoint)
@router.choice(RetirePointSure)
async def on_retire(ctx: Context) -> None:
    # Taking a point off stops its keeper's monthly checks: asked once more, a slip of the finger costs nothing.
    pressed = read_any(ctx, RetirePoint, RetirePointSure)
    point_id = pressed.point_id if isinstance(pressed, (RetirePoint, RetirePointSure)) else 0
    point = await ctx.session.get(FirePoint, point_id)
    if point is None or point.retired_at is not None:
        raise NotChosen()
    if await ward_admin_ward(ctx) != point.ward_code:
        ctx.reply(_("Sorry, this is for the ward admin."))
        return
    if isinstance(pressed, RetirePoint):
        ctx.reply(
            _("Take “{place}” off the register? Its keeper will no longer be asked to check it.").format(
                place=point.place
            ),
            yes_no(_("Yes, take it off"), _("No, keep it"), RetirePointSure, point_id=point_id),
        )
        return
    if isinstance(pressed, RetirePointSure) and not pressed.yes:
        ctx.reply(_("“{place}” stays on the register.").format(place=point.place))
        return
    point.retired_at = clock.now()
    ctx.session.add(point)
    ctx.audit("firesafety.point_retired", "fire_point", str(point.id), point.ward_code)
    ctx.reply(_("“{place}” was taken off the register; its checks stay on record.").format(place=point.place))


@router.choice(CheckPoint)
async def on_check(ctx: Context) -> None:
    pressed = CheckPoint.read(ctx)
    point = await ctx.session.get(FirePoint, pressed.point_id) if pressed else None
    if pressed is None or point is None or point.retired_at is not None:
        raise NotChosen()
    if ctx.person is None or point.keeper_person_id != ctx.person_id:
        ctx.reply(_("Only the fire point's keeper can confirm its check."))
        return
    if not pressed.ok:
        ctx.begin("firesafety_point_note", point_id=point.id)
        return
    save_check(ctx, point, ok=True, note=None)
    ctx.reply(
        _("Thank you: the check of {month} is recorded, all in order.").format(month=month_key(today()))
    )


def save_check(ctx: Context, point: FirePoint, *, ok: bool, note: str | None) -> None:
    ctx.session.add(
        FirePointCheck(
            point_id=point.id or 0,
            month=month_key(today()),
            ok=ok,
            note=note,
            checked_by=ctx.person_id,
            checked_at=clock.now(),
        )
    )
    ctx.audit("firesafety.point_checked", "fire_point", str(point.id), point.ward_code, ok=ok)


@note_flow.ask("note")
async def ask_note(ctx: Context) -> None:
    ctx.reply(_("What is missing or needs repair? Write it in a few words."))


@note_flow.on("note")
async def on_note(ctx: Context) -> Outcome:
    text = typed_text(ctx)
    if isinstance(text, Outcome):
        return text
    point = await ctx.session.get(FirePoint, ctx.data["point_id"])
    if point is None or point.keeper_person_id != ctx.person_id:
        ctx.reply(_("Only the fire point's keeper can confirm its check."))
        return finish()
    save_check(ctx, point, ok=False, note=text)
    await tell_ward_admins(ctx, point, text)
    ctx.reply(
        _(
            "Thank you: the check is recorded with what needs repair; the ward sees it in the list of fire points."
        )
    )
    return finish()


async def tell_ward_admins(ctx: Context, point: FirePoint, note: str) -> None:
    """A fire point that needs repair is the ward's to fix: its admins hear of it (through the outbox)."""
    admins = (
        await ctx.session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(
                RoleGrant.role == Role.WARD_ADMIN.value,
                RoleGrant.ward_code == point.ward_code,
                col(RoleGrant.revoked_at).is_(None),
            )
            .distinct()
        )
    ).all()
    place = point.place

    def render() -> Reply:
        return Reply(
            _("The keeper of the public fire point “{place}” reports that it needs repair: {note}").format(
                place=place, note=note
            )
        )

    await enqueue_to_people(
        ctx.session,
        list(admins),
        render,
        kind="notice",
        source_kind="firesafety_point_repair",
        source_id=str(point.id),
    )
