"""Storing tips safely: receipt codes, the keyed rate limit, metadata-free copies of files, scam indicators; and
finding the police of a ward."""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import phonenumbers
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.cleaning.result import Content, Verdict
from bot.core.events import Incoming, Kind
from bot.db import execute
from bot.guard import ratelimit
from bot.i18n import local, zone
from bot.security import Keyring, new_code, new_salt, normalize_code, slow_hash
from bot.textnorm import fold
from handlers.alerts.identifiers import domains_in, phones_in
from models import LinkedChat, Person, Role, RoleGrant, Tip, TipAttachment, TipRateCounter, TipStatus, Ward

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


async def _slow_hash(code: str, salt: bytes) -> str:
    """scrypt in a worker thread (hashlib releases the GIL): tens of milliseconds the event loop keeps serving."""
    return await asyncio.to_thread(slow_hash, code, salt)


async def issue_code(keyring: Keyring, tip: Tip) -> str:
    code = new_code(groups=4, size=4)
    salt = new_salt()
    tip.receipt_bucket = bucket_of(keyring, code)
    tip.receipt_salt = salt.hex()
    tip.receipt_hash = await _slow_hash(code, salt)
    return code


async def find_by_code(session: AsyncSession, keyring: Keyring, typed: str) -> Tip | None:
    """The tip with this receipt code. Callers bound how often this runs (wrong attempts per client, /tracuu):
    each call may cost several scrypt runs."""
    code = normalize_code(typed)
    if len(code) != 19:  # 16 characters in 4 groups
        return None
    rows = await session.exec(select(Tip).where(Tip.receipt_bucket == bucket_of(keyring, code)))
    for tip in rows.all():
        if (
            tip.receipt_salt
            and tip.receipt_hash
            and hmac.compare_digest(tip.receipt_hash, await _slow_hash(code, bytes.fromhex(tip.receipt_salt)))
        ):
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


# The same tip twice ---------------------------------------------------------------------------------------
# Someone unsure whether her tip went may send it again; she is asked first (flows/submit.py). The bot remembers
# "this person sent these words" for a day the way it counts tips: a row in the same table under a keyed hash of
# the person and the tip's folded words, never the person, the tip or its words. `day` lets the daily clean-up
# (handlers/tips/ticks.py) drop it with the counters; `count` holds the minute of that day it was sent, so the
# question can say when. Without the keyring the row names no one. Someone holding the keyring and the database
# could test a person against a tip of that day, as they can already test who sent tips today by the counter:
# the row goes at the same clean-up, a day or two later.
SAME_TIP_HOURS = 24


def tip_fingerprint(category: str, text: str) -> str | None:
    """What makes two tips the same: the category and the words, folded (case, accents, punctuation and spacing
    aside). None for a tip without words: two photos of one category are not known to be the same."""
    folded = fold(text)
    return f"{category}\x1f{folded}" if folded else None


def _same_key(keyring: Keyring, person_id: int, fingerprint: str) -> str:
    return keyring.keyed_hash("tip-same", str(person_id), fingerprint)


async def sent_before(
    session: AsyncSession, keyring: Keyring, person_id: int, fingerprint: str | None
) -> datetime | None:
    """When this person last sent a tip with this fingerprint, if within the last day."""
    if fingerprint is None:
        return None
    row = await session.get(TipRateCounter, _same_key(keyring, person_id, fingerprint))
    if row is None:
        return None
    midnight = datetime.combine(date.fromisoformat(row.day), time(), tzinfo=zone())
    sent = midnight + timedelta(minutes=row.count)
    return sent if clock.now() - sent < timedelta(hours=SAME_TIP_HOURS) else None


async def remember_sent(
    session: AsyncSession, keyring: Keyring, person_id: int, fingerprint: str | None
) -> None:
    if fingerprint is None:
        return
    now = local(clock.now())
    key = _same_key(keyring, person_id, fingerprint)
    row = await session.get(TipRateCounter, key) or TipRateCounter(key=key, day="", count=0)
    row.day = now.date().isoformat()
    row.count = now.hour * 60 + now.minute
    session.add(row)


# Per client network (web chat): a new cookie is a new person, so the per-person limit alone is no limit there.
async def network_has_room(app: App, session: AsyncSession, client: str | None) -> bool:
    """Whether the sender's client network may still send a tip today (always, outside the web chat)."""
    return client is None or (await ratelimit.peek(app, session, ratelimit.WEB_TIPS, client)).allowed


async def count_network_tip(app: App, session: AsyncSession, client: str | None) -> bool:
    """Count a tip against its client network; False (and nothing may be sent) once today's allowance is used."""
    return client is None or (await ratelimit.take(app, session, ratelimit.WEB_TIPS, client)).allowed


# The police of a ward -------------------------------------------------------------------------------------
async def ward_name(session: AsyncSession, ward_code: int) -> str:
    ward = await session.get(Ward, ward_code)
    return ward.name if ward else str(ward_code)


async def police_of_ward(
    session: AsyncSession, ward_code: int, role: str = Role.POLICE.value
) -> list[Person]:
    """Everyone holding `role` in the ward (one query)."""
    rows = await session.exec(
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(RoleGrant.role == role, RoleGrant.ward_code == ward_code, col(RoleGrant.revoked_at).is_(None))
        .order_by(col(Person.id))
        .distinct()
    )
    return list(rows.all())


async def police_chats(session: AsyncSession, ward_code: int) -> list[LinkedChat]:
    rows = await session.exec(
        select(LinkedChat).where(
            LinkedChat.ward_code == ward_code,
            LinkedChat.purpose == "police",
            col(LinkedChat.unreachable_at).is_(None),
        )
    )
    return list(rows.all())


# Files ----------------------------------------------------------------------------------------------------
# Why the tipster should decide about a file before it is sent: police will hear their voice, or the file goes
# as sent because its metadata (author, device, place) could not be removed.
RISK_VOICE = "voice"
RISK_UNCLEANED = "uncleaned"
KINDS = {Content.IMAGE: "photo", Content.VIDEO: "video", Content.AUDIO: "voice"}
EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "application/zip": "zip",
}


@dataclass(frozen=True)
class Stored:
    kind: str
    police_ref: str
    original_ref: str
    mime_type: str
    size: int
    stripped: bool
    risk: str = ""  # RISK_VOICE, RISK_UNCLEANED or "" (states saved before it existed have six fields)

    def as_json(self) -> list:
        return [
            self.kind,
            self.police_ref,
            self.original_ref,
            self.mime_type,
            self.size,
            self.stripped,
            self.risk,
        ]

    @classmethod
    def from_json(cls, value: list) -> Stored:
        return cls(*value)


@dataclass(frozen=True)
class Refused:
    """A file that was not kept at all: an image over the pixel budget, or every cleaning worker busy."""

    verdict: Verdict


async def keep_file(app: App, data: bytes, kind: str, mime: str | None) -> Stored | Refused:
    """Clean the file off the event loop (bot.cleaning), then keep the original encrypted and the police copy
    under a neutral name: cleaned when possible, else as sent (the tipster is asked first, see `risk`)."""
    cleaned = await app.cleaner.clean(data)
    if cleaned.verdict in (Verdict.TOO_MANY_PIXELS, Verdict.BUSY):
        return Refused(cleaned.verdict)
    mime = mime or "application/octet-stream"
    # What the bytes are decides, not what the sender's app called them; a sound is a voice either way.
    stored_kind = KINDS.get(cleaned.content, "file")
    if cleaned.content is Content.UNKNOWN and kind in ("photo", "voice", "video"):
        stored_kind = "file" if kind == "photo" else kind
    heard = kind == "voice" or cleaned.content is Content.AUDIO
    original_ref = await app.media.put(data, mime, "original")
    if cleaned.ok:
        police_ref = await app.media.put(
            cleaned.data, cleaned.mime_type, f"{stored_kind}.{cleaned.extension}"
        )
        return Stored(
            stored_kind,
            police_ref,
            original_ref,
            cleaned.mime_type,
            len(cleaned.data),
            True,
            RISK_VOICE if heard else "",
        )
    police_ref = await app.media.put(data, mime, f"{stored_kind}.{EXTENSIONS.get(mime, 'bin')}")
    return Stored(
        stored_kind, police_ref, original_ref, mime, len(data), False, RISK_VOICE if heard else RISK_UNCLEANED
    )


def attachment_rows(tip_id: int, files: list[list]) -> list[TipAttachment]:
    rows = []
    for value in files:
        stored = Stored.from_json(value)
        rows.append(
            TipAttachment(
                tip_id=tip_id,
                kind=stored.kind,
                police_ref=stored.police_ref,
                original_ref=stored.original_ref,
                mime_type=stored.mime_type,
                size=stored.size,
                stripped=stored.stripped,
            )
        )
    return rows


async def discard_files(app: App, files: list[list]) -> None:
    for value in files:
        stored = Stored.from_json(value)
        if stored.police_ref:
            await app.media.delete(stored.police_ref)
        await app.media.delete(stored.original_ref)


async def remove_files(app: App, files: list[list], refs: set[str]) -> list[list]:
    """Delete the stored media of the files whose original is in `refs`; returns the files that remain."""
    doomed = [value for value in files if Stored.from_json(value).original_ref in refs]
    await discard_files(app, doomed)
    return [value for value in files if value not in doomed]


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


def phone_given(event: Incoming) -> str | None:
    """The Vietnamese phone number a person typed or shared as a contact, written the way the police read it
    ("0912345678"), or None when it is not one."""
    raw = event.contact.phone if event.kind == Kind.CONTACT and event.contact else event.text
    phone = normalize_phone(raw or "")
    return "0" + phone.removeprefix("+84") if phone is not None else None


def indicators(text: str) -> list[str]:
    """Phone numbers ("+84…") and link hosts in a tip, normalised as the scam check normalises what it is asked."""
    return (phones_in(text) + domains_in(text))[:20]


# Two officers on one tip at the same moment ----------------------------------------------------------------------
# Each officer's press reads the tip first; two presses at once both read it open. The change itself is one
# conditional update, which waits for the other's transaction (the row lock on PostgreSQL, the one writer of
# SQLite) and then finds the tip changed: only one officer records the notice of receipt or closes the tip.
# Before, both did: the second notice's outbox key failed the whole update (no answer on Telegram, HTTP 500 on the
# web), and two closings left the tip with one officer's outcome while the tipster was told the other's.
async def claim_acknowledgement(session: AsyncSession, tip_id: int, at: datetime) -> bool:
    """Record the notice of receipt, unless another officer recorded it meanwhile (False)."""
    result = await execute(
        session,
        update(Tip)
        .where(col(Tip.id) == tip_id, col(Tip.acknowledged_at).is_(None))
        .values(acknowledged_at=at),
    )
    return bool(result.rowcount)


async def claim_status(session: AsyncSession, tip_id: int, status: str) -> bool:
    """Give the open tip its new status, unless another officer closed it meanwhile (False)."""
    result = await execute(
        session,
        update(Tip).where(col(Tip.id) == tip_id, col(Tip.status).in_(TipStatus.OPEN)).values(status=status),
    )
    return bool(result.rowcount)
