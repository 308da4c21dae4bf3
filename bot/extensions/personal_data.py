"""What a feature holds about a person: its router declares how to export and erase it (/me, /forget) and which
tables hold a person's id (`router.personal_data(...)`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from models import Person

if TYPE_CHECKING:
    from bot.security import Keyring

ExportFn = Callable[[AsyncSession, Person], Awaitable[dict[str, Any]]]
# Erase what may be erased; return translated notes about what must be kept and why.
EraseFn = Callable[[AsyncSession, Person], Awaitable[list[str]]]
# What /toi says about it: translated sentences a person can read ("You sent 2 group reports: …"), none if nothing.
SummaryFn = Callable[[AsyncSession, Person], Awaitable[list[str]]]
# What leads to the person's chats without naming them (an anonymous tipster's sealed reply route): dropped when
# they erase their data, given the (channel, chat id) pairs of their chats and the key that opens what is sealed.
ForgetChatsFn = Callable[[AsyncSession, "Keyring", Collection[tuple[str, str]]], Awaitable[int]]


@dataclass(frozen=True)
class Provider:
    name: str
    export: ExportFn
    erase: EraseFn
    tables: tuple[type, ...] = ()  # the tables this provider covers (each holds a person's id)
    summary: SummaryFn | None = None  # without it, /toi says only that the feature holds something
    forget_chats: ForgetChatsFn | None = None


async def unlink(session: AsyncSession, person: Person, *columns: Any) -> None:
    """Remove the person's id from columns that only record who did something (created a campaign, confirmed a
    member, linked a chat): the record stays, no longer linked to anyone."""
    for column in columns:
        await execute(session, update(column.class_).where(column == person.id).values({column.key: None}))
