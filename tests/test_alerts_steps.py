"""Shared steps of the alerts journeys (no tests here): composing in the web chat, reading and acknowledging."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlmodel import select

from models import Area, Group
from models.alerts import Alert


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 6), (200, 30, 30, 128)).save(out, format="PNG")
    return out.getvalue()


# A small transparent PNG: a real image for the photo step (it is re-encoded without metadata when kept).
PNG = _png()


async def compose(
    author: Any,
    *,
    title: str,
    body: str,
    category: str = "scam",
    severity: str = "urgent",
    scope: tuple[str, ...] = ("scope:ward",),
    watch: str | None = None,
    when: str | None = None,
) -> list[dict[str, Any]]:
    """Write an alert up to its preview; returns the preview replies (the alert, then the question)."""
    await author.say("/soancanhbao")
    await author.press(f"cat:{category}")
    await author.press(f"sev:{severity}")
    await author.say(title)
    await author.say(body)
    await author.press("photo:none")
    await author.press("link:none")
    if category == "scam":
        if watch:
            await author.say(watch)
            await author.press("watch:done")  # what was typed is shown back, with Done
        else:
            await author.press("watch:none")
    for step in scope:
        await author.press(step)
    if when is None:
        return await author.press("when:now")
    await author.press("when:later")
    return await author.say(when)


async def send(author: Any, **kw: Any) -> list[dict[str, Any]]:
    await compose(author, **kw)
    return await author.press("confirm:send")


def alerts_in(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pushed alerts among polled messages (they carry the "I have read this" choice)."""
    return [m for m in messages if any(c["payload"].startswith("ack:") for c in m.get("choices", []))]


async def acknowledge(person: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = next(c["payload"] for c in message["choices"] if c["payload"].startswith("ack:"))
    return await person._post(json={"choice": payload})


async def group_id(town: Any, area: str, group: str) -> int:
    async with town.app.db.session() as session:
        row = (
            await session.exec(
                select(Group)
                .join(Area, Area.id == Group.area_id)  # type: ignore[arg-type]
                .where(Area.name == area, Group.name == group)
            )
        ).one()
        return int(row.id)


async def latest_alert(town: Any) -> Alert:
    async with town.app.db.session() as session:
        return (await session.exec(select(Alert).order_by(Alert.id.desc()))).first()  # type: ignore[union-attr]
