"""The words people read: every user-facing string reaches the catalogs, /toi speaks in sentences, the tip clocks
name whose clock each one is, and `catalogs review` lists what a translator must read again.

The code checks parse the sources (ast): Babel's extractor does not see `_()` inside an f-string (that is how
"(matched: …)" reached Vietnamese replies in English), so such calls, and English sentences handed to a reply
without gettext, fail here with their file and line.
"""

from __future__ import annotations

import ast
import re
import subprocess
from datetime import datetime
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import local, use_locale
from bot.tools import catalogs
from handlers.tips.clocks import Rules, transfer_due
from handlers.tips.texts import clocks_lines
from models import Tip, TipStatus

ROOT = Path(__file__).resolve().parent.parent
GETTEXT = {"_", "N_", "ngettext", "gettext"}
# Calls whose string arguments end up in front of a person.
SHOWN = {"reply", "Choice", "Reply", "append", "extend", "insert", "join"}
# Shown before the person has picked a language: the same greeting in both, on purpose.
BILINGUAL = {("handlers/onboarding.py", "Xin chào! Tôi là An Dân")}
SENTENCE = re.compile(r"\b[A-Za-z]{2,}\b")


def sources(tools: bool = False) -> list[Path]:
    """The code people read replies from; `bot/tools/` writes for developers (README tables, the CLI)."""
    return sorted(
        p
        for top in ("bot", "handlers")
        for p in (ROOT / top).rglob("*.py")
        if tools or "tools" not in p.relative_to(ROOT).parts[:2]
    )


def is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT


def gettext_in_fstrings(tree: ast.AST) -> list[int]:
    return [
        call.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
        if isinstance(value, ast.FormattedValue)
        for call in ast.walk(value.value)
        if is_gettext(call)
    ]


def looks_english(text: str) -> bool:
    text = re.sub(r"\{[^}]*\}|/\w+|https?://\S+", "", text)
    return len(SENTENCE.findall(text)) >= 2 and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text) is not None


def english_outside_gettext(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
        if name not in SHOWN:
            continue
        stack: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
        while stack:
            item = stack.pop()
            if is_gettext(item):
                continue
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                if looks_english(item.value):
                    found.append((item.lineno, item.value))
                continue
            stack.extend(ast.iter_child_nodes(item))
    return found


def literal_msgids(tree: ast.AST) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if is_gettext(node)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value
    }


def test_no_gettext_call_hides_inside_an_f_string() -> None:
    hidden = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources()
        for line in gettext_in_fstrings(ast.parse(path.read_text()))
    ]
    assert hidden == [], "gettext inside an f-string (translate first, then format): " + ", ".join(hidden)


def test_no_english_sentence_reaches_a_reply_without_gettext() -> None:
    found = []
    for path in sources():
        rel = str(path.relative_to(ROOT))
        for line, text in english_outside_gettext(ast.parse(path.read_text())):
            if not any(rel == f and text.startswith(start) for f, start in BILINGUAL):
                found.append(f"{rel}:{line} {text[:60]!r}")
    assert found == [], "English shown without gettext: " + "; ".join(found)


def test_the_extraction_sees_every_literal_message() -> None:
    extracted = {
        m.id if isinstance(m.id, str) else m.id[0] for t in catalogs.extract().values() for m in t if m.id
    }
    missed = sorted(
        f"{path.relative_to(ROOT)}: {msgid[:50]!r}"
        for path in sources(tools=True)
        for msgid in literal_msgids(ast.parse(path.read_text()))
        if msgid not in extracted
    )
    assert missed == []


def test_the_checks_catch_what_they_are_for() -> None:
    """The scanners above would pass on an empty tree: show them the mistakes they exist to catch."""
    bad = ast.parse(
        'x = f"{tip} {_(\'(matched: {m})\')}"\nctx.reply("Your tip was sent")\nctx.reply(_("Fine here"))\n'
    )
    assert gettext_in_fstrings(bad) == [1]
    assert english_outside_gettext(bad) == [(2, "Your tip was sent")]
    assert literal_msgids(bad) == {"(matched: {m})", "Fine here"}


def test_one_name_per_role_and_one_order_of_ward_kinds() -> None:
    """A translator's rule, checked over every Vietnamese catalog: the ward administrator has one name,
    "xã/phường" one order, and no group is called "tổ dân cư" (a place says its own kind)."""
    texts = []
    for path in sorted((ROOT / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            texts += [str(m.string) for m in read_po(fh, locale="vi") if m.id and m.string]
    joined = "\n".join(texts).lower()
    for wrong in (
        "quản trị viên phường",
        "quản trị phường",
        "phường/xã",
        "tổ dân cư",
        "qua bot",
        "mức độ ký",
    ):
        assert wrong not in joined, wrong


def tip_at(status: str, received: datetime, closed: datetime | None = None) -> Tip:
    return Tip(
        id=7,
        ward_code=1,
        category="drugs",
        status=status,
        received_at=received,
        receipt_due_at=received,
        decision_due_at=received,
        closed_at=closed,
    )


def test_tip_clocks_say_whose_clock_and_why(manual_clock) -> None:  # type: ignore[no-untyped-def]
    monday = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
    manual_clock.set(monday)
    slow = Rules(transfer_hours=48, decision_days=30)
    # Hours, as the circular counts them: Tuesday 24/11 being a public holiday changes nothing.
    assert local(transfer_due(monday, slow)).isoformat() == "2026-11-25T09:00:00+07:00"
    with use_locale("vi"):
        open_lines = "\n".join(clocks_lines(tip_at(TipStatus.VERIFYING, monday), slow))
        moved = "\n".join(
            clocks_lines(
                tip_at(TipStatus.TRANSFERRED, monday, datetime.fromisoformat("2026-11-25T10:00:00+07:00"))
            )
        )
    assert "25/11/2026" in open_lines and "điều 145" in open_lines
    assert "điều 147" not in open_lines  # the investigating body's clock starts when it has the tip
    assert "Cơ quan điều tra" in moved and "điều 147" in moved and "15/12/2026" in moved


def test_review_lists_changed_entries_as_a_translator_reads_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    po = repo / "locales" / "vi" / "LC_MESSAGES" / "tips.po"
    po.parent.mkdir(parents=True)
    entry = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "{a}"\nmsgstr "{b}"\n'
    po.write_text(entry.format(a="Sent.", b="Đã gửi.") + '\nmsgid "Kept"\nmsgstr "Giữ"\n')
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True)
    po.write_text(
        entry.format(a="Sent.", b="Đã gửi đi.")
        + '\nmsgid "Kept"\nmsgstr "Giữ"\n\nmsgid "New"\nmsgstr "Mới"\n'
    )
    changes = catalogs.review("HEAD", repo)
    assert [(c.domain, c.msgid, c.before, c.after) for c in changes] == [
        ("tips", "New", None, "Mới"),
        ("tips", "Sent.", "Đã gửi.", "Đã gửi đi."),
    ]
