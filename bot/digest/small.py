"""Small counts are not shown: in a ward, "2 tips from group 5" or "1 fire extinguisher missing in area 3" can
point at a neighbour. Every digest line and review figure that counts people's actions goes through here."""

from __future__ import annotations

SMALL = 5  # counts below this are shown as "fewer than 5"


def hidden(count: int) -> bool:
    """Whether a count of people's actions is too small to be shown (zero is shown: it names nobody)."""
    return 0 < count < SMALL
