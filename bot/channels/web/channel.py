"""The web chat channel itself: its state, the routes it serves (the API: bot.channels.web), and delivery of pushes
into the transcript. Each idea of the channel is a part of the class in a module of its own (see its bases)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlmodel import col, delete

from bot.channels.base import Channel
from bot.channels.web.messages import Messages
from bot.channels.web.page import STATIC_DIR, Page
from bot.channels.web.polling import Polling
from bot.channels.web.push import WebPush
from bot.channels.web.subscriptions import Subscriptions
from bot.core.replies import Reply
from bot.guard import ratelimit
from models import WebMessage
from models.web import WebPushSubscription

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App

log = logging.getLogger(__name__)


class WebChannel(Page, Messages, Polling, Subscriptions, Channel):
    name = "web"
    text_limit = 20000
    supports_buttons = True

    def __init__(self, app: App) -> None:
        self.app = app
        self._waiters: dict[str, asyncio.Event] = {}
        self._polls: dict[str, int] = {}  # long polls in flight per session
        self._polled_at: dict[str, float] = {}  # when a session's last long poll ended (loop time)
        self._closing = False
        self._page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        self._worker = (STATIC_DIR / "sw.js").read_bytes()
        self._networks = ratelimit.ClientNetworks(app.keyring, app.settings)
        self.push = WebPush(app.settings, app.keyring) if app.settings.web_push_enabled else None

    async def stop(self) -> None:
        if self.push is not None:
            await self.push.close()

    # Delivery (replies and pushes both land in the transcript) -------------------------------------------
    # Pushes come here from the outbox. Direct replies do not go through bot.channels.answer.send_replies as on
    # the other channels: they are the HTTP answer itself, and `post_message` stores them in the update's own
    # transaction (a crash keeps the input and its replies, or neither), and shows them without storing them
    # before consent and in private flows. Sending them one by one through `deliver` would lose both.
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        # A private push (to an anonymous tipster) is kept under a keyed pseudonym, never under the session.
        stored_as = self._private_id(chat_id) if reply.private else chat_id
        async with self.app.db.session() as session:
            row = WebMessage(session_id=stored_as, direction="out", payload=reply.to_payload())
            session.add(row)
            await session.commit()
        self._wake(chat_id)
        if self.push is not None and not self._tab_open(chat_id):
            # The message is stored: whatever happens to the Web Push, the delivery stands (raising here would make
            # the sender store it twice).
            try:
                await self._notify(chat_id, reply)
            except Exception:
                log.exception("web push failed unexpectedly")
        return [str(row.id)]

    async def forget(self, session: AsyncSession, chat_id: str) -> None:
        await session.exec(
            delete(WebMessage).where(col(WebMessage.session_id).in_([chat_id, self._private_id(chat_id)]))
        )
        await session.exec(delete(WebPushSubscription).where(col(WebPushSubscription.session_id) == chat_id))

    # HTTP ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._counted(self.page)),
            web.get("/join/{code}", self.join),
            web.get("/favicon.ico", self.favicon),
            web.get("/sw.js", self.service_worker),
            web.static("/static", STATIC_DIR),
            web.post("/api/messages", self._counted(self.post_message)),
            web.get("/api/messages", self._counted(self.get_messages)),
            web.post("/api/hello", self._counted(self.hello)),
            web.get("/api/page", self._counted(self.page_info)),
            web.post("/api/push", self.push_subscribe),
            web.delete("/api/push", self.push_unsubscribe),
            web.get("/media/{media_id}", self.get_media),
        ]
