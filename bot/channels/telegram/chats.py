"""What happens to group chats on Telegram's side: the bot removed or re-added, a group upgraded to a supergroup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col

from bot import clock
from models import LinkedChat, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from bot.db import Database

CHANNEL = "telegram"


async def set_reachable(db: Database, chat_id: str, reachable: bool) -> None:
    """The bot removed from a linked group stops receiving pushes there; added back, it receives them again."""
    async with db.session() as session:
        await session.exec(
            update(LinkedChat)
            .where(col(LinkedChat.channel) == CHANNEL, col(LinkedChat.chat_id) == chat_id)
            .values(unreachable_at=None if reachable else clock.now())
        )
        await session.commit()


async def move_chat(db: Database, old: str, new: str) -> None:
    """A group became a supergroup with a new id: keep its link and its queued pushes."""
    async with db.session() as session:
        await session.exec(
            update(LinkedChat)
            .where(col(LinkedChat.channel) == CHANNEL, col(LinkedChat.chat_id) == old)
            .values(chat_id=new)
        )
        await session.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.channel) == CHANNEL,
                col(OutboxMessage.chat_id) == old,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
            )
            .values(chat_id=new)
        )
        await session.commit()
