"""What a cleaning job answers: the verdict, what the content turned out to be, and the cleaned copy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    CLEANED = "cleaned"  # a copy without the sender's metadata (possibly converted, e.g. HEIC → JPEG)
    NOT_CLEANABLE = "not_cleanable"  # unknown, damaged, or too costly: it would go as sent, if at all
    TOO_MANY_PIXELS = "too_many_pixels"  # an image above the pixel budget, refused before decoding
    BUSY = "busy"  # every worker busy and the queue full: nothing was looked at


class Content(StrEnum):
    """What the bytes are, found from the content itself (never from the name or type the sender claimed)."""

    IMAGE = "image"
    PDF = "pdf"
    DOCUMENT = "document"  # an Office Open XML document: .docx, .xlsx, .pptx
    VIDEO = "video"
    AUDIO = "audio"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Cleaned:
    verdict: Verdict
    content: Content = Content.UNKNOWN
    data: bytes = b""  # the cleaned copy; empty unless CLEANED
    mime_type: str = ""
    extension: str = ""  # without the dot, for a neutral file name
    converted: bool = False  # the copy has another format than the original (HEIC → JPEG)

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.CLEANED

    def __repr__(self) -> str:  # never the bytes, which may be someone's photo
        return f"Cleaned({self.verdict}, {self.content}, {len(self.data)} bytes, {self.mime_type or '-'})"
