"""Keeps the OA access token fresh without ever losing the single-use refresh token.

The tokens given in the settings only seed the `zalo_oa_credentials` row; from then on the row is the truth, so
a restart uses the latest pair. A refresh happens ahead of expiry (trusting `expires_in`) or when Zalo rejects
the token. The new pair is committed before the new access token is used. Within a process a lock makes
concurrent refreshes wait for one another; across processes the row is locked (PostgreSQL) and a process whose
refresh token was just spent by another adopts the pair that process stored instead of failing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.channels.base import RetryAfter
from bot.channels.zalo_oa.api import OAApi, OAuthFailed, until
from models import ZaloOACredentials

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SEAL = "zalo-oa-token"
REFRESH_AHEAD = timedelta(hours=1)
ADOPT_TRIES, ADOPT_WAIT = 10, 0.2  # how long to wait for another process's refresh to be committed
BROKEN_PAUSE = 3600.0
RETRY_REFUSED = timedelta(
    minutes=10
)  # after a refused refresh, keep using the old token this long before trying again


@dataclass(frozen=True)
class Pair:
    access: str
    refresh: str
    expires_at: datetime | None
    version: int

    def due(self) -> bool:
        """Refresh now: the age of the token is unknown, or it has less than an hour left."""
        return self.expires_at is None or self.expires_at - clock.now() < REFRESH_AHEAD

    def alive(self) -> bool:
        return bool(self.access) and (self.expires_at is None or self.expires_at > clock.now())


class TokenKeeper:
    def __init__(self, app: App, api: OAApi) -> None:
        self.app, self.api = app, api
        settings = app.settings
        assert settings.zalo_oa_app_id is not None
        self.app_id = settings.zalo_oa_app_id
        self._seed_access = (
            settings.zalo_oa_access_token.get_secret_value() if settings.zalo_oa_access_token else ""
        )
        self._seed_refresh = (
            settings.zalo_oa_refresh_token.get_secret_value() if settings.zalo_oa_refresh_token else ""
        )
        self._fingerprint = app.keyring.keyed_hash("zalo-oa-seed", self.app_id, self._seed_refresh)
        self._lock = asyncio.Lock()
        self._pair: Pair | None = None
        self._refused_at: datetime | None = None

    # Reading ---------------------------------------------------------------------------------------------
    def _open(self, row: ZaloOACredentials) -> Pair:
        keyring = self.app.keyring
        access = keyring.unseal(SEAL, row.access_token) or b""
        refresh = keyring.unseal(SEAL, row.refresh_token) or b""
        return Pair(access.decode(), refresh.decode(), row.expires_at, row.version)

    async def _row(self, session: AsyncSession, *, lock: bool = False) -> ZaloOACredentials:
        """The stored pair, seeded from the settings on first use or when the operator put in new tokens."""
        query = select(ZaloOACredentials).where(ZaloOACredentials.app_id == self.app_id)
        if lock and not self.app.db.is_sqlite:
            query = query.with_for_update()
        row = (await session.exec(query)).first()
        if row is not None and (row.seed_fingerprint == self._fingerprint or not self._seed_refresh):
            return row
        if row is None:
            row = ZaloOACredentials(
                app_id=self.app_id, access_token="", refresh_token="", seed_fingerprint=""
            )
        keyring = self.app.keyring
        row.access_token = keyring.seal(SEAL, self._seed_access.encode())
        row.refresh_token = keyring.seal(SEAL, self._seed_refresh.encode())
        row.expires_at, row.seed_fingerprint, row.updated_at = None, self._fingerprint, clock.now()
        row.version += 1
        session.add(row)
        log.info("zalo oa tokens seeded from settings")
        return row

    async def current(self) -> Pair:
        if self._pair is None:
            async with self.app.db.session() as session:
                row = await self._row(session)
                pair = self._open(row)
                try:
                    await session.commit()
                except IntegrityError:  # another process seeded at the same moment: read its row
                    await session.rollback()
                    pair = self._open(await self._row(session))
            self._pair = pair
        return self._pair

    async def access_token(self) -> str:
        """A usable access token, refreshed first when it is about to expire."""
        pair = await self.current()
        if not pair.due():
            return pair.access
        if pair.alive() and (
            not pair.refresh
            or (self._refused_at is not None and clock.now() - self._refused_at < RETRY_REFUSED)
        ):
            return (
                pair.access
            )  # nothing to refresh with, or refused a moment ago: don't hammer the OAuth server
        try:
            return (await self.refresh(pair.access)).access
        except OAuthFailed as error:
            self._refused_at = clock.now()
            log.error(
                "zalo oa token refresh refused: authorize the app again and set ANDAN_ZALO_OA_REFRESH_TOKEN",
                extra={"code": error.code},
            )
            if pair.alive():
                return pair.access  # still valid for a while: keep serving
            raise RetryAfter(BROKEN_PAUSE, "zalo oa credentials need renewal") from None

    # Refreshing ------------------------------------------------------------------------------------------
    async def refresh(self, stale: str) -> Pair:
        """Replace `stale` (the token in hand) unless someone already did; returns the pair to use."""
        async with self._lock:
            async with self.app.db.session() as session:
                row = await self._row(session, lock=True)
                pair = self._open(row)
                if pair.access != stale and pair.access and not pair.due():
                    await session.commit()
                    self._pair = pair
                    return pair  # refreshed meanwhile by another task or process
                try:
                    access, refresh, expires_in = await self.api.refresh(pair.refresh)
                except OAuthFailed:
                    await session.rollback()
                    newer = await self._adopt_newer(pair.version)
                    if newer is None:
                        raise
                    return newer
                keyring = self.app.keyring
                # Stored before anything uses the new access token: the old refresh token is already spent.
                row.access_token = keyring.seal(SEAL, access.encode())
                row.refresh_token = keyring.seal(SEAL, refresh.encode())
                row.expires_at, row.updated_at, row.version = until(expires_in), clock.now(), pair.version + 1
                session.add(row)
                await session.commit()
                self._pair = Pair(access, refresh, row.expires_at, row.version)
            log.info("zalo oa access token refreshed", extra={"expires_in": expires_in})
            return self._pair

    async def _adopt_newer(self, version: int) -> Pair | None:
        """After our refresh token was refused: a pair stored by another process, if it appears shortly."""
        for _attempt in range(ADOPT_TRIES):
            async with self.app.db.session() as session:
                row = (
                    await session.exec(
                        select(ZaloOACredentials).where(ZaloOACredentials.app_id == self.app_id)
                    )
                ).first()
                if row is not None and row.version > version:
                    self._pair = self._open(row)
                    return self._pair
            await asyncio.sleep(ADOPT_WAIT)
        return None


async def keep_tokens_fresh(app: App) -> None:
    """Refresh ahead of expiry even when nothing is sent, so the 3-month refresh token never lapses unused."""
    channel = app.channels.get("zalo_oa")
    keeper = getattr(channel, "tokens", None)
    if isinstance(keeper, TokenKeeper):
        await keeper.access_token()
