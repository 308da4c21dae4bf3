"""Residents who find their ward, area and group by typing (twelfth session's walk of a ward set up from nothing):
in an area of more groups than fit as buttons, "tổ 1", "1" and "Tổ 1" each also matched Tổ 10–19, so Tổ 1 could
never be chosen and "please choose from the list" came with no list (handlers/onboarding.py on_group,
bot.textnorm.matches: a number matches only that whole number; an exact name first; a shortlist of several)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.textnorm import fold, place_key
from models import Area, Group, RoleGrant
from tests.conftest import DEMO_WARD
from tests.test_people_do import texts


async def big_area(town: Any, groups: list[str]) -> None:
    async with town.app.db.session() as session:
        area = Area(ward_code=DEMO_WARD, name="Khu vực 9", name_folded=fold("Khu vực 9"))
        session.add(area)
        await session.flush()
        for name in groups:
            session.add(Group(area_id=area.id, ward_code=DEMO_WARD, name=name, name_folded=fold(name)))
        await session.commit()


async def to_the_group_question(town: Any) -> Any:
    ut = await town.person("Út")
    await ut.say("xin chào")
    await ut.press("Tiếng Việt")
    await ut.press("Tôi đồng ý")
    await ut.say("cao lanh")
    await ut.press("Phường Cao Lãnh, Tỉnh Đồng Tháp")
    assert "gõ tên hoặc số" in texts(await ut.say("khu vuc 9"))
    return ut


async def group_of(town: Any) -> list[str]:
    async with town.app.db.session() as session:
        grants = (await session.exec(select(RoleGrant).where(RoleGrant.role == "resident"))).all()
        return [(await session.get(Group, g.group_id)).name for g in grants]  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["tổ 1", "1", "Tổ 1", "to 01", "to1"])
async def test_tổ_1_of_an_area_of_24_groups_is_chosen_by_typing(town: Any, typed: str) -> None:
    await big_area(town, [f"Tổ {n}" for n in range(1, 25)])
    ut = await to_the_group_question(town)
    said = texts(await ut.say(typed))
    assert "Tổ 1, Khu vực 9" in said, said
    assert await group_of(town) == ["Tổ 1"]


async def test_several_groups_matching_are_offered_as_a_short_list(town: Any) -> None:
    await big_area(town, [f"Tổ {n}" for n in range(1, 25)] + ["Tổ 7A", "Tổ 7B"])
    ut = await to_the_group_question(town)
    said = texts(await ut.say("to 7"))
    assert "Tổ 7, Khu vực 9" in said  # the exact name first
    assert await group_of(town) == ["Tổ 7"]


async def test_a_name_matching_several_shows_them_and_one_matching_none_says_so(town: Any) -> None:
    await big_area(town, [f"Tổ {n}" for n in range(1, 22)] + ["Tổ dân cư Bến Đò", "Tổ dân cư Bến Xe"])
    ut = await to_the_group_question(town)
    said = texts(await ut.say("ben"))
    assert "Nhiều tổ" in said or "nhiều tổ" in said, said
    assert ut.choices() == ["Tổ dân cư Bến Đò", "Tổ dân cư Bến Xe"]
    assert "không có tổ nào" in texts(await ut.say("Tổ 99")).lower()
    await ut.press("Tổ dân cư Bến Xe")
    assert await group_of(town) == ["Tổ dân cư Bến Xe"]


def test_place_keys_tell_tổ_1_from_tổ_10_and_take_spacing_and_zeros_as_one() -> None:
    assert place_key("Tổ01") == place_key("to 1") == place_key("Tổ 1") == "to 1"
    assert place_key("Khu vực2") == place_key("khu vuc 2")
    assert place_key("Tổ 1") != place_key("Tổ 10")
