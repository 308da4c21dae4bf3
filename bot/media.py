"""Media kept by the bot (photos of tips and alerts, exported spreadsheets), always encrypted at rest.

A stored item is referenced as "media:<id>" in replies and outbox payloads; each channel resolves the reference
when it delivers (uploading the bytes, never forwarding someone's message, which would reveal the sender).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.security import Keyring

PREFIX = "media:"
PURPOSE = "media"


@dataclass(frozen=True)
class Item:
    id: str
    data: bytes
    mime_type: str
    filename: str


class MediaStore:
    def __init__(self, root: Path, keyring: Keyring) -> None:
        self.root = root
        self.keyring = keyring

    def _path(self, media_id: str) -> Path:
        if not media_id.isalnum():
            raise ValueError("bad media id")
        return self.root / media_id[:2] / media_id

    async def put(self, data: bytes, mime_type: str, filename: str) -> str:
        """Store bytes; returns the "media:<id>" reference."""
        media_id = secrets.token_hex(16)
        header = json.dumps({"mime": mime_type, "name": filename}).encode()
        blob = self.keyring.seal(PURPOSE, len(header).to_bytes(4, "big") + header + data)
        path = self._path(media_id)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(blob)

        await asyncio.to_thread(write)
        return PREFIX + media_id

    async def get(self, ref: str) -> Item | None:
        media_id = ref.removeprefix(PREFIX)
        try:
            path = self._path(media_id)
        except ValueError:
            return None
        if not await asyncio.to_thread(path.exists):
            return None
        opened = self.keyring.unseal(PURPOSE, await asyncio.to_thread(path.read_text))
        if opened is None:
            return None
        size = int.from_bytes(opened[:4], "big")
        header = json.loads(opened[4 : 4 + size])
        return Item(media_id, opened[4 + size :], header["mime"], header["name"])

    async def delete(self, ref: str) -> None:
        try:
            path = self._path(ref.removeprefix(PREFIX))
        except ValueError:
            return
        await asyncio.to_thread(path.unlink, missing_ok=True)


def is_ref(url: str | None) -> bool:
    return bool(url) and url.startswith(PREFIX)  # type: ignore[union-attr]
