"""A minimal Bot API channel (sendMessage over aiohttp) for benchmarks when the real adapter is not usable.

It maps Telegram's answers to the delivery errors exactly as the contract in bot.channels.base asks:
429 → RetryAfter(retry_after), 403 → Unreachable, other 4xx → Permanent, 5xx and network errors → Transient.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.base import Channel, Permanent, RetryAfter, Transient, Unreachable
from bot.core.replies import Reply


class MinimalTelegram(Channel):
    name = "telegram"
    supports_buttons = True

    def __init__(self, api_url: str, token: str, paid: bool = False) -> None:
        self.url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self.paid = paid
        self._http: aiohttp.ClientSession | None = None

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10), connector=aiohttp.TCPConnector(limit=0)
            )
        body: dict[str, Any] = {"chat_id": chat_id, "text": reply.text}
        if reply.choices:
            body["reply_markup"] = {
                "inline_keyboard": [[{"text": c.label, "callback_data": c.payload}] for c in reply.choices]
            }
        if self.paid:
            body["allow_paid_broadcast"] = True
        try:
            async with self._http.post(self.url, json=body) as response:
                answer = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Transient(f"network: {type(exc).__name__}") from exc
        if answer.get("ok"):
            return [str(answer["result"]["message_id"])]
        code, description = int(answer.get("error_code", 0)), str(answer.get("description", ""))
        if code == 429:
            raise RetryAfter(float((answer.get("parameters") or {}).get("retry_after", 1)), description)
        if code == 403:
            raise Unreachable(description)
        if 400 <= code < 500:
            raise Permanent(description)
        raise Transient(description or f"HTTP {code}")
