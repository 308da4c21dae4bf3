"""Cleaning uploaded files before anyone else sees them: what identifies the sender is removed, off the event loop.

A file someone uploads (a tip's photo, video, voice note or document) may carry their name, device or position
in its metadata, and a hostile one may be built to exhaust the server when decoded. Everything here runs in a
bounded pool of worker processes (`pool.Cleaner`), each job with a time and memory limit; images are refused
above a pixel budget read from the header, before any pixel is decoded. What comes back is a `Cleaned` verdict
with the cleaned copy, if there is one.
"""

from __future__ import annotations

from bot.cleaning.pool import Cleaner
from bot.cleaning.result import Cleaned, Verdict

__all__ = ["Cleaned", "Cleaner", "Verdict"]
