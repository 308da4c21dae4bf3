"""`python -m bot.tools.docs`: regenerate the README's commands and settings tables from the code.

A test (tests/test_docs.py) fails when the README no longer matches, so the documentation cannot drift.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.core.router import Registry
from bot.i18n import _, use_locale
from bot.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"

ROLE_NAMES = {
    "resident": "resident",
    "group_admin": "group admin",
    "area_leader": "area leader",
    "mediator": "mediator",
    "mediation_head": "head of mediation",
    "police": "police",
    "ward_admin": "ward admin",
}


def commands_table() -> str:
    from handlers import all_routers

    registry = Registry(all_routers())
    rows = ["| command | aliases | what it does | who |", "|---|---|---|---|"]
    with use_locale("en"):
        for command in registry.unique_commands():
            who = (
                "everyone"
                if command.roles is None
                else ", ".join(ROLE_NAMES.get(r, r) for r in sorted(command.roles))
            )
            aliases = " ".join(f"`/{n}`" for n in command.names[1:])
            rows.append(f"| `/{command.name}` | {aliases} | {_(command.help)} | {who} |")
    return "\n".join(rows)


def settings_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "generated" if name == "secret_key" else ("" if default is None else str(default))
        rows.append(f"| `ANDAN_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return "\n".join(rows)


def render(text: str) -> str:
    for marker, table in (("commands", commands_table()), ("settings", settings_table())):
        text = re.sub(
            rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)",
            rf"\g<1>{table}\n\g<2>",
            text,
            flags=re.S,
        )
    return text


def main() -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        return 0 if fresh == current else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
