"""`python -m bot.tools.catalogs extract|update|compile|check [--domain D]`: maintain the gettext catalogs.

`make i18n` runs all of it; `--domain` limits the update to one domain's files. `review [REF]` lists every
Vietnamese entry whose English or Vietnamese changed since a git ref (default HEAD), as a translator reads them.

Domains follow the code: `bot/channels/` and `bot/digest/` are their own domains, and so is each feature under
`handlers/`; the rest of `bot/` and the core handlers are "core". Separate files let
features be translated independently; at run time every domain of a language is merged (see `bot.i18n`).
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, SUPPORTED
from bot.tools import english_commands

ROOT = LOCALES_DIR.parent
CORE_HANDLERS = {"common", "onboarding", "help", "language", "forget", "invites", "menu"}
BOT_DOMAINS = {"channels", "digest"}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def domain_of(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    if rel[0] == "bot":
        return rel[1] if len(rel) > 2 and rel[1] in BOT_DOMAINS else "core"
    name = rel[1].removesuffix(".py")
    return "core" if name in CORE_HANDLERS or name == "__init__" else name


def sources() -> list[Path]:
    return sorted(p for top in ("bot", "handlers") for p in (ROOT / top).rglob("*.py"))


def extract() -> dict[str, Catalog]:
    templates: dict[str, Catalog] = defaultdict(lambda: Catalog(project="andan", fuzzy=False))
    for path in sources():
        for lineno, message, comments, context in extract_from_file("python", path, keywords=KEYWORDS):
            if not message:
                continue
            templates[domain_of(path)].add(
                message,
                None,
                [(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return dict(templates)


def po_path(locale: str, domain: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def update(templates: dict[str, Catalog]) -> None:
    for domain, template in templates.items():
        (LOCALES_DIR / f"{domain}.pot").parent.mkdir(parents=True, exist_ok=True)
        with (LOCALES_DIR / f"{domain}.pot").open("wb") as fh:
            write_po(fh, template, width=100)
        for locale in SUPPORTED:
            path = po_path(locale, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
            else:
                catalog = Catalog(locale=locale, project="andan", fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
            if locale == "en":
                english_commands.fill(catalog)  # the English names of the commands a text names
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, ignore_obsolete=True)


def compile_all() -> None:
    for path in LOCALES_DIR.glob("*/LC_MESSAGES/*.po"):
        with path.open("rb") as fh:
            catalog = read_po(fh)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog)


def missing(locale: str = "vi") -> dict[str, list[str]]:
    """Messages of the code with no reviewed translation in `locale`, by domain."""
    gaps: dict[str, list[str]] = {}
    for domain, template in extract().items():
        path = po_path(locale, domain)
        translated: dict[str, bool] = {}
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            for msg in catalog:
                if msg.id:
                    strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
                    translated[msg.id if isinstance(msg.id, str) else msg.id[0]] = (
                        all(strings) and not msg.fuzzy
                    )
        lost = [m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id]
        lost = [m for m in lost if not translated.get(m)]
        if lost:
            gaps[domain] = lost
    return gaps


def check_placeholders(locale: str = "vi") -> list[str]:
    """Translations whose {placeholders} differ from the original: they would fail at run time."""
    import re

    field = re.compile(r"\{(\w*)\}")
    problems = []
    for path in LOCALES_DIR.glob(f"{locale}/LC_MESSAGES/*.po"):
        with path.open("rb") as fh:
            for msg in read_po(fh, locale=locale):
                if msg.id and isinstance(msg.id, str) and msg.string:
                    if sorted(field.findall(msg.id)) != sorted(field.findall(str(msg.string))):
                        problems.append(f"{path.name}: {msg.id[:60]!r}")
    return problems


def english_stale() -> list[str]:
    """English translations that do not name the commands by their English names (bot.tools.english_commands)."""
    problems = []
    for path in sorted(LOCALES_DIR.glob("en/LC_MESSAGES/*.po")):
        with path.open("rb") as fh:
            problems += [f"{path.name}: {m!r}" for m in english_commands.stale(read_po(fh, locale="en"))]
    return problems


def conflicts(locale: str = "vi") -> list[str]:
    """Messages translated differently in two domains: catalogs are merged at run time, so one would lose."""
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for path in sorted(LOCALES_DIR.glob(f"{locale}/LC_MESSAGES/*.po")):
        with path.open("rb") as fh:
            for msg in read_po(fh, locale=locale):
                if not msg.id or not isinstance(msg.id, str) or not msg.string or msg.fuzzy:
                    continue
                earlier = seen.setdefault(msg.id, (path.stem, str(msg.string)))
                if earlier[1] != msg.string:
                    problems.append(
                        f"{msg.id!r}: {earlier[0]} says {earlier[1]!r}, {path.stem} says {msg.string!r}"
                    )
    return problems


@dataclass(frozen=True)
class Change:
    domain: str
    msgid: str
    before: str | None  # the Vietnamese at the ref; None: the English is new (or reworded)
    after: str


def _entries(data: bytes) -> dict[str, str]:
    catalog = read_po(io.BytesIO(data), locale="vi")
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (
            str(m.string) if not isinstance(m.string, tuple) else " | ".join(m.string)
        )
        for m in catalog
        if m.id
    }


def review(ref: str = "HEAD", root: Path = ROOT) -> list[Change]:
    """Vietnamese entries whose msgid or translation differ from the catalogs at `ref`, by domain and msgid."""
    changes = []
    for path in sorted((root / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        rel = path.relative_to(root).as_posix()
        shown = subprocess.run(["git", "show", f"{ref}:{rel}"], cwd=root, capture_output=True, check=False)
        before = _entries(shown.stdout) if shown.returncode == 0 else {}
        for msgid, text in _entries(path.read_bytes()).items():
            if before.get(msgid) != text:
                changes.append(Change(path.stem, msgid, before.get(msgid), text))
    return sorted(changes, key=lambda c: (c.domain, c.msgid))


def print_review(ref: str) -> None:
    changes = review(ref)
    for c in changes:
        print(f"[{c.domain}] {c.msgid}")
        print(f"    was: {c.before}" if c.before is not None else "    was: (new English)")
        print(f"    now: {c.after or '(untranslated)'}")
        print()
    print(f"{len(changes)} entries changed since {ref}")


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "all"
    if action == "review":
        print_review(argv[1] if len(argv) > 1 else "HEAD")
        return 0
    only = argv[argv.index("--domain") + 1] if "--domain" in argv else None
    if action in ("extract", "update", "all"):
        templates = extract()
        update({d: t for d, t in templates.items() if only in (None, d)})
    if action in ("compile", "all"):
        compile_all()
    gaps = missing("vi")
    for domain, ids in gaps.items():
        for message in ids:
            print(f"missing vi translation [{domain}]: {message[:80]!r}")
    problems = check_placeholders("vi") + conflicts("vi") + english_stale()
    for problem in problems:
        print(f"translation problem: {problem}")
    return 1 if (gaps or problems) and action in ("check", "all") else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
