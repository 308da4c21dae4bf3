"""The English catalogs name each command by its English alias: the English source texts name the Vietnamese
commands ("Type /trogiup", "/bantin tat"), which a person who chose English would not guess and would not type.
Every command has an English name (its second, `Command.names[1]`: /help, /digest off), so the English catalog's
translation of a text that names a command is the same text with the English names, written by `fill` whenever
the catalogs are updated (`python -m bot.tools.catalogs`), never by hand; `stale` lists where they differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from babel.messages.catalog import Catalog, Message

# The words after a command that its handler reads in either language (handlers/reports/flows/digest_switch.py,
# handlers/pledges/flows/signing.py, handlers/linking/flows/zns.py): written in English beside its English name.
ARGUMENTS = {
    "bantin": {"tat": "off", "bat": "on"},
    "camket": {"rut": "withdraw", "kiemtra": "check"},
    "sdtzalo": {"xoa": "delete"},
}
_COMMAND = re.compile(r"(?<![\w/])/([a-z]+)\b(?: ([a-z]+)\b)?")


@cache
def aliases() -> Mapping[str, str]:
    """{Vietnamese name: English name} of every command that has both."""
    from bot.core.forms import BACK_NAMES, CANCEL_NAMES
    from bot.core.router import Registry
    from handlers import all_routers

    registry = Registry(all_routers())
    found = {c.names[0]: c.names[1] for c in registry.commands.values() if len(c.names) > 1}
    return found | dict((CANCEL_NAMES, BACK_NAMES))  # the form's own, read by bot.core.forms


def in_english(text: str, names: Mapping[str, str]) -> str:
    """The text with each Vietnamese command name written in English, and its arguments where they have one."""

    def english(match: re.Match[str]) -> str:
        name, argument = match.group(1), match.group(2)
        if name not in names:
            return match.group(0)
        said = ARGUMENTS.get(name, {}).get(argument or "", argument)
        return f"/{names[name]}" + (f" {said}" if argument else "")

    return _COMMAND.sub(english, text)


def _expected(message: Message, names: Mapping[str, str]) -> str | tuple[str, ...] | None:
    """The English translation a message must have, or None when it names no Vietnamese command."""
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    english = tuple(in_english(i, names) for i in ids)
    if english == ids:
        return None
    return english[0] if isinstance(message.id, str) else english


def fill(catalog: Catalog, names: Mapping[str, str] | None = None) -> None:
    """Write the English translation of every message of the catalog that names a Vietnamese command."""
    names = aliases() if names is None else names
    for message in catalog:
        if message.id and (english := _expected(message, names)) is not None:
            message.string = english


def stale(catalog: Catalog, names: Mapping[str, str] | None = None) -> list[str]:
    """The messages naming a Vietnamese command whose English translation is not the one `fill` writes."""
    names = aliases() if names is None else names
    return [
        str(message.id)[:80]
        for message in catalog
        if message.id and (english := _expected(message, names)) is not None and message.string != english
    ]
