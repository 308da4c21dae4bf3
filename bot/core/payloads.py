"""Typed button data: one small class per kind of button, packed to and read from the wire string in one place.

    class OpenTip(Payload, prefix="tipp:open"):
        tip_id: int

    Choice(_("Open it"), OpenTip(tip.id))        # the button carries "tipp:open:42"
    pressed = OpenTip.read(ctx)                   # OpenTip(tip_id=42), or None for any other answer
    pressed = OpenTip.expect(ctx)                 # in a flow step: re-asks by itself when nothing offered matches

A button may also be typed. The dispatcher takes its number and its whole label ("2", "tiếng việt"); `read` takes
what people type besides, when it means one of the buttons just offered and no other (`typed_choice`): some of
the label's words in order ("đèn đường" for "Đèn đường hỏng", "ẩn danh" for "Nhận ẩn danh bằng mã"), "chọn 2",
and "có", "ừ", "ok", "không", "chưa"… for the yes or the no of a yes/no question (bot/core/typed.py). A kind may
name other words for its buttons (`typed_as`: "xong" for a tip resolved) and a button that asks which of several
was meant when typed words fit them equally (`ask_which`).

The wire form is the prefix and the fields in order, joined by ":"; the last field may itself contain ":". Field
types are int, str, bool ("yes"/"no"), a str Enum or a Literal of strings; a payload that does not parse as its
class (a forged or outdated button) reads as None. Telegram allows 64 bytes of callback data, so a payload that
would not fit fails when it is built, in the code that builds it, not when a platform rejects the message.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, dataclass_transform

from bot.core.errors import NotChosen
from bot.core.events import Kind

if TYPE_CHECKING:
    from bot.core.context import Context

MAX_BYTES = 64  # Telegram's callback_data limit, the strictest of the channels
SEP = ":"

Reader = Callable[[str], Any]  # raises ValueError on a value the field does not accept
_KINDS: dict[str, list[type[Payload]]] = {}  # every kind of button by its prefix (several may share one)


@dataclass_transform(frozen_default=True)
class Payload:
    """Base of every kind of button data; subclasses name their wire prefix: `class Lang(Payload, prefix="lang")`."""

    prefix: ClassVar[str]
    _codec: ClassVar[tuple[tuple[str, Reader, Callable[[Any], str]], ...]]
    # A button that records that the person read what it is under ("I have read this" under an alert): typed alone
    # beneath it, a yes or "đã đọc", "ok", "rồi" presses it (bot.core.typed.acknowledged), where elsewhere "ok" may
    # only acknowledge the bot's words. A kind says so with `acknowledges = True` in its class body.
    acknowledges: ClassVar[bool] = False
    # A button under a question whose answer is words ("Answer" under the police's question to a tipster): outside a
    # form, what is typed beneath it, but a yes, thanks or a menu word, goes to its handler as the answer, with the
    # button's payload in `event.choice` and the kind left TEXT (bot.core.understand.typed_button).
    takes_words: ClassVar[bool] = False

    def typed_as(self) -> tuple[str, ...]:
        """Words people type for this button besides its label, read as labels are ("xong" for a tip's status
        "resolved", "đừng gửi nữa" under "Turn the digest off"; bot.core.typed). None unless a kind says so."""
        return ()

    @classmethod
    def ask_which(cls, among: Sequence[Self]) -> Payload | None:
        """The button that stands for several of this kind when typed words fit them equally: its handler asks
        which was meant, with those as the choices (bot.core.typed.fitting reads the words again). None, the
        default: such words press nothing."""
        return None

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or any(not part for part in prefix.split(SEP)):
            raise TypeError(f"{cls.__name__}: the prefix must be non-empty words joined by {SEP!r}")
        cls.prefix = prefix
        dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls)
        cls._codec = tuple((f.name, *_codec_for(cls.__name__, f.name, hints[f.name])) for f in fields(cls))  # type: ignore[arg-type]
        if not cls._codec and SEP not in prefix:
            # Zalo OA returns a pressed button as the text "#<payload>": a bare word there would look like a typed
            # hashtag, so a button with no data still carries two words ("hqd:done").
            raise TypeError(
                f"{cls.__name__}: a button without fields needs a prefix of two words, e.g. 'x{SEP}go'"
            )
        _KINDS.setdefault(prefix, []).append(cls)

    def pack(self) -> str:
        parts = [self.prefix]
        last = len(self._codec) - 1
        for i, (name, _read, write) in enumerate(self._codec):
            text = write(getattr(self, name))
            if i < last and SEP in text:
                raise ValueError(f"{type(self).__name__}.{name}: only the last field may contain {SEP!r}")
            parts.append(text)
        packed = SEP.join(parts)
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"{type(self).__name__}: {packed!r} is over {MAX_BYTES} bytes of button data")
        return packed

    @classmethod
    def unpack(cls, raw: str | None) -> Self | None:
        """The payload `raw` carries, or None when it is not a button of this kind."""
        if raw is None or not (raw == cls.prefix or raw.startswith(cls.prefix + SEP)):
            return None
        rest = raw[len(cls.prefix) + 1 :] if raw != cls.prefix else None
        if not cls._codec:
            return cls() if rest is None else None
        if rest is None:
            return None
        values = rest.split(SEP, len(cls._codec) - 1)
        if len(values) != len(cls._codec):
            return None
        try:
            return cls(
                **{name: read(value) for (name, read, _write), value in zip(cls._codec, values, strict=True)}
            )
        except ValueError:
            return None

    @classmethod
    def read(cls, ctx: Context) -> Self | None:
        """The pressed (or typed) button of this kind, or None for any other answer."""
        found = cls.unpack(ctx.event.choice)
        if found is None and ctx.event.kind == Kind.TEXT and ctx.state.choices:
            from bot.core.typed import typed_choice  # it reads payloads: imported when first needed

            found = cls.unpack(typed_choice(ctx.state.choices, ctx.event.text))
        return found

    @classmethod
    def expect(cls, ctx: Context) -> Self:
        """Like `read`, for a step that only takes one of its buttons: any other answer re-asks the question with
        the reason (the flow engine catches NotChosen)."""
        found = cls.read(ctx)
        if found is None:
            raise NotChosen()
        return found


def read_any(ctx: Context, *kinds: type[Payload]) -> Payload | None:
    """The pressed button if it is of one of `kinds` (for a handler that serves several; use `match` on it)."""
    for kind in kinds:
        found = kind.read(ctx)
        if found is not None:
            return found
    return None


def payload_of(raw: str | None) -> Payload | None:
    """The button data a wire string carries, whatever its kind (the longest prefix that reads it); None if none."""
    if not raw:
        return None
    parts = raw.split(SEP)
    for n in range(len(parts), 0, -1):
        for kind in _KINDS.get(SEP.join(parts[:n]), ()):
            found = kind.unpack(raw)
            if found is not None:
                return found
    return None


def _codec_for(owner: str, name: str, hint: Any) -> tuple[Reader, Callable[[Any], str]]:
    if hint is bool:
        return _read_bool, lambda v: "yes" if v else "no"
    if hint is int:
        return _read_int, str
    if hint is str:
        return str, str
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint, lambda v: str(v.value)
    if typing.get_origin(hint) is Literal:
        allowed = {str(a) for a in typing.get_args(hint)}

        def read_literal(value: str) -> str:
            if value not in allowed:
                raise ValueError(value)
            return value

        return read_literal, str
    raise TypeError(f"{owner}.{name}: button fields are int, str, bool, an Enum or a Literal, not {hint!r}")


# Every number a button carries is a row id, a page or a count, held in a 32-bit INTEGER column on PostgreSQL:
# a larger one was never made by the bot, and would fail in the database rather than read as a stale button.
MAX_INT = 2**31 - 1


def _read_int(value: str) -> int:
    # int() alone would take " 7", "+7" and "7_0": a payload has one spelling, so a forged one reads as None.
    if not value or not (value.isdigit() or (value[0] == "-" and value[1:].isdigit())) or not value.isascii():
        raise ValueError(value)
    if len(value) > 11 or not -MAX_INT <= (number := int(value)) <= MAX_INT:
        raise ValueError(value)
    return number


def _read_bool(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(value)
    return value == "yes"


class YesNo(Payload, prefix="yn"):
    """A yes/no question; features subclass it with their own prefix so an old button answers nothing else."""

    yes: bool
