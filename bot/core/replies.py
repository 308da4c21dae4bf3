"""Platform-neutral replies: text, choices and media. Adapters render them; a serialised form goes to the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.core.payloads import MAX_BYTES, Payload
from bot.i18n import _


@dataclass(frozen=True, init=False)
class Choice:
    """A button: its label, and its payload as typed button data (`bot.core.payloads`) or, for a command
    entry, "cmd:<command>". Kept as the packed string, which is what channels send and the outbox stores."""

    label: str
    payload: str

    def __init__(self, label: str, payload: Payload | str) -> None:
        packed = payload.pack() if isinstance(payload, Payload) else payload
        if not 0 < len(packed.encode()) <= MAX_BYTES:
            raise ValueError(f"choice payload must be 1..{MAX_BYTES} bytes: {packed!r}")
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "payload", packed)


@dataclass(frozen=True)
class Media:
    kind: str  # "image" | "file"
    url: str | None = None
    data: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    media: tuple[Media, ...] = ()
    # Must stay unlinkable to the recipient's account wherever it is kept (a channel's stored transcript).
    private: bool = False
    # An urgent alert: channels that can show it apart do (the web chat frames it and may notify).
    urgent: bool = False

    def to_payload(self) -> dict[str, Any]:
        """JSON form kept in the outbox (media must be referenced by URL there)."""
        payload: dict[str, Any] = {
            "text": self.text,
            "choices": [asdict(c) for c in self.choices],
            "media": [{k: v for k, v in asdict(m).items() if k != "data"} for m in self.media],
        }
        if self.private:
            payload["private"] = True
        if self.urgent:
            payload["urgent"] = True
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        return cls(
            text=payload.get("text", ""),
            choices=tuple(Choice(**c) for c in payload.get("choices", [])),
            media=tuple(Media(**m) for m in payload.get("media", [])),
            private=bool(payload.get("private", False)),
            urgent=bool(payload.get("urgent", False)),
        )


def numbered(reply: Reply, start: int = 1) -> str:
    """Choices as a numbered list closing the text, for platforms without buttons (or with too few): from the
    `start`th choice on, numbered as the dispatcher reads a typed number, under a line saying how to choose."""
    rest = reply.choices[start - 1 :]
    if not rest:
        return reply.text
    lines = [reply.text, ""] if reply.text else []
    shown = ", ".join(str(n) for n in range(start, start + min(3, len(rest))))
    lines.append(_("Type {numbers}… to choose:").format(numbers=shown))
    lines += [f"{i}. {c.label}" for i, c in enumerate(rest, start)]
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text into parts ≤ limit, preferring paragraph, then line, then word boundaries."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit  # one very long word: cut hard rather than exceed the platform limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts
