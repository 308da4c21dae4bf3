"""Storing tips safely: receipt codes, the keyed rate limit, metadata-free copies of files, scam indicators."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.i18n import local
from bot.security import Keyring, new_code, new_salt, normalize_code, slow_hash
from handlers.alerts.identifiers import domains_in, phones_in
from models import Tip, TipAttachment, TipRateCounter

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
# Pillow logs every EXIF tag it parses at DEBUG, values included: a photo's author, device and GPS position
# must not reach the logs when we read a tipster's photo to strip them.
logging.getLogger("PIL").setLevel(logging.INFO)


# Receipt codes --------------------------------------------------------------------------------------------
def bucket_of(keyring: Keyring, code: str) -> str:
    """A short keyed index: narrows a lookup to a handful of rows without revealing the code."""
    return keyring.keyed_hash("receipt", normalize_code(code))[:4]


def issue_code(keyring: Keyring, tip: Tip) -> str:
    code = new_code(groups=4, size=4)
    salt = new_salt()
    tip.receipt_bucket = bucket_of(keyring, code)
    tip.receipt_salt = salt.hex()
    tip.receipt_hash = slow_hash(code, salt)
    return code


async def find_by_code(session: AsyncSession, keyring: Keyring, typed: str) -> Tip | None:
    code = normalize_code(typed)
    if len(code) != 19:  # 16 characters in 4 groups
        return None
    rows = await session.exec(select(Tip).where(Tip.receipt_bucket == bucket_of(keyring, code)))
    for tip in rows.all():
        if tip.receipt_salt and tip.receipt_hash == slow_hash(code, bytes.fromhex(tip.receipt_salt)):
            return tip
    return None


# Rate limit without identity ------------------------------------------------------------------------------
def daily_limit(app: App) -> int:
    return app.settings.tip_daily_limit


def _rate_key(keyring: Keyring, person_id: int, day: str) -> str:
    return keyring.keyed_hash("tip-rate", str(person_id), day)


async def tips_today(session: AsyncSession, keyring: Keyring, person_id: int) -> int:
    day = local(clock.now()).date().isoformat()
    row = await session.get(TipRateCounter, _rate_key(keyring, person_id, day))
    return row.count if row else 0


async def count_tip(session: AsyncSession, keyring: Keyring, person_id: int) -> None:
    day = local(clock.now()).date().isoformat()
    key = _rate_key(keyring, person_id, day)
    row = await session.get(TipRateCounter, key) or TipRateCounter(key=key, day=day, count=0)
    row.count += 1
    session.add(row)


# Files ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    kind: str
    police_ref: str
    original_ref: str
    mime_type: str
    size: int
    stripped: bool

    def as_json(self) -> list:
        return [self.kind, self.police_ref, self.original_ref, self.mime_type, self.size, self.stripped]

    @classmethod
    def from_json(cls, value: list) -> Stored:
        return cls(*value)


def strip_image(data: bytes) -> tuple[bytes, str, str] | None:
    """Re-encode pixels only (EXIF, GPS, device, author and comments are left behind); None if not an image."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)  # keep the photo the right way up once EXIF is gone
            has_alpha = "A" in upright.getbands() or "transparency" in upright.info
            mode = "RGBA" if has_alpha else "RGB"
            converted = upright.convert(mode)
            clean = Image.frombytes(mode, converted.size, converted.tobytes())  # a new image: no info carried over
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    out = io.BytesIO()
    if mode == "RGBA":
        clean.save(out, format="PNG")
        return out.getvalue(), "image/png", "png"
    clean.save(out, format="JPEG", quality=90)
    return out.getvalue(), "image/jpeg", "jpg"


async def keep_file(app: App, data: bytes, kind: str, mime: str | None) -> Stored:
    """Keep the original encrypted, and a police copy without metadata (images) under a neutral name."""
    mime = mime or "application/octet-stream"
    original_ref = await app.media.put(data, mime, "original")
    is_image = kind == "photo" or mime.startswith("image/")
    stripped = strip_image(data) if is_image else None
    if stripped is not None:
        clean, clean_mime, ext = stripped
        police_ref = await app.media.put(clean, clean_mime, f"photo.{ext}")
        return Stored("photo", police_ref, original_ref, clean_mime, len(clean), True)
    if is_image:
        # A photo we cannot re-encode (HEIC, damaged) would carry its GPS and device as sent: no police copy;
        # an officer may still ask for the original, which is audited.
        return Stored("photo", "", original_ref, mime, len(data), False)
    ext = {"audio/ogg": "ogg", "audio/mpeg": "mp3", "application/pdf": "pdf", "video/mp4": "mp4"}.get(mime, "bin")
    police_ref = await app.media.put(data, mime, f"{kind}.{ext}")
    return Stored(kind if kind in ("voice", "video", "file") else "file", police_ref, original_ref, mime, len(data),
                  False)


def attachment_rows(tip_id: int, files: list[list]) -> list[TipAttachment]:
    rows = []
    for value in files:
        stored = Stored.from_json(value)
        rows.append(TipAttachment(tip_id=tip_id, kind=stored.kind, police_ref=stored.police_ref,
                                  original_ref=stored.original_ref, mime_type=stored.mime_type, size=stored.size,
                                  stripped=stored.stripped))
    return rows


async def discard_files(app: App, files: list[list]) -> None:
    for value in files:
        stored = Stored.from_json(value)
        if stored.police_ref:
            await app.media.delete(stored.police_ref)
        await app.media.delete(stored.original_ref)


# Scam indicators ------------------------------------------------------------------------------------------
def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number in any spelling ("0912 345 678", "+84 912…") as "+84…", or None."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 84:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def indicators(text: str) -> list[str]:
    """Phone numbers ("+84…") and link hosts in a tip, normalised as the scam check normalises what it is asked."""
    return (phones_in(text) + domains_in(text))[:20]
