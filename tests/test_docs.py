"""The README's command and settings tables match the code (`python -m bot.tools.docs` regenerates them)."""

from __future__ import annotations

from bot.tools.docs import README, render


def test_readme_tables_match_the_code() -> None:
    current = README.read_text(encoding="utf-8")
    assert render(current) == current, "run `.venv/bin/python -m bot.tools.docs` and commit the README"
