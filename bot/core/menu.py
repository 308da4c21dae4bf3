"""The main menu: a few entries for the person's roles, the most used first, one press (or one number) each.

Features declare their entries on their routers (`router.menu("togiac", label=N_("…"), order=10)`); an entry is
a button whose payload is `cmd:<command>` — pressing it is the same as typing the command, from any message, old
or new (a public contract: channels and tests rely on it). What the bot cannot place gets a short answer and this
menu, or, when the words say what the person wants (bot.core.intents), that offered first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.replies import Choice
from bot.i18n import N_, _
from bot.textnorm import fold

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.core.router import Registry

COMMAND_PREFIX = "cmd:"
MAX_ENTRIES = 7  # more is a wall again; the full list stays behind /trogiup
MENU_COMMAND = "menu"  # shows the main menu (handlers/menu.py)
HELP_COMMAND = "trogiup"  # the full list of commands (handlers/help.py)
RESIDENT_COMMAND = "nguoidan"  # the resident's menu, for people who also hold a role
# Typed outside a form, these mean "show me the menu" (compared folded: "bắt đầu" and "bat dau" alike).
MENU_WORDS = frozenset({"menu", "0", "bat dau", "tro giup", "giup", "help", "start", "danh muc", "chuc nang"})


@dataclass(frozen=True)
class MenuEntry:
    command: str
    label: str  # an N_() string, translated when shown
    order: int  # lower first: the most used entries lead
    roles: frozenset[str] | None  # None: every registered person (the resident's menu)


def command_payload(command: str) -> str:
    return f"{COMMAND_PREFIX}{command}"


def command_of(payload: str | None) -> str | None:
    """The command a `cmd:<command>` payload opens, or None for any other payload."""
    if payload and payload.startswith(COMMAND_PREFIX) and len(payload) > len(COMMAND_PREFIX):
        return payload[len(COMMAND_PREFIX) :].lower()
    return None


def entries_for(registry: Registry, roles: set[str], *, resident_view: bool = False) -> list[MenuEntry]:
    """At most MAX_ENTRIES entries: a person with a role sees that role's entries first and the resident's ones
    behind a single entry; everyone else sees the resident's menu."""
    everyone = sorted((e for e in registry.menu if e.roles is None), key=lambda e: e.order)
    own = sorted((e for e in registry.menu if e.roles is not None and roles & e.roles), key=lambda e: e.order)
    if resident_view or not own:
        return everyone[:MAX_ENTRIES]
    return [*own[: MAX_ENTRIES - 1], MenuEntry(RESIDENT_COMMAND, RESIDENT_LABEL, 0, None)]


RESIDENT_LABEL = N_("Things residents can do")


def choices(entries: list[MenuEntry]) -> list[Choice]:
    return [Choice(_(e.label), command_payload(e.command)) for e in entries]


def typed_entry(registry: Registry, roles: set[str], text: str) -> str | None:
    """The command whose staff menu label the person typed, whole (accents optional), among the entries of their
    roles, shown now or not: a leader types "Danh sách hộ trong tổ" from memory, or copies it from an older menu.
    A resident's entries are left to the reading of plain words, which offers them in one press ("báo tin cho
    công an" typed is an offer of the tip form, never the form itself)."""
    said = fold(text)
    if not said:
        return None
    if said == _folded(_(RESIDENT_LABEL)):
        return RESIDENT_COMMAND
    for entry in registry.menu:
        if entry.roles is not None and roles & entry.roles and _folded(_(entry.label)) == said:
            return entry.command
    return None


@lru_cache(maxsize=256)
def _folded(label: str) -> str:
    # Every message typed outside a form is compared with every staff label: fold each translated label once.
    return fold(label)


def label_for(registry: Registry, command: str) -> str:
    """What a button opening `command` says: its menu label, else its help line."""
    for entry in registry.menu:
        if entry.command == command:
            return _(entry.label)
    found = registry.commands.get(command)
    return _(found.help) if found is not None else f"/{command}"


async def show(
    ctx: Context, text: str | None = None, *, resident_view: bool = False, lead: str | None = None
) -> None:
    """Reply with the main menu for this person (under `text`, or a short heading; `lead`: said first, in the same
    message, as a welcome is: one message with its buttons rather than two)."""
    entries = entries_for(ctx.app.registry, await ctx.roles(), resident_view=resident_view)
    if ctx.person is None:
        ctx.reply(text or _("Type /start to begin."))
        return
    heading = text or _("What would you like to do? Press a button or type its number.")
    if lead:
        heading = f"{lead}\n\n{heading}"
    if not any(e.command == HELP_COMMAND for e in entries):
        # The help entry has the highest order, so a full menu leaves it out: the full list stays one command away.
        heading += "\n" + _("Everything you can do: /trogiup")
    ctx.reply(heading, choices(entries))
