"""/moi in a ward of 46 groups (Phường Tân An, Cần Thơ: Khu vực 1 with 24, Khu vực 2 with 12, Khu vực 3 with 10).
The place question offered the first 40 places as buttons and nothing else, so Tổ 5–10 of Khu vực 3 could never be
invited, and typing "Tổ 10, Khu vực 3" was refused; the invite named only "Tổ 1", though every area has a Tổ 1.
Each test was written failing, against the defect it names, before the fix (handlers/invites.py)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models import Group, Invite
from tests.test_setup_walk_common import SMALL, big_file, import_places, invited, texts


async def test_a_leader_for_a_group_past_the_fortieth_is_invited_by_typing_its_name(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """Defect: "Tổ 10, Khu vực 3" was not among the 40 buttons, and typing it was answered "Vui lòng chọn…"."""
    await import_places(town, monkeypatch, capsys, tmp_path, big_file())
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    said = texts(await admin.say("Tổ 10, Khu vực 3"))
    assert "(Tổ 10, Khu vực 3)" in said and "/thamgia" in said, said
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    said = texts(await admin.say("to 9 khu vuc 3"))  # typed without accents
    assert "(Tổ 9, Khu vực 3)" in said and "/thamgia" in said, said
    async with town.app.db.session() as session:
        invites = (await session.exec(select(Invite).where(Invite.role == "group_admin"))).all()
        groups = {g.id: g.name for g in (await session.exec(select(Group))).all()}
    assert sorted(groups[i.group_id] for i in invites if i.created_by is not None) == ["Tổ 10", "Tổ 9"]


async def test_a_long_list_is_offered_area_first_then_the_groups_of_that_area(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """Defect: 40 buttons in one message, the last six groups missing. Now: the three areas, then their groups."""
    await import_places(town, monkeypatch, capsys, tmp_path, big_file())
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    assert admin.choices() == ["Khu vực 1 (24 tổ)", "Khu vực 2 (12 tổ)", "Khu vực 3 (10 tổ)"], admin.choices()
    await admin.press("Khu vực 3 (10 tổ)")
    assert admin.choices() == [*(f"Tổ {i}" for i in range(1, 11)), "« Khu vực khác"], admin.choices()
    await admin.press("« Khu vực khác")  # the wrong area pressed: back to the areas
    await admin.press("Khu vực 2 (12 tổ)")
    await admin.say("khu vực khác")  # typed, as the button says
    await admin.press("Khu vực 3 (10 tổ)")
    said = texts(await admin.press("Tổ 7"))
    assert "(Tổ 7, Khu vực 3)" in said and "/thamgia" in said, said
    # An area of more groups than fit as buttons asks for the name or the number.
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    said = texts(await admin.say("khu vuc 1"))
    assert "Khu vực 1" in said and "số" in said, said
    said = texts(await admin.say("24"))
    assert "(Tổ 24, Khu vực 1)" in said, said


async def test_a_name_several_areas_share_offers_each_with_its_area(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    await import_places(town, monkeypatch, capsys, tmp_path, big_file())
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    said = texts(await admin.say("tổ 5"))
    assert admin.choices() == ["Tổ 5, Khu vực 1", "Tổ 5, Khu vực 2", "Tổ 5, Khu vực 3"], (
        said,
        admin.choices(),
    )
    said = texts(await admin.press("Tổ 5, Khu vực 2"))
    assert "(Tổ 5, Khu vực 2)" in said, said
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    said = texts(await admin.say("tổ 99"))
    assert "tổ 99" in said and "/thamgia" not in said, said
    assert admin.choices()[:3] == ["Khu vực 1 (24 tổ)", "Khu vực 2 (12 tổ)", "Khu vực 3 (10 tổ)"], (
        admin.choices()
    )


async def test_the_invite_names_the_area_of_its_group(
    town: Any, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """Defect: the invite for Khu vực 2's Tổ 1 said only "(Tổ 1)": every area has a Tổ 1."""
    await import_places(town, monkeypatch, capsys, tmp_path, SMALL)
    admin = await invited(town, monkeypatch, capsys, "Chị Thảo", "ward_admin")
    await admin.say("/moi")
    await admin.press("tổ trưởng")
    assert admin.choices() == ["Tổ 1, Khu vực 1", "Tổ 2, Khu vực 1", "Tổ 1, Khu vực 2"], admin.choices()
    said = texts(await admin.press("Tổ 1, Khu vực 2"))
    assert "(Tổ 1, Khu vực 2)" in said, said
