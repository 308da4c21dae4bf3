"""Shared steps of the setup walk (no tests here): a real ward, Phường Tân An, Thành phố Cần Thơ (not the demo's),
set up the way README says an operator does it: `andan places import` and `andan invite` on the server, people in
the chat."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Town
from tests.test_places import CODE, join_with, run_cli

QR_DIR = tempfile.mkdtemp(
    prefix="setup_walk_qr_"
)  # `andan invite` writes its QR code here, not in the checkout
TAN_AN = 31147  # Phường Tân An, Thành phố Cần Thơ (formerly Hưng Lợi and An Khánh, Quận Ninh Kiều)

SMALL = (
    "Khu vực;Tổ;Tổ trưởng;Số điện thoại\n"
    "Khu vực 1;Tổ 1;Nguyễn Văn Hai;0939 123 456\n"
    "Khu vực 1;Tổ 2;Lê Thị Ba;0907 222 333\n"
    "Khu vực 2;Tổ 1;;\n"
).encode()


def big_file() -> bytes:
    """Khu vực 1 with 24 groups (a merged ward's area), Khu vực 2 with 12 and Khu vực 3 with 10: 46 groups."""
    lines = ["Khu vực;Tổ;Tổ trưởng;Số điện thoại"]
    for area, count in (("Khu vực 1", 24), ("Khu vực 2", 12), ("Khu vực 3", 10)):
        lines += [f"{area};Tổ {i};;" for i in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


def texts(replies: list[dict[str, Any]] | list[str]) -> str:
    return "\n".join(r if isinstance(r, str) else r["text"] for r in replies)


async def andan(town: Town, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> tuple[int, str, str]:
    """The `andan` command on the server, against the town's database."""
    status = await asyncio.to_thread(run_cli, monkeypatch, town.settings, *args)
    out = capsys.readouterr()
    return status, out.out, out.err


async def import_file(
    town: Town, monkeypatch: Any, capsys: Any, tmp_path: Path, data: bytes
) -> tuple[int, str, str]:
    sheet = tmp_path / "tan-an.csv"
    sheet.write_bytes(data)
    return await andan(town, monkeypatch, capsys, "places", "import", str(sheet), "--ward", str(TAN_AN))


async def import_places(town: Town, monkeypatch: Any, capsys: Any, tmp_path: Path, data: bytes) -> list[str]:
    """`andan places import FILE --ward 31147`; returns the leader invite codes printed, in order."""
    status, out, err = await import_file(town, monkeypatch, capsys, tmp_path, data)
    assert status == 0, err
    return list(dict.fromkeys(CODE.findall(out)))


async def invited(town: Town, monkeypatch: Any, capsys: Any, name: str, role: str, *extra: str) -> Any:
    """`andan invite --role ROLE --ward 31147`, then the person opens the link in the web chat."""
    status, out, err = await andan(
        town,
        monkeypatch,
        capsys,
        "invite",
        "--role",
        role,
        "--ward",
        str(TAN_AN),
        "--qr",
        QR_DIR + "/invite.png",
        *extra,
    )
    assert status == 0, err
    code = CODE.search(out)
    assert code is not None, out
    person, replies = await join_with(town, name, code.group(0))
    assert "Chào mừng" in texts(replies), texts(replies)
    return person


async def leader(town: Town, code: str, name: str) -> Any:
    person, replies = await join_with(town, name, code)
    assert "tổ trưởng" in texts(replies), texts(replies)
    return person
