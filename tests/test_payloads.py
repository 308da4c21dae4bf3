"""Typed button data (bot.core.payloads): the wire form, what a forged or outdated payload reads as, and the
64-byte limit checked when a button is built."""

from __future__ import annotations

import enum
from typing import Literal

import pytest

from bot.core.payloads import Payload, YesNo
from bot.core.replies import Choice


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Open(Payload, prefix="tst:open"):
    item: int


class Filter(Payload, prefix="tst:list"):
    page: int
    key: str  # the last field may contain ":"


class Paint(Payload, prefix="tst:paint"):
    colour: Colour
    mode: Literal["now", "later"]


class Done(Payload, prefix="tst:done"):
    pass


class Sure(YesNo, prefix="tst:sure"):
    pass


def test_the_wire_form_is_the_prefix_and_the_fields_in_order() -> None:
    assert Open(42).pack() == "tst:open:42"
    assert Filter(2, "cat:drugs").pack() == "tst:list:2:cat:drugs"
    assert Paint(Colour.BLUE, "later").pack() == "tst:paint:blue:later"
    assert Done().pack() == "tst:done"
    assert Sure(True).pack() == "tst:sure:yes" and Sure(False).pack() == "tst:sure:no"
    assert Choice("Open", Open(7)).payload == "tst:open:7"


def test_packing_and_reading_give_back_the_same_button() -> None:
    for button in (Open(-3), Filter(0, "a:b:c"), Paint(Colour.RED, "now"), Done(), Sure(False)):
        assert type(button).unpack(button.pack()) == button


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "tst:open",
        "tst:open:",
        "tst:open:x",
        "tst:open:+7",
        "tst:open: 7",
        "tst:open:7_0",
        "tst:open:٣",
        "tst:opened:7",
        "tst:open:7:8",
        "other:7",
    ],
)
def test_a_forged_or_outdated_payload_reads_as_none(raw: str | None) -> None:
    assert Open.unpack(raw) is None


def test_enum_literal_and_bool_fields_take_only_their_values() -> None:
    assert Paint.unpack("tst:paint:green:now") is None
    assert Paint.unpack("tst:paint:red:soon") is None
    assert Sure.unpack("tst:sure:maybe") is None
    assert Done.unpack("tst:done:extra") is None
    # a subclass's prefix is its own: an old "yn" button does not answer a "tst:sure" question
    assert Sure.unpack("yn:yes") is None and YesNo.unpack("tst:sure:yes") is None


def test_a_button_over_64_bytes_fails_when_it_is_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Choice("Too long", Filter(1, "x" * 60))
    with pytest.raises(ValueError, match="64 bytes"):
        Filter(1, "ư" * 30).pack()  # bytes, not characters


def test_only_the_last_field_may_contain_the_separator() -> None:
    class Pair(Payload, prefix="tst:pair"):
        left: str
        right: str

    with pytest.raises(ValueError, match="only the last field"):
        Pair("a:b", "c").pack()
    assert Pair.unpack(Pair("a", "b:c").pack()) == Pair("a", "b:c")


def test_unsupported_field_types_and_bad_prefixes_fail_at_import() -> None:
    with pytest.raises(TypeError, match="button fields"):

        class Bad(Payload, prefix="tst:bad"):
            when: float

    with pytest.raises(TypeError, match="prefix"):

        class Empty(Payload, prefix="tst::x"):
            pass
