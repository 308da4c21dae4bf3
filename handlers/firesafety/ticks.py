"""The fire-safety tick: a household's members are reminded a month and a week before its extinguisher's date,
and each public fire point's keeper once a month until the month's check is confirmed.

Idempotent: every message has a dedupe key (checklist, stage, person / point, month, person), and keys already
queued are skipped, so a tick that runs twice or late queues each message once; after downtime only the latest
stage is sent. Only each household's newest checklist counts, so a date renewed (typed again, or a new year's
checklist) is never reminded of. Routine messages wait for the end of quiet hours (`not_before`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.delivery.outbox import enqueue_to_person
from bot.delivery.quiet import quiet_until
from bot.i18n import _, fmt_date, ngettext
from handlers.firesafety.buttons import Renew
from handlers.firesafety.flows.points import check_choices
from handlers.firesafety.store import latest_ids, month_key, today
from handlers.reports.ticks import queued
from models import Group, Household, Person, Priority
from models.fire_safety import FirePoint, FirePointCheck, FireSafetyChecklist
from models.pledges import HouseholdMember

if TYPE_CHECKING:
    from bot.app import App


async def remind(app: App) -> None:
    now = clock.now()
    not_before = quiet_until(now, app.settings.quiet_hours) or now
    async with app.db.session() as session:
        await remind_extinguishers(
            session,
            today(),
            app.settings.firesafety_remind_first_days,
            app.settings.firesafety_remind_last_days,
            not_before,
        )
        await remind_keepers(session, today(), not_before)
        await session.commit()


async def remind_extinguishers(
    session: AsyncSession, day: date, first_days: int, last_days: int, not_before: datetime
) -> int:
    rows = (
        await session.exec(
            select(FireSafetyChecklist, Person, Household)
            .join(Household, col(Household.id) == col(FireSafetyChecklist.household_id))
            .join(Group, col(Group.id) == col(Household.group_id))
            .join(HouseholdMember, col(HouseholdMember.household_id) == col(Household.id))
            .join(Person, col(Person.id) == col(HouseholdMember.person_id))
            .where(
                col(FireSafetyChecklist.id).in_(latest_ids()),
                col(FireSafetyChecklist.has_extinguisher).is_(True),
                col(FireSafetyChecklist.extinguisher_expires_on) >= day,
                col(FireSafetyChecklist.extinguisher_expires_on) <= day + timedelta(days=first_days),
                col(HouseholdMember.confirmed_at).is_not(None),
                col(Group.retired_at).is_(None),
            )
            .order_by(col(FireSafetyChecklist.id), col(Person.id))
        )
    ).all()
    keys = {}
    for checklist, person, _household in rows:
        expires = checklist.extinguisher_expires_on
        assert expires is not None
        stage = "week" if (expires - day).days <= last_days else "month"
        keys[(checklist.id, person.id)] = f"fs-ext:{checklist.id}:{stage}:{person.id}"
    done = await queued(session, keys.values())
    sent = 0
    for checklist, person, household in rows:
        key = keys[(checklist.id, person.id)]
        if key in done:
            continue
        await enqueue_to_person(
            session,
            person,
            extinguisher_text(checklist, household.address, day),
            kind="reminder",
            priority=Priority.ROUTINE,
            dedupe_key=key,
            not_before=not_before,
            source_kind="firesafety_extinguisher",
            source_id=str(checklist.id),
        )
        sent += 1
    return sent


def extinguisher_text(checklist: FireSafetyChecklist, address: str, day: date) -> Callable[[], Reply]:
    expires = checklist.extinguisher_expires_on
    assert expires is not None
    days = (expires - day).days

    def render() -> Reply:
        return Reply(
            ngettext(
                "Reminder: the fire extinguisher of your household ({address}) must be refilled by {date}, in {n} "
                "day. Once it is refilled or replaced, press the button and type the new date.",
                "Reminder: the fire extinguisher of your household ({address}) must be refilled by {date}, in {n} "
                "days. Once it is refilled or replaced, press the button and type the new date.",
                days,
            ).format(address=address, date=fmt_date(expires), n=days),
            (Choice(_("It is refilled: type the new date"), Renew(checklist.id or 0)),),
        )

    return render


async def remind_keepers(session: AsyncSession, day: date, not_before: datetime) -> int:
    """Each point's keeper, once a month, while the month's check is not confirmed."""
    month = month_key(day)
    checked = select(FirePointCheck.point_id).where(FirePointCheck.month == month)
    rows = (
        await session.exec(
            select(FirePoint, Person)
            .join(Person, col(Person.id) == col(FirePoint.keeper_person_id))
            .where(col(FirePoint.retired_at).is_(None), col(FirePoint.id).not_in(checked))
            .order_by(col(FirePoint.id))
        )
    ).all()
    keys = {point.id: f"fs-point:{point.id}:{month}:{person.id}" for point, person in rows}
    done = await queued(session, keys.values())
    sent = 0
    for point, person in rows:
        if keys[point.id] in done:
            continue

        def render(point: FirePoint = point) -> Reply:
            return Reply(
                _(
                    "Monthly check of the public fire point you keep: {place} ({holds}). Please check that "
                    "everything is there and works, then press a button."
                ).format(place=point.place, holds=point.holds),
                tuple(check_choices(point)),
            )

        await enqueue_to_person(
            session,
            person,
            render,
            kind="reminder",
            priority=Priority.ROUTINE,
            dedupe_key=keys[point.id],
            not_before=not_before,
            source_kind="firesafety_point",
            source_id=str(point.id),
        )
        sent += 1
    return sent
