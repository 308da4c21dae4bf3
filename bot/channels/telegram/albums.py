"""Albums: photos (or files) chosen at once reach a bot as one message each, back to back, sharing a
`media_group_id`; only the first may carry a caption. Handled one by one, four photos drew seven replies, each
with the question's buttons and a count right only for the last, and the first form to see them capped them at
its own limit. Here the parts of an album are gathered into one event (files in order, captions joined) and
handled once no part has come for a moment; anything else the person sends meanwhile waits for it, so the
album is handled first as it was sent first.

Kept in the process: in webhook mode behind several processes, parts that reach different processes make one
event in each (nothing is lost, the person gets a reply per process).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from bot.core.events import Incoming

QUIET_SECONDS = 0.8  # Telegram delivers an album's parts within milliseconds of each other
MOST_PARTS = 10  # an album holds at most ten


@dataclass
class _Album:
    parts: list[Incoming]
    more: asyncio.Event = field(default_factory=asyncio.Event)
    handed: asyncio.Event = field(default_factory=asyncio.Event)  # the gathered event left for the dispatcher


def merged(parts: list[Incoming]) -> Incoming:
    """One event of the parts, in the order they were sent: every file, the captions joined, the first part's
    update key (the album's redelivered first part is then a duplicate)."""
    ordered = sorted(parts, key=lambda e: int(e.update_key or "0") if (e.update_key or "").isdigit() else 0)
    first = ordered[0]
    captions = [e.text.strip() for e in ordered if e.text.strip()]
    return replace(
        first,
        text="\n".join(captions),
        attachments=tuple(a for e in ordered for a in e.attachments),
    )


class Albums:
    """The albums being gathered, by chat and media group."""

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self.quiet = quiet
        self._open: dict[tuple[str, str], _Album] = {}

    async def gather(self, group: str, event: Incoming) -> Incoming | None:
        """For the first part of an album, the whole album once complete; None for a later part, which went into
        the first's."""
        key = (event.chat_id, group)
        album = self._open.get(key)
        if album is not None:
            album.parts.append(event)
            album.more.set()
            return None
        album = self._open[key] = _Album([event])
        try:
            while len(album.parts) < MOST_PARTS:
                album.more.clear()
                try:
                    await asyncio.wait_for(album.more.wait(), self.quiet)
                except TimeoutError:
                    break
        finally:
            del self._open[key]
            album.handed.set()
        return merged(album.parts)

    async def after(self, chat_id: str) -> None:
        """Wait until the albums being gathered in this chat have been handed on: what the person sent after an
        album is handled after it."""
        for (chat, _group), album in list(self._open.items()):
            if chat == chat_id:
                await album.handed.wait()
