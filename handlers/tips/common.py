"""What every part of the tips feature shares: the router, category and status names, and police look-ups."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.router import Router
from bot.directory.people import holds
from bot.i18n import N_, _, fmt_date, fmt_datetime
from models import LinkedChat, Person, Role, RoleGrant, Tip, TipStatus, Ward

router = Router("tips")
POLICE = {Role.POLICE.value}

CATEGORIES: dict[str, str] = {
    "drugs": N_("Drugs"),
    "theft": N_("Theft"),
    "fraud": N_("Fraud or online scam"),
    "gambling": N_("Gambling"),
    "violence": N_("Violence or domestic violence"),
    "gathering": N_("Troublesome gathering spot"),
    "fire": N_("Fire hazard"),
    "other": N_("Something else"),
}

STATUSES: dict[str, str] = {
    TipStatus.NEW: N_("new"),
    TipStatus.ACKNOWLEDGED: N_("received"),
    TipStatus.VERIFYING: N_("being verified"),
    TipStatus.TRANSFERRED: N_("transferred to the competent authority"),
    TipStatus.RESOLVED: N_("resolved"),
    TipStatus.DISMISSED: N_("closed without action"),
}


def category_name(key: str) -> str:
    return _(CATEGORIES.get(key, CATEGORIES["other"]))


def status_name(key: str) -> str:
    return _(STATUSES.get(key, key))


def occurred_label(value: str | None) -> str:
    if value == "now":
        return _("happening now")
    if value == "today":
        return _("today")
    if value and value[:4].isdigit():
        from datetime import date

        return fmt_date(date.fromisoformat(value))
    return _("not known")


def place_of(tip: Tip) -> str:
    parts: list[str] = []
    if tip.place_text:
        parts.append(tip.place_text)
    if tip.latitude is not None and tip.longitude is not None:
        parts.append(
            f"{tip.latitude:.5f}, {tip.longitude:.5f} (https://maps.google.com/?q={tip.latitude},{tip.longitude})"
        )
    return "; ".join(parts) or _("not known")


async def ward_name(session: AsyncSession, ward_code: int) -> str:
    ward = await session.get(Ward, ward_code)
    return ward.name if ward else str(ward_code)


async def police_of_ward(
    session: AsyncSession, ward_code: int, role: str = Role.POLICE.value
) -> list[Person]:
    """Everyone holding `role` in the ward (one query)."""
    rows = await session.exec(
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(RoleGrant.role == role, RoleGrant.ward_code == ward_code, col(RoleGrant.revoked_at).is_(None))
        .order_by(col(Person.id))
        .distinct()
    )
    return list(rows.all())


async def police_chats(session: AsyncSession, ward_code: int) -> list[LinkedChat]:
    rows = await session.exec(
        select(LinkedChat).where(
            LinkedChat.ward_code == ward_code,
            LinkedChat.purpose == "police",
            col(LinkedChat.unreachable_at).is_(None),
        )
    )
    return list(rows.all())


async def police_wards(ctx: Context) -> list[int]:
    return sorted({g.ward_code for g in await ctx.grants() if g.role == Role.POLICE})


async def officer_tip(ctx: Context, tip_id: str | int | None) -> Tip | None:
    """The tip, if the person is police of its ward; otherwise a reply that reveals nothing about it."""
    tip = await ctx.session.get(Tip, int(str(tip_id))) if str(tip_id or "").isdigit() else None
    if (
        tip is None
        or tip.purged_at is not None
        or not holds(await ctx.grants(), Role.POLICE, ward_code=tip.ward_code)
    ):
        ctx.reply(_("There is no tip with that number in your ward."))
        return None
    return tip


def officer_label(person: Person | None) -> str:
    if person is None:
        return _("nobody yet")
    return person.display_name or _("officer no. {id}").format(id=person.id)


def clocks_lines(tip: Tip) -> list[str]:
    """The legal clocks of a tip, as the police see them."""
    from handlers.tips.clocks import is_overdue_decision, is_overdue_receipt

    lines = []
    if tip.acknowledged_at is not None:
        lines.append(_("Notice of receipt: sent {when}.").format(when=fmt_datetime(tip.acknowledged_at)))
    else:
        late = _(" — OVERDUE") if is_overdue_receipt(tip) else ""
        lines.append(
            _("Notice of receipt due by {when}{late}.").format(when=fmt_date(tip.receipt_due_at), late=late)
        )
    if tip.closed_at is not None:
        lines.append(_("Decided {when}.").format(when=fmt_datetime(tip.closed_at)))
    else:
        late = _(" — OVERDUE") if is_overdue_decision(tip) else ""
        extended = _(" (extended)") if tip.extended_at else ""
        lines.append(
            _("Decision due by {when}{extended}{late}.").format(
                when=fmt_date(tip.decision_due_at), extended=extended, late=late
            )
        )
    return lines
