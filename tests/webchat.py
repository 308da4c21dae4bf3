"""Drive the web chat over HTTP as people would: each WebPerson is a browser with its own cookie."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

from bot.app import App
from bot.app.server import build_http


class WebPerson:
    """One browser. `say` and `press` return the bot's replies to that input (as the page would show them)."""

    def __init__(self, server: WebServer, name: str) -> None:
        self.server = server
        self.name = name
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.seen: list[dict[str, Any]] = []
        self.cursor = 0

    @property
    def url(self) -> str:
        return self.server.url

    async def _post(self, **kw: Any) -> list[dict[str, Any]]:
        async with self.http.post(self.url + "/api/messages", **kw) as response:
            body = await response.json()
            if response.status != 200:
                raise WebError(response.status, body.get("error", ""))
        replies = [m for m in body["messages"] if m["direction"] == "out"]
        self.seen += replies
        return replies

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self._post(json={"text": text})

    async def press(self, label_or_payload: str) -> list[dict[str, Any]]:
        """Press the button of the latest message that has one with this label or payload."""
        for message in reversed(self.seen):
            for choice in message.get("choices", []):
                if label_or_payload in (choice["label"], choice["payload"]):
                    return await self._post(json={"choice": choice["payload"]})
        raise AssertionError(f"{self.name}: no button {label_or_payload!r} in {self.last_text()!r}")

    async def send_location(self, latitude: float, longitude: float) -> list[dict[str, Any]]:
        return await self._post(json={"location": {"latitude": latitude, "longitude": longitude}})

    async def send_file(
        self, data: bytes, filename: str, content_type: str, caption: str = ""
    ) -> list[dict[str, Any]]:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=filename, content_type=content_type)
        if caption:
            form.add_field("caption", caption)
        return await self._post(data=form)

    async def poll(self, wait: float = 0) -> list[dict[str, Any]]:
        """Messages pushed to this browser since the last poll (alerts, reminders, replies from police)."""
        async with self.http.get(
            self.url + "/api/messages", params={"after": self.cursor, "wait": wait}
        ) as response:
            body = await response.json()
        messages = body["messages"]
        if messages:
            self.cursor = max(m["id"] for m in messages if m["id"] is not None)
        return [m for m in messages if m["direction"] == "out"]

    def last_text(self) -> str:
        return self.seen[-1]["text"] if self.seen else ""

    def all_text(self, replies: list[dict[str, Any]] | None = None) -> str:
        return "\n".join(m["text"] for m in (self.seen if replies is None else replies))

    def choices(self) -> list[str]:
        for message in reversed(self.seen):
            if message.get("choices"):
                return [c["label"] for c in message["choices"]]
        return []

    async def close(self) -> None:
        await self.http.close()


class WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


class WebServer:
    """The app's HTTP server on a loopback port."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.runner = web.AppRunner(build_http(self.app), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
