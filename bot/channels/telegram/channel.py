"""The Telegram channel: python-telegram-bot as transport (polling or webhook), our own state and dispatcher.

Long polling by default; with ANDAN_PUBLIC_URL set, Telegram pushes updates to POST /webhook/telegram, which
checks the secret header, answers at once and leaves the work to PTB's update queue. Of several processes in
polling mode only one polls, chosen through the database (bot.channels.poll_lease); all of them send.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import warnings
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web
from telegram import (
    Update,
)
from telegram.error import BadRequest, ChatMigrated, InvalidToken, TelegramError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBUserWarning

from bot.channels.answer import say, send_replies
from bot.channels.base import Channel, Permanent, Transient
from bot.channels.poll_lease import Lease, PollLeader
from bot.channels.reconnect import Backoff, reason
from bot.channels.telegram.albums import Albums
from bot.channels.telegram.chats import move_chat, set_reachable
from bot.channels.telegram.convert import CHANNEL, DOWNLOAD_LIMIT, to_incoming, too_large, within_limit
from bot.channels.telegram.malformed import unusable
from bot.channels.telegram.menu import register_commands
from bot.channels.telegram.send import Sender, WithLink, as_delivery_error, retry_seconds
from bot.channels.telegram.transport import AiohttpRequest
from bot.core.events import Attachment, Incoming, Kind
from bot.core.replies import Reply
from bot.directory.invites import telegram_link
from bot.guard.http_input import loads, objects_over, read_body
from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhook/telegram"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25  # seconds a getUpdates call may wait on Telegram's side
CONNECT_FIRST_DELAY = 1.0  # seconds before retrying a failed connect; doubles (with jitter) up to the cap
CONNECT_MAX_DELAY = 60.0
# The command menu is optional: a server that refuses it is asked again now and then, not hammered.
MENU_FIRST_DELAY = 900.0
MENU_MAX_DELAY = 6 * 3600.0
# Update.de_json builds an object for every JSON object, 15–20 µs each, on the event loop: 18,000 photo sizes
# held it half a second. Telegram's largest updates (a message with a few hundred entities and the one it replies
# to, a keyboard of at most 100 buttons) stay well below this; past it an update is not Telegram's.
MAX_UPDATE_OBJECTS = 1000
T = TypeVar("T")

# do_api_request suggests the typed methods; for marking a pressed message we want the raw answer on purpose.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.editMessage(Text|ReplyMarkup)'", category=PTBUserWarning
)


class ConnectFailed(Exception):
    """A Bot API call that receiving updates depends on failed; `method` names it in the log."""

    def __init__(self, method: str, error: TelegramError) -> None:
        super().__init__(method)
        self.method = method
        self.error = error


async def needed(method: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except TelegramError as error:
        raise ConnectFailed(method, error) from error


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
        # Kept to close them at stop even when PTB never finished initializing (a connect that kept failing).
        self._requests = (
            AiohttpRequest(pool_size=settings.delivery_window + 16),
            AiohttpRequest(pool_size=2, read=10.0),
        )
        builder = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(base + "/bot")
            .base_file_url(base + "/file/bot")
            .concurrent_updates(True)
            .request(self._requests[0])
            .get_updates_request(self._requests[1])
        )
        if self.webhook_mode:
            builder = builder.updater(None)
        self.ptb: Application = builder.build()
        self.ptb.add_handler(TypeHandler(Update, self._on_update))
        self.ptb.add_error_handler(self._on_error)
        self.sender = Sender(self.ptb.bot, app.media, paid=app.settings.telegram_paid_broadcast)
        configured = settings.telegram_webhook_secret
        # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: a hex digest fits.
        self.secret = (
            configured.get_secret_value() if configured else app.keyring.keyed_hash("telegram-webhook", "v1")
        )
        self.username: str | None = None
        self._live = False  # receiving updates: cleared first thing at stop, so the webhook answers 503
        # Sending: cleared only once PTB has stopped, so updates still being handled at stop get their replies.
        self._sending = False
        self._background: list[asyncio.Task[None]] = []  # connect and menu retries, ended by stop()
        # Polling: of several processes, the one holding this lease polls (bot.channels.poll_lease).
        self.leader = PollLeader(
            Lease(app.db, f"telegram:{self._token.split(':', 1)[0]}", settings.poll_lease_seconds),
            "telegram",
            self._start_polling,
            self._stop_polling,
            self.polling,
        )
        self._lease_kept = False
        self._answered_in_reply: set[int] = (
            set()
        )  # update ids of presses acknowledged in the webhook response
        self.albums = Albums()  # parts of an album, gathered into one event

    # Life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect now if Telegram answers; otherwise say why and keep trying in the background (the rest of the
        app runs meanwhile). A refused token never fixes itself: it fails the start loudly."""
        backoff = Backoff(CONNECT_FIRST_DELAY, CONNECT_MAX_DELAY)
        delay = await self._attempt(backoff)
        if delay is not None:
            self._background.append(self.app.spawn(self._connect_later(backoff, delay), "telegram-connect"))

    async def _connect_later(self, backoff: Backoff, delay: float) -> None:
        while True:
            await asyncio.sleep(delay)
            try:
                next_delay = await self._attempt(backoff)
            except InvalidToken:
                return  # said at ERROR by _attempt; retrying cannot help
            if next_delay is None:
                return
            delay = next_delay

    async def _attempt(self, backoff: Backoff) -> float | None:
        """One connect attempt: None once connected; otherwise one WARNING naming the failed call and why, and
        the delay before the next attempt. Raises InvalidToken."""
        try:
            await self._connect()
            return None
        except ConnectFailed as failed:
            error = failed.error
            if isinstance(error, InvalidToken):
                log.error(
                    "telegram %s refused: check ANDAN_TELEGRAM_TOKEN (%s)",
                    failed.method,
                    reason(error, self._token),
                    extra={"method": failed.method},
                )
                raise error from None
            delay = backoff.next()
            if isinstance(error, PtbRetryAfter):
                delay = max(delay, retry_seconds(error))
            log.warning(
                "telegram not connected: %s failed (%s); retrying in %.1f s",
                failed.method,
                reason(error, self._token),
                delay,
                extra={"method": failed.method, "error": type(error).__name__, "retry_in": round(delay, 1)},
            )
            return delay

    async def _connect(self) -> None:
        """getMe, then updates by webhook or polling, then the optional command menu. Safe to call again after
        a failure; a failed call needed to receive updates raises ConnectFailed naming it."""
        await needed("getMe", self.ptb.initialize())
        self.username = self.ptb.bot.username
        if not self.ptb.running:
            await self.ptb.start()
        if self.webhook_mode:
            url = (self.app.settings.public_url or "").rstrip("/") + WEBHOOK_PATH
            await needed(
                "setWebhook",
                self.ptb.bot.set_webhook(url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES),
            )
        else:
            await self.leader.beat()
            if not self._lease_kept:
                self._lease_kept = True
                self._background.append(self.app.spawn(self.leader.run(), "telegram-poll-lease"))
        self._live = self._sending = True
        log.info("telegram connected", extra={"mode": "webhook" if self.webhook_mode else "polling"})
        await self._set_menu()

    def polling(self) -> bool:
        return self.ptb.updater is not None and self.ptb.updater.running

    async def _start_polling(self) -> None:
        """Raises ConnectFailed for a Bot API call that failed (the lease's next beat tries again)."""
        assert self.ptb.updater is not None
        # PTB's polling bootstrap deletes the webhook too, but logs a failure at ERROR with a traceback and no
        # retry; asking first lets a failure be said once, plainly, and retried at the next beat.
        await needed("deleteWebhook", self.ptb.bot.delete_webhook())
        await needed(
            "deleteWebhook",
            self.ptb.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES, error_callback=self._poll_error
            ),
        )

    async def _stop_polling(self) -> None:
        assert self.ptb.updater is not None
        await self.ptb.updater.stop()

    async def _set_menu(self) -> None:
        """The command menu is a convenience: a failure is said once, and the menu is retried now and then."""
        backoff = Backoff(MENU_FIRST_DELAY, MENU_MAX_DELAY)
        try:
            await register_commands(self.ptb.bot, self.app.registry)
            return
        except Exception as error:  # whatever the server answers, the bot works without a menu
            delay = backoff.next()
            # A Bot API server answers 404 (PTB: InvalidToken) for a method it does not offer.
            hint = "; the server may not offer this method" if isinstance(error, InvalidToken) else ""
            log.warning(
                "telegram command menu not set: setMyCommands failed (%s%s); the bot works without it, "
                "retrying in %.0f min",
                reason(error, self._token),
                hint,
                delay / 60,
                extra={"method": "setMyCommands", "error": type(error).__name__, "retry_in": round(delay)},
            )
        self._background.append(self.app.spawn(self._menu_later(backoff, delay), "telegram-menu"))

    async def _menu_later(self, backoff: Backoff, delay: float) -> None:
        while True:
            await asyncio.sleep(delay)
            try:
                await register_commands(self.ptb.bot, self.app.registry)
            except Exception as error:
                delay = backoff.next()  # said at WARNING once already
                log.info(
                    "telegram command menu still not set",
                    extra={
                        "method": "setMyCommands",
                        "error": type(error).__name__,
                        "retry_in": round(delay),
                    },
                )
                continue
            log.info("telegram command menu set")
            return

    async def stop(self) -> None:
        self._live = False
        for task in self._background:  # before PTB shuts down, which they would otherwise call into
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        if self._lease_kept:
            await (
                self.leader.close()
            )  # stops polling; the next process polls at once, not when the lease lapses
        elif self.polling():
            await self._stop_polling()
        if self.ptb.running:
            await self.ptb.stop()  # waits for the updates being handled, and so for their replies
        self._sending = False
        await self.ptb.shutdown()
        for request in self._requests:  # PTB skips them when getMe never succeeded; closing twice is harmless
            await request.shutdown()

    def _poll_error(self, error: TelegramError) -> None:
        # PTB keeps polling with growing pauses (up to 30 s); a Conflict means a second instance polls the bot.
        log.warning(
            "telegram getUpdates failed (%s); polling goes on",
            reason(error, self._token),
            extra={"method": "getUpdates", "error": type(error).__name__},
        )

    async def _on_error(self, _update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    # Webhook ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self._webhook)] if self.webhook_mode else []

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        """Secret first, then a bounded parse (a body too large, broken or not JSON is answered 4xx by the server's
        middleware). An update Telegram sent that cannot be handled, or holding more objects than could be built
        without stalling the event loop, is acknowledged with 200 and one WARNING: Telegram retries anything else,
        so it would come back for a day and change nothing."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401)
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.secret.encode()):
            return web.Response(status=403)
        settings = self.app.settings
        raw = await read_body(request, settings.webhook_max_kb * 1024)
        data = loads(raw, max_depth=settings.json_max_depth)
        if (
            not isinstance(data, dict)
            or isinstance(data.get("update_id"), bool)
            or not isinstance(data.get("update_id"), int)
        ):
            return web.Response(status=400)  # not an update at all
        if objects_over(MAX_UPDATE_OBJECTS, raw, data):
            log.warning(
                "telegram webhook update too large to build; acknowledged and dropped",
                extra={"error": f"over {MAX_UPDATE_OBJECTS} objects"},
            )
            return web.Response(text="ok")
        try:
            parsed = Update.de_json(data, self.ptb.bot)
        except Exception as error:  # PTB raises whatever a field of the wrong shape provokes
            log.warning(
                "telegram webhook update malformed; acknowledged and dropped",
                extra={"error": type(error).__name__},
            )
            return web.Response(text="ok")
        problem = unusable(parsed, self.username)
        if problem is not None:
            log.warning(
                "telegram webhook update malformed; acknowledged and dropped", extra={"error": problem}
            )
            return web.Response(text="ok")
        if not self._live:
            return web.Response(status=503)  # Telegram retries later
        query = parsed.callback_query
        if query is not None:
            # The press is acknowledged in this response (Telegram runs one Bot API method given there): a
            # request less per press, and the button's spinner stops before the press is even handled.
            self._answered_in_reply.add(parsed.update_id)
        await self.ptb.update_queue.put(parsed)
        if query is not None:
            return web.json_response({"method": "answerCallbackQuery", "callback_query_id": query.id})
        return web.Response(text="ok")

    # Incoming --------------------------------------------------------------------------------------------
    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        answered = update.update_id in self._answered_in_reply  # by the webhook's response
        self._answered_in_reply.discard(update.update_id)
        message = update.message
        if message is not None and message.migrate_to_chat_id is not None:
            await self.chat_migrated(str(message.chat.id), str(message.migrate_to_chat_id))
            return
        if update.my_chat_member is not None:
            await self._membership(update)
            return
        event = to_incoming(update, self.username)
        if event is None:
            return
        group = message.media_group_id if message is not None else None
        if group is not None and event.attachments:
            gathered = await self.albums.gather(group, event)
            if gathered is None:
                return  # a later part of an album: handled with its first
            event = gathered
        else:
            await self.albums.after(event.chat_id)
        query = update.callback_query
        # Polling: the spinner on the button stops at once, while the press is handled.
        answering = (
            asyncio.ensure_future(self._answer(update)) if query is not None and not answered else None
        )
        try:
            if too_large(event):
                await self._refuse_large(event)
                kept = within_limit(event)  # the rest of an album goes on
                if kept is None:
                    return
                event = kept
            result = await self.app.dispatcher.handle(event)
        finally:
            if answering is not None:
                await answering
        if result.duplicate:
            return
        replies = result.replies
        if replies and self._private_redirect(event):
            with use_locale(result.locale):
                label = _("Open a private chat with me")
            replies = [*replies[:-1], WithLink.of(replies[-1], label, f"https://t.me/{self.username}")]
        sending = send_replies(self.app, self, event.chat_id, replies, result.locale)
        if query is not None and not event.is_group:
            # In a group the same buttons serve every member (e.g. "I have read this"): leave them in place.
            # The pressed message is marked while the replies go: two messages, neither waits for the other.
            await asyncio.gather(self._mark_pressed(update), sending)
        else:
            await sending

    async def _answer(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError:
            pass  # already answered (a redelivered update) or too old: nothing to do
        except Exception as error:  # whatever else went wrong, the press is still handled and answered
            log.warning("telegram button press not acknowledged", extra={"error": type(error).__name__})

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
        if message is None:  # an inline message: never handled (bot.channels.telegram.convert), never marked
            return
        label = None
        markup = getattr(message, "reply_markup", None)
        if markup is not None:
            for row in markup.inline_keyboard:
                for button in row:
                    if button.callback_data == query.data:
                        label = button.text
        text = getattr(message, "text", None)
        with_label = bool(text and label and len(text) + len(label) + 4 <= 4096)
        method = "editMessageText" if with_label else "editMessageReplyMarkup"
        # A plain Bot API call, its answer left as the dict Telegram sent: PTB's typed methods parse the edited
        # message into objects nobody reads, which cost more CPU than the request (as for sendMessage, send.py).
        # Without a reply_markup the keyboard goes.
        params: dict[str, object] = {"chat_id": message.chat.id, "message_id": message.message_id}
        if with_label:
            params["text"] = f"{text}\n\n✓ {label}"
        try:
            await self.ptb.bot.do_api_request(method, api_kwargs=params)
        except Exception as error:  # too old to edit, already shows this, or anything else: the reply follows
            # The class only: an error's text may quote the message, which is never logged.
            log.warning(
                "telegram pressed button not marked", extra={"method": method, "error": type(error).__name__}
            )

    async def _refuse_large(self, event: Incoming) -> None:
        await say(
            self.app,
            self,
            event.chat_id,
            event.user_id,
            lambda: _(
                "That file is too large for me: I can receive files up to {limit} MB. "
                "Please send a smaller file or a photo."
            ).format(limit=DOWNLOAD_LIMIT // (1024 * 1024)),
        )

    def unreadable_text(self) -> str:
        """Stickers, polls, games: what the bot can read."""
        return _(
            "I can read text, photos, files, voice messages, locations and contacts. Please send one of those, "
            "or type /help."
        )

    async def _membership(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        gone = change.new_chat_member.status in ("left", "kicked")
        await set_reachable(self.app.db, str(change.chat.id), not gone)
        was_out = change.old_chat_member.status in ("left", "kicked")
        if was_out and not gone and change.chat.type != "private":
            locale = self.app.settings.default_locale
            with use_locale(locale):
                text = _(
                    "Hello! I am An Dân, the neighbourhood safety assistant. A group leader can link this "
                    "group chat with /lienketnhom, so that I post reminders, alerts and the weekly digest "
                    "here. I never ask for personal information in a group."
                )
            await send_replies(self.app, self, str(change.chat.id), [Reply(text)], locale)

    async def chat_migrated(self, old: str, new: str) -> None:
        await move_chat(self.app.db, old, new)
        log.info("telegram group migrated to a supergroup")

    # Outgoing --------------------------------------------------------------------------------------------
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        if not self._sending:
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

    def join_link(self, code: str) -> str | None:
        return telegram_link(self.username, code) if self.username else None

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
