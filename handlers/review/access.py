"""Who may open the review's screens for officials, asked the same way on every one of them: the ward the person
serves as ward admin or police, that ward's review of the year, and whether the place or entry pressed is of that
ward. Each check says why when it fails (and returns None), so every screen gives the same answers."""

from __future__ import annotations

from typing import Protocol, TypeVar

from bot.core.context import Context
from bot.extensions.year_figures import Place
from bot.i18n import _
from handlers.review import evaluate, store
from models import Role
from models.review import ReviewEntry


class InAWard(Protocol):
    @property
    def ward_code(self) -> int: ...


W = TypeVar("W", bound=InAWard)


async def officials_ward(ctx: Context, refusal: str | None = None) -> int | None:
    """The ward the person works for as ward admin or police; for anyone else None, after saying so (`refusal`,
    or that this is for the ward admin and the police)."""
    ward = await store.official_ward(ctx)
    if ward is None:
        ctx.reply(refusal or _("Sorry, this is for the ward admin and the police."))
    return ward


async def officials_review(ctx: Context, refusal: str | None = None) -> evaluate.Review | None:
    """The review of the year under review in the person's ward (`officials_ward`), or None after saying why."""
    ward = await officials_ward(ctx, refusal)
    if ward is None:
        return None
    return await store.review_of(
        ctx.session, ctx.app.registry, ctx.app.settings, ward, evaluate.review_year()
    )


def in_ward(ctx: Context, review: evaluate.Review, place: Place) -> evaluate.PlaceInfo | None:
    """The place as the ward's review knows it; None, after saying so, when it is not of the ward."""
    info = review.info(place)
    if info is None:
        not_in_ward(ctx)
    return info


def not_in_ward(ctx: Context) -> None:
    ctx.reply(_("Sorry, that place is not in your ward."))


async def of_own_ward(ctx: Context, row: W | None, role: Role, refusal: str) -> W | None:
    """The row (an entry, a criterion), when it is of the ward the person serves and they hold `role`; None, after
    saying `refusal`, otherwise."""
    if row is None or row.ward_code != await store.official_ward(ctx) or role not in await ctx.roles():
        ctx.reply(refusal)
        return None
    return row


async def entry_to_confirm(ctx: Context, entry_id: int) -> ReviewEntry | None:
    """An entered criterion the person may confirm, as the police of its ward (None, after saying so, if not)."""
    return await of_own_ward(
        ctx,
        await ctx.session.get(ReviewEntry, entry_id),
        Role.POLICE,
        _("Sorry, only the police of that ward confirm what leaders entered."),
    )
