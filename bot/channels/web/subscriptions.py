"""Web Push on the chat's side: a registered person's browser subscribes (`POST /api/push`) or unsubscribes
(`DELETE /api/push`), and a message for a session with no open page tells its browsers that a message waits
(the sending itself: bot.channels.web.push)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlmodel import col, delete, select

from bot.channels.web.incoming import BadInput, Reading
from bot.channels.web.page import page_strings
from bot.channels.web.push import checked_subscription
from bot.channels.web.transcript import is_urgent
from bot.channels.zalo_common import Refused, check_url
from bot.core.replies import Reply
from bot.directory.people import identity_for
from bot.i18n import use_locale
from models.web import WebPushSubscription

if TYPE_CHECKING:
    from bot.channels.web.push import WebPush


class Subscriptions(Reading):
    """Part of WebChannel (bot.channels.web.channel): the browsers to push to, and the push.

    A subscription belongs to a browser session whose person registered (nothing is kept before consent); it is
    erased with the session's transcript (`forget`). A push says only that there is a message, in the person's
    language: never a word of it, so a lock screen or the push service learns nothing of a tip or an alert."""

    push: WebPush | None

    async def push_subscribe(self, request: web.Request) -> web.StreamResponse:
        try:
            sid, body = await self._push_request(request)
            try:
                subscription = checked_subscription(body)
            except ValueError:
                raise BadInput("malformed", 400) from None
            if self.push is None:
                raise BadInput("push_off", 404)
            try:
                check_url(subscription["endpoint"], self.push.policy)
            except Refused:
                raise BadInput("push_service", 400) from None
            async with self.app.db.session() as session:
                if await identity_for(session, self.name, sid) is None:
                    raise BadInput("push_stranger", 403)
                key = self._endpoint_key(subscription["endpoint"])
                # The same browser subscribing again (or for another session) replaces its row.
                await session.exec(
                    delete(WebPushSubscription).where(col(WebPushSubscription.endpoint_key) == key)
                )
                sealed = self.app.keyring.seal("web-push", json.dumps(subscription).encode())
                session.add(WebPushSubscription(session_id=sid, endpoint_key=key, sealed=sealed))
                await session.commit()
        except BadInput as bad:
            return await self._push_refusal(request, bad)
        return web.json_response({"ok": True})

    async def push_unsubscribe(self, request: web.Request) -> web.StreamResponse:
        try:
            sid, body = await self._push_request(request)
            endpoint = body.get("endpoint")
            if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2048:
                raise BadInput("malformed", 400)
        except BadInput as bad:
            return await self._push_refusal(request, bad)
        async with self.app.db.session() as session:
            await session.exec(
                delete(WebPushSubscription).where(
                    col(WebPushSubscription.endpoint_key) == self._endpoint_key(endpoint),
                    col(WebPushSubscription.session_id) == sid,
                )
            )
            await session.commit()
        return web.json_response({"ok": True})

    async def _push_request(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        """The session and JSON body of a subscription request; a browser without a session has no person."""
        self._check_post(request)
        token = self._cookie(request)
        if token is None:
            raise BadInput("push_stranger", 403)
        return self._hash_session(token), await self._read_small_json(request)

    async def _push_refusal(self, request: web.Request, bad: BadInput) -> web.StreamResponse:
        token = self._cookie(request)
        locale = await self._locale(self._hash_session(token)) if token else self.app.settings.default_locale
        with use_locale(locale):
            return web.json_response({"error": bad.message()}, status=bad.status)

    def _endpoint_key(self, endpoint: str) -> str:
        return self.app.keyring.keyed_hash("web-push-endpoint", endpoint)

    async def _notify(self, sid: str, reply: Reply) -> None:
        """Tell this session's subscribed browsers that a message is waiting; forget those the service says are
        gone."""
        assert self.push is not None
        async with self.app.db.session() as session:
            rows = list(
                (
                    await session.exec(
                        select(WebPushSubscription).where(col(WebPushSubscription.session_id) == sid)
                    )
                ).all()
            )
        if not rows:
            return
        urgent = is_urgent(reply.to_payload())
        with use_locale(await self._locale(sid)) as lang:
            text = page_strings()["push_urgent" if urgent else "push_new"]
        data = json.dumps({"title": "An Dân", "body": text, "urgent": urgent, "lang": lang}).encode()
        gone: list[int] = []
        for row in rows:
            opened = self.app.keyring.unseal("web-push", row.sealed)
            if opened is None:
                continue
            status = await self.push.send(json.loads(opened), data, urgent=urgent)
            if status in (404, 410):  # the browser unsubscribed or the subscription expired
                gone.append(row.id or 0)
        if gone:
            async with self.app.db.session() as session:
                await session.exec(delete(WebPushSubscription).where(col(WebPushSubscription.id).in_(gone)))
                await session.commit()
