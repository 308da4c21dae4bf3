"""The `andan` command as an operator uses it: help, migrate, demo, invite with a QR code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def andan(tmp_path: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANDAN_DATABASE_URL": url, "ANDAN_SECRET_KEY": "cli-test", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot.app.cli", *args],
        cwd=tmp_path,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_help_names_every_command(tmp_path: Path) -> None:
    result = andan(tmp_path, "--help", url="sqlite+aiosqlite:///x.db")
    assert result.returncode == 0
    for command in ("run", "migrate", "seed-geo", "demo", "invite"):
        assert command in result.stdout
    sub = andan(tmp_path, "invite", "--help", url="sqlite+aiosqlite:///x.db")
    assert "--role" in sub.stdout and "--ward" in sub.stdout and "QR" in sub.stdout


def test_demo_then_invite_writes_a_qr_code(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'andan.db'}"
    demo = subprocess.run(
        [sys.executable, "-m", "bot.app.cli", "demo"],
        cwd=tmp_path,
        env={
            **os.environ,
            "ANDAN_DATABASE_URL": url,
            "ANDAN_SECRET_KEY": "cli-test",
            "PYTHONPATH": str(ROOT),
            "ANDAN_PUBLIC_URL": "https://andan.example.vn",
        },
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    # Roles in Vietnamese with the slug beside; links at the public address; the campaign and a household to try.
    assert "tổ trưởng (group_admin)" in demo.stdout and "(police)" in demo.stdout
    assert "https://andan.example.vn/join/" in demo.stdout
    assert "Đợt ký cam kết đang mở" in demo.stdout and "Số 121" in demo.stdout
    assert not any(line.startswith("{") for line in demo.stdout.splitlines())  # no log lines among the output

    made = andan(
        tmp_path,
        "invite",
        "--role",
        "group_admin",
        "--ward",
        "cao lanh",
        "--area",
        "khom 2",
        "--group",
        "To 5",
        "--qr",
        "leader.png",
        url=url,
    )
    assert made.returncode == 0, made.stderr
    assert "code: " in made.stdout and "/thamgia" in made.stdout
    assert Image.open(tmp_path / "leader.png").size[0] > 100

    wrong = andan(tmp_path, "invite", "--role", "resident", "--ward", "cao lanh", url=url)
    assert wrong.returncode == 2 and "--area is required" in wrong.stderr


@pytest.mark.parametrize("args", [["migrate"], ["seed-geo"]])
def test_migrate_and_seed_are_repeatable(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'andan.db'}"
    assert andan(tmp_path, *args, url=url).returncode == 0
    again = andan(tmp_path, *args, url=url)
    assert again.returncode == 0, again.stderr
