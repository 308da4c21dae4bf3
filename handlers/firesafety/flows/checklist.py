"""The household's yearly fire-safety checklist: a member answers each item (with the ward's advice beside it),
reads the answers back and signs; signing again the same year replaces the answers and keeps the old ones.

Reached from /pccc, from the button offered after the pledge is signed, and from plain words ("bình chữa cháy").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.db import execute
from bot.i18n import _, fmt_date
from handlers.common import yes_no
from handlers.firesafety import answers, texts
from handlers.firesafety.buttons import Answer, DateUnknown, PickHousehold, SignChecklist, StartChecklist
from handlers.firesafety.dates import BadDate, read_label_date
from handlers.firesafety.store import (
    checklist_due,
    current_checklist,
    is_member,
    today,
    ward_config,
    ward_of_household,
)
from handlers.pledges.flows.membership import start_join
from handlers.pledges.store import my_households
from handlers.pledges.texts import household_label
from models import Household
from models.fire_safety import FireSafetyChecklist

router = Router("firesafety.checklist")
flow = Flow(
    "firesafety_check",
    steps=(
        "household",
        "extinguisher",
        "expiry",
        "smoke_alarm",
        "escape",
        "electrical",
        "gas",
        "gas_use",
        "shop",
        "second_exit",
        "confirm",
    ),
)
LONGEST_LABEL_YEARS = 10  # an extinguisher label further ahead than this is a typing mistake


async def start(ctx: Context, household_id: int | None = None) -> None:
    """Open the checklist for the person's household (the one pressed, or the one they belong to)."""
    households = await my_households(ctx.session, ctx.person_id)
    if not households:
        if await my_households(ctx.session, ctx.person_id, confirmed=False):
            ctx.reply(
                _(
                    "Your group leader has not yet confirmed the household you asked to join. You can fill in the "
                    "fire-safety checklist once they do."
                )
            )
            return
        ctx.reply(_("To fill in the fire-safety checklist, you must first be linked to your household."))
        await start_join(ctx)
        return
    if household_id is not None:
        households = [h for h in households if h.id == household_id]
        if not households:
            ctx.reply(_("That household is not yours, so its checklist cannot be filled in by you."))
            return
    year = today().year
    shown = False
    for household in households:
        done = await current_checklist(ctx.session, household.id or 0, year)
        if done is not None and household_id is None:
            shown = True
            ctx.reply(
                "\n".join(
                    [
                        _(
                            "The household {household} filled in the fire-safety checklist for {year} on {date}:"
                        ).format(
                            household=household_label(household), year=year, date=fmt_date(done.signed_at)
                        ),
                        *texts.summary(done),
                    ]
                ),
                [Choice(_("Update the answers"), StartChecklist(household.id or 0))],
            )
    wanted = [h for h in households if household_id is not None or await checklist_due(ctx.session, h)]
    if household_id is not None:
        ward_code = await ward_of_household(ctx.session, households[0])
        if ward_code is None or not (await ward_config(ctx.session, ward_code)).checklist_enabled:
            wanted = []
    if not wanted:
        if not shown:
            ctx.reply(_("Your ward does not use the fire-safety checklist in the chat at the moment."))
        return
    ctx.begin("firesafety_check", households=[h.id for h in wanted])


@router.choice(StartChecklist)
async def on_start(ctx: Context) -> None:
    pressed = StartChecklist.read(ctx)
    if pressed is None or ctx.person is None:
        raise NotChosen()
    await start(ctx, pressed.household_id)


def ask_item(item: str, choices: list[Choice]) -> Callable[[Context], Awaitable[None]]:
    async def ask(ctx: Context) -> None:
        ward_code = ctx.data["ward_code"]
        advice = await texts.advice(ctx.session, ward_code, item)
        ctx.reply(_(texts.QUESTIONS[item]) + "\n\n💡 " + advice, choices)

    return ask


def yes_no_item(item: str) -> list[Choice]:
    return [Choice(_("Yes"), Answer(item, "yes")), Choice(_("No"), Answer(item, "no"))]  # type: ignore[arg-type]


def typed(ctx: Context) -> str | None:
    """The words typed, when they are neither a button pressed nor one's number or label typed."""
    return ctx.event.text if ctx.event.kind == Kind.TEXT and not ctx.event.choice else None


def pressed_answer(ctx: Context, item: str) -> str:
    pressed = Answer.expect(ctx)
    if pressed.item != item:
        raise NotChosen()
    return pressed.answer


def answer(ctx: Context, item: str) -> str:
    """ "yes" or "no" to a yes/no item: a button, or the person's own words ("hổng có bình", "có gắn rồi"), read
    before the buttons' labels are; words read as neither ask the same question again."""
    words = typed(ctx)
    said = answers.reading(item, words) if words is not None else None
    return said if said is not None else pressed_answer(ctx, item)


@flow.ask("household")
async def ask_household(ctx: Context) -> None:
    rows = [await ctx.session.get(Household, hid) for hid in ctx.data["households"]]
    found = [h for h in rows if h is not None]
    if not found:  # removed from the group's list meanwhile
        ctx.reply(_("You are no longer linked to that household, so nothing was kept."))
        ctx.end()
        return
    if len(found) == 1:
        await chosen(ctx, found[0])
        ctx.state.step = "extinguisher"
        await flow.asks["extinguisher"](ctx)
        return
    ctx.reply(
        _("Which household is the checklist for?"),
        [Choice(household_label(h)[:60], PickHousehold(h.id or 0)) for h in found],
    )


async def chosen(ctx: Context, household: Household) -> None:
    ctx.data["household_id"] = household.id
    ctx.data["ward_code"] = await ward_of_household(ctx.session, household)
    ctx.reply(
        _(
            "Fire-safety checklist (PCCC) of {year} for the household {household}: a few questions, each with a "
            "short piece of advice from the ward. Type /huy to stop at any time."
        ).format(year=today().year, household=household_label(household))
    )


@flow.on("household")
async def on_household(ctx: Context) -> Outcome:
    pressed = PickHousehold.expect(ctx)
    household = await ctx.session.get(Household, pressed.household_id)
    if household is None or household.id not in ctx.data["households"]:
        raise NotChosen()
    await chosen(ctx, household)
    return goto("extinguisher")


flow.ask("extinguisher")(ask_item("extinguisher", yes_no_item("extinguisher")))


@flow.on("extinguisher")
async def on_extinguisher(ctx: Context) -> Outcome:
    ctx.data["has_extinguisher"] = answer(ctx, "extinguisher") == "yes"
    if ctx.data["has_extinguisher"]:
        return goto("expiry")
    ctx.data["expires_on"] = None
    return goto("smoke_alarm")


@flow.ask("expiry")
async def ask_expiry(ctx: Context) -> None:
    ctx.reply(
        _(
            "Until when is it valid? Type the refill or expiry date on its label, for example 12/2027 or 31/12/2027."
        ),
        [Choice(_("I cannot read the date now"), DateUnknown())],
    )


def check_date(ctx: Context) -> str | Outcome:
    """The typed date as ISO text, or the retry that says why it was not taken."""
    try:
        day = read_label_date(ctx.event.text)
    except BadDate as bad:
        if str(bad) == "no_year":
            return retry(_("Please type the month and the year too, for example 12/2027."))
        return retry(_("I could not read a date there. Please type it like 12/2027 or 31/12/2027."))
    if day < today():
        return retry(
            _(
                "That date ({date}) has passed: the extinguisher must be refilled before it can be relied on. "
                "Once it is refilled, type the new date; or press the button if you cannot read it now."
            ).format(date=fmt_date(day))
        )
    if day > today() + timedelta(days=366 * LONGEST_LABEL_YEARS):
        return retry(
            _("{date} is more than {years} years away. Please check the date on the label.").format(
                date=fmt_date(day), years=LONGEST_LABEL_YEARS
            )
        )
    return day.isoformat()


@flow.on("expiry")
async def on_expiry(ctx: Context) -> Outcome:
    if DateUnknown.read(ctx) is not None:
        ctx.data["expires_on"] = None
        return goto("smoke_alarm")
    if ctx.event.choice:
        raise NotChosen()
    checked = check_date(ctx)
    if isinstance(checked, Outcome):
        return checked
    ctx.data["expires_on"] = checked
    return goto("smoke_alarm")


flow.ask("smoke_alarm")(ask_item("smoke_alarm", yes_no_item("smoke_alarm")))
flow.ask("escape")(ask_item("escape", yes_no_item("escape")))
flow.ask("electrical")(ask_item("electrical", yes_no_item("electrical")))


@flow.on("smoke_alarm")
async def on_smoke_alarm(ctx: Context) -> Outcome:
    ctx.data["smoke_alarm"] = answer(ctx, "smoke_alarm") == "yes"
    return goto("escape")


@flow.on("escape")
async def on_escape(ctx: Context) -> Outcome:
    ctx.data["escape"] = answer(ctx, "escape") == "yes"
    return goto("electrical")


@flow.on("electrical")
async def on_electrical(ctx: Context) -> Outcome:
    ctx.data["electrical"] = answer(ctx, "electrical") == "yes"
    return goto("gas")


@flow.ask("gas")
async def ask_gas(ctx: Context) -> None:
    await ask_item(
        "gas",
        [
            Choice(_("Yes, checked"), Answer("gas", "yes")),
            Choice(_("Not checked"), Answer("gas", "no")),
            Choice(_("We do not use gas"), Answer("gas", "none")),
        ],
    )(ctx)


@flow.on("gas")
async def on_gas(ctx: Context) -> Outcome:
    words = typed(ctx)
    said = answers.reading("gas", words) if words is not None else None
    if said is None:
        said = {"yes": "checked", "no": "unchecked", "none": "none"}[pressed_answer(ctx, "gas")]
        if said == "unchecked" and words is not None and not answers.speaks_of_a_check(words):
            said = "which"  # typed words the labels took for their "no" ("không gas"): which no is it?
    if said == "which":
        # A bare "không" may be "not checked" or "no gas" ("không" was stored as "Chưa kiểm tra" for a house with
        # no gas, just after her "nhà không xài gas" was refused): ask which, rather than keep a wrong fact.
        return goto("gas_use")
    ctx.data["gas"] = said
    return goto("shop")


@flow.ask("gas_use")
async def ask_gas_use(ctx: Context) -> None:
    ctx.reply(
        _("Does the house use gas for cooking (a gas cylinder)?"),
        [
            Choice(_("Yes, not checked this year"), Answer("gas_use", "yes")),
            Choice(_("No, we do not use gas"), Answer("gas_use", "no")),
        ],
    )


@flow.on("gas_use")
async def on_gas_use(ctx: Context) -> Outcome:
    words = typed(ctx)
    said = answers.reading("gas_use", words) if words is not None else None
    if said is None:
        said = "unchecked" if pressed_answer(ctx, "gas_use") == "yes" else "none"
    ctx.data["gas"] = said
    return goto("shop")


@flow.ask("shop")
async def ask_shop(ctx: Context) -> None:
    ctx.reply(
        _("Is there a shop, workshop or other business in the house?"),
        [Choice(_("Yes"), Answer("shop", "yes")), Choice(_("No"), Answer("shop", "no"))],
    )


@flow.on("shop")
async def on_shop(ctx: Context) -> Outcome:
    ctx.data["has_shop"] = answer(ctx, "shop") == "yes"
    if ctx.data["has_shop"]:
        return goto("second_exit")
    ctx.data["second_exit"] = None
    return goto("confirm")


flow.ask("second_exit")(ask_item("second_exit", yes_no_item("second_exit")))


@flow.on("second_exit")
async def on_second_exit(ctx: Context) -> Outcome:
    ctx.data["second_exit"] = answer(ctx, "second_exit") == "yes"
    return goto("confirm")


def drafted(ctx: Context, household: Household) -> FireSafetyChecklist:
    from datetime import date

    expires = ctx.data.get("expires_on")
    return FireSafetyChecklist(
        household_id=household.id or 0,
        group_id=household.group_id,
        address=household.address,
        year=today().year,
        person_id=ctx.person_id,
        has_extinguisher=ctx.data["has_extinguisher"],
        extinguisher_expires_on=date.fromisoformat(expires) if expires else None,
        smoke_alarm=ctx.data["smoke_alarm"],
        escape_route_clear=ctx.data["escape"],
        electrical_checked=ctx.data["electrical"],
        gas=ctx.data["gas"],
        has_shop=ctx.data["has_shop"],
        second_exit=ctx.data.get("second_exit"),
        signed_at=clock.now(),
    )


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    household = await ctx.session.get(Household, ctx.data["household_id"])
    assert household is not None
    lines = [_("Your answers for the household {household}:").format(household=household_label(household))]
    lines += texts.summary(drafted(ctx, household))
    lines.append(_("Sign the checklist for your household?"))
    ctx.reply("\n".join(lines), yes_no(_("Sign the checklist"), _("Cancel"), SignChecklist))


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not SignChecklist.expect(ctx).yes:
        ctx.reply(_("Nothing was kept. Type /pccc when you are ready."))
        return finish()
    household = await ctx.session.get(Household, ctx.data["household_id"])
    if household is None or not await is_member(ctx.session, ctx.person_id, household.id or 0):
        ctx.reply(_("You are no longer linked to that household, so nothing was kept."))
        return finish()
    checklist = drafted(ctx, household)
    await record(ctx, checklist)
    text = _("Signed. Thank you! Your household's fire-safety checklist for {year} is recorded.").format(
        year=checklist.year
    )
    if checklist.extinguisher_expires_on is not None:
        text += " " + _(
            "You will be reminded a month and a week before the extinguisher's date ({date})."
        ).format(date=fmt_date(checklist.extinguisher_expires_on))
    ctx.reply(text)
    return finish()


async def record(ctx: Context, checklist: FireSafetyChecklist) -> None:
    """Make `checklist` the household's current one for its year; the one it replaces stays as history."""
    key = f"{checklist.household_id}:{checklist.year}"
    await execute(
        ctx.session,
        update(FireSafetyChecklist)
        .where(col(FireSafetyChecklist.current_key) == key)
        .values(current_key=None, replaced_at=clock.now()),
    )
    checklist.current_key = key
    ctx.session.add(checklist)
    await ctx.session.flush()
    ctx.audit("firesafety.checklist_signed", "fire_safety_checklist", str(checklist.id), None)
