"""The weekly digest: every Monday 07:00 (per ward, see models.DigestSetting) a short summary for each role.

Features contribute sections and group columns (bot.extensions.digest_sections); this package decides who gets what
(audience), composes it (build, chart, table) and queues it to the outbox once per person and week (tick).
Sections should compute ward-wide figures once with `memo` (bot.digest.memo) to stay set-based.
"""

from bot.digest.memo import memo
from bot.digest.tick import digest_tick, latest_moment, send_ward

__all__ = ["digest_tick", "latest_moment", "memo", "send_ward"]
