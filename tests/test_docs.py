"""The README's command and settings tables match the code (`python -m bot.docs_tool` regenerates them)."""

from __future__ import annotations

from bot.docs_tool import README, render


def test_readme_tables_match_the_code() -> None:
    current = README.read_text(encoding="utf-8")
    assert render(current) == current, "run `.venv/bin/python -m bot.docs_tool` and commit the README"
