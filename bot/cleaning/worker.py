"""What runs inside a cleaning worker process: its memory limit, and one job (find the kind, clean it).

The kind is found from the content, never from the name or type the sender claimed: each cleaner in turn looks
at the bytes (an image header, a PDF header, an Office package, an audio/video container) and the first that
knows them answers. A job that runs out of memory answers "not cleanable"; one that crashes the process or
runs too long is ended by the pool, which starts a new worker.
"""

from __future__ import annotations

import logging
import resource

from bot.cleaning import audiovideo, documents, images
from bot.cleaning.result import Cleaned, Verdict


def prepare(memory_bytes: int, max_pixels: int) -> None:
    """Run once in each new worker: bound its address space, so one job cannot take the host's memory."""
    # Parsers log what they read (Pillow every EXIF tag, pypdf parts of broken files): nothing from a tipster's
    # file may reach the logs, and the verdict says all the app needs.
    logging.disable(logging.CRITICAL)
    if memory_bytes > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    images.prepare(max_pixels)


def clean(data: bytes, max_pixels: int) -> Cleaned:
    """The verdict for one file, and its cleaned copy when there is one."""
    try:
        for attempt in (
            lambda: images.clean(data, max_pixels),
            lambda: documents.clean_pdf(data),
            lambda: documents.clean_office(data),
            lambda: audiovideo.clean(data),
        ):
            found = attempt()
            if found is not None:
                return found
    except MemoryError:
        pass
    return Cleaned(Verdict.NOT_CLEANABLE)
