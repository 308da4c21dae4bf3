"""The Telegram channel: python-telegram-bot as transport (polling or webhook), our own state and dispatcher.

Long polling by default; with ANDAN_PUBLIC_URL set, Telegram pushes updates to POST /webhook/telegram, which
checks the secret header, answers at once and leaves the work to PTB's update queue.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import (
    Update,
)
from telegram.error import BadRequest, ChatMigrated, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import Channel, DeliveryError, Permanent, RetryAfter, Transient
from bot.channels.telegram.chats import move_chat, set_reachable
from bot.channels.telegram.convert import CHANNEL, DOWNLOAD_LIMIT, to_incoming, too_large
from bot.channels.telegram.menu import register_commands
from bot.channels.telegram.send import Markup, Sender, as_delivery_error, link_button
from bot.channels.telegram.transport import AiohttpRequest
from bot.core.events import Attachment, Incoming, Kind
from bot.core.replies import Reply
from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhook/telegram"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25  # seconds a getUpdates call may wait on Telegram's side
MAX_INLINE_RETRY_AFTER = 30.0


class TelegramChannel(Channel):
    name = CHANNEL
    text_limit = 4096
    supports_buttons = True

    def __init__(self, app: App) -> None:
        settings = app.settings
        if settings.telegram_token is None:
            raise ValueError("ANDAN_TELEGRAM_TOKEN is not set")
        self.app = app
        self._token = settings.telegram_token.get_secret_value()
        base = settings.telegram_api_url.rstrip("/")
        self.webhook_mode = settings.public_url is not None
        builder = (ApplicationBuilder().token(self._token).base_url(base + "/bot").base_file_url(base + "/file/bot")
                   .concurrent_updates(True).request(AiohttpRequest(pool_size=settings.delivery_window + 16))
                   .get_updates_request(AiohttpRequest(pool_size=2, read=10.0)))
        if self.webhook_mode:
            builder = builder.updater(None)
        self.ptb: Application = builder.build()  # type: ignore[type-arg]
        self.ptb.add_handler(TypeHandler(Update, self._on_update))
        self.ptb.add_error_handler(self._on_error)
        self.sender = Sender(self.ptb.bot, app.media, paid=app.settings.telegram_paid_broadcast)
        configured = settings.telegram_webhook_secret
        # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: a hex digest fits.
        self.secret = configured.get_secret_value() if configured else app.keyring.keyed_hash("telegram-webhook", "v1")
        self.username: str | None = None
        self._live = False

    # Life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect now if Telegram answers; otherwise keep trying in the background (the rest of the app runs)."""
        try:
            await self._connect()
        except InvalidToken:
            raise  # a wrong token never fixes itself: fail the start loudly
        except NetworkError:
            log.warning("telegram unreachable at start; retrying in the background")
            self.app.spawn(self._connect_later(), "telegram-connect")

    async def _connect_later(self) -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)
            try:
                await self._connect()
                return
            except NetworkError:
                delay = min(delay * 2, 60.0)

    async def _connect(self) -> None:
        """getMe, command menu, then updates by webhook or polling. Safe to call again after a network error."""
        await self.ptb.initialize()
        self.username = self.ptb.bot.username
        await register_commands(self.ptb.bot, self.app.registry)
        if not self.ptb.running:
            await self.ptb.start()
        if self.webhook_mode:
            url = (self.app.settings.public_url or "").rstrip("/") + WEBHOOK_PATH
            await self.ptb.bot.set_webhook(url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES)
        else:
            assert self.ptb.updater is not None
            if not self.ptb.updater.running:
                await self.ptb.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES,
                                                     error_callback=self._poll_error)
        self._live = True
        log.info("telegram connected", extra={"mode": "webhook" if self.webhook_mode else "polling"})

    async def stop(self) -> None:
        self._live = False
        if self.ptb.updater is not None and self.ptb.updater.running:
            await self.ptb.updater.stop()
        if self.ptb.running:
            await self.ptb.stop()
        await self.ptb.shutdown()

    def _poll_error(self, error: TelegramError) -> None:
        # PTB keeps polling with growing pauses; a Conflict means a second instance polls the same bot.
        log.warning("telegram polling error", extra={"error": type(error).__name__})

    async def _on_error(self, _update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    # Webhook ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self._webhook)] if self.webhook_mode else []

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401)
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400)
        try:
            parsed = Update.de_json(data, self.ptb.bot)
        except (KeyError, TypeError, ValueError):
            return web.Response(status=400)
        if not self._live:
            return web.Response(status=503)  # Telegram retries later
        await self.ptb.update_queue.put(parsed)
        return web.Response(text="ok")

    # Incoming --------------------------------------------------------------------------------------------
    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is not None and message.migrate_to_chat_id is not None:
            await self.chat_migrated(str(message.chat.id), str(message.migrate_to_chat_id))
            return
        if update.my_chat_member is not None:
            await self._membership(update)
            return
        event = to_incoming(update, self.username)
        if event is None:
            if message is not None and message.chat.type == "private" and message.from_user is not None:
                await self._explain_unsupported(str(message.from_user.id), str(message.chat.id))
            return
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()  # stops the spinner on the button at once
            except TelegramError:
                pass  # already answered (a redelivered update) or too old: nothing to do
        if too_large(event):
            await self._refuse_large(event)
            return
        result = await self.app.dispatcher.handle(event)
        if result.duplicate:
            return
        if query is not None and not event.is_group:
            # In a group the same buttons serve every member (e.g. "I have read this"): leave them in place.
            await self._mark_pressed(update)
        extra = None
        with use_locale(result.locale):
            if self._private_redirect(event):
                extra = link_button(_("Open a private chat with me"), f"https://t.me/{self.username}")
        for reply in result.replies:
            await self._reply(event.chat_id, reply, extra if reply is result.replies[-1] else None)

    async def _reply(self, chat_id: str, reply: Reply, extra: Markup | None) -> None:
        for attempt in (1, 2):
            try:
                await self.sender.send(chat_id, reply, extra)
                return
            except RetryAfter as error:
                if attempt == 2 or error.seconds > MAX_INLINE_RETRY_AFTER:
                    log.warning("telegram reply dropped: rate limited")
                    return
                await asyncio.sleep(error.seconds)
            except ChatMigrated as error:
                await self.chat_migrated(chat_id, str(error.new_chat_id))
                chat_id = str(error.new_chat_id)
            except DeliveryError as error:
                log.warning("telegram reply not delivered", extra={"error": type(error).__name__})
                return

    def _private_redirect(self, event: Incoming) -> bool:
        """A private command typed in a group: the dispatcher answers; we add a button to the direct chat."""
        if not event.is_group or event.kind != Kind.COMMAND or not self.username:
            return False
        command = self.app.registry.commands.get(event.command or "")
        return command is not None and command.private_only

    async def _mark_pressed(self, update: Update) -> None:
        """Take the keyboard off the pressed message and show what was chosen, so old buttons are not pressed again."""
        query = update.callback_query
        assert query is not None
        message = query.message
        label = None
        markup = getattr(message, "reply_markup", None)
        if markup is not None:
            for row in markup.inline_keyboard:
                for button in row:
                    if button.callback_data == query.data:
                        label = button.text
        text = getattr(message, "text", None)
        try:
            if text and label and len(text) + len(label) + 4 <= 4096:
                await query.edit_message_text(f"{text}\n\n✓ {label}", reply_markup=None)
            else:
                await query.edit_message_reply_markup(None)
        except TelegramError:
            pass  # the message is too old to edit, or already shows this: the reply still follows

    async def _locale_of(self, user_id: str) -> str:
        from bot.people import identity_for
        from models import Person

        async with self.app.db.session() as session:
            identity = await identity_for(session, CHANNEL, user_id)
            person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person else self.app.settings.default_locale

    async def _refuse_large(self, event: Incoming) -> None:
        with use_locale(await self._locale_of(event.user_id)):
            text = _("That file is too large for me: I can receive files up to {limit} MB. "
                     "Please send a smaller file or a photo.").format(limit=DOWNLOAD_LIMIT // (1024 * 1024))
        await self._reply(event.chat_id, Reply(text), None)

    async def _explain_unsupported(self, user_id: str, chat_id: str) -> None:
        """Stickers, polls, games: say what the bot can read rather than stay silent."""
        with use_locale(await self._locale_of(user_id)):
            text = _("I can read text, photos, files, voice messages, locations and contacts. Please send one of "
                     "those, or type /help.")
        await self._reply(chat_id, Reply(text), None)

    async def _membership(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        gone = change.new_chat_member.status in ("left", "kicked")
        await set_reachable(self.app.db, str(change.chat.id), not gone)
        was_out = change.old_chat_member.status in ("left", "kicked")
        if was_out and not gone and change.chat.type != "private":
            with use_locale(self.app.settings.default_locale):
                text = _("Hello! I am An Dân, the neighbourhood safety assistant. A group leader can link this "
                         "group chat with /lienketnhom, so that I post reminders, alerts and the weekly digest "
                         "here. I never ask for personal information in a group.")
            await self._reply(str(change.chat.id), Reply(text), None)

    async def chat_migrated(self, old: str, new: str) -> None:
        await move_chat(self.app.db, old, new)
        log.info("telegram group migrated to a supergroup")

    # Outgoing --------------------------------------------------------------------------------------------
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        if not self._live:
            raise Transient("telegram is not connected yet")
        try:
            return await self.sender.send(chat_id, reply)
        except ChatMigrated as error:
            new = str(error.new_chat_id)
            await self.chat_migrated(chat_id, new)
            try:
                return await self.sender.send(new, reply)
            except ChatMigrated as again:
                raise Permanent("chat migrated twice") from again

    async def download(self, attachment: Attachment) -> bytes:
        if attachment.data is not None:
            return attachment.data
        if attachment.size is not None and attachment.size > DOWNLOAD_LIMIT:
            raise Permanent("file larger than the Bot API download limit")
        try:
            found = await self.ptb.bot.get_file(attachment.fetch)
            return bytes(await found.download_as_bytearray())
        except BadRequest as error:
            raise Permanent(error.message) from error
        except TelegramError as error:
            raise as_delivery_error(error) from error

