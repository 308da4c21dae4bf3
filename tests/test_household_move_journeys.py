"""A household's people move and leave: a son who moves to another group, a resident who changes household in
the same group, a mother who erases her data after signing the household's pledge (walk R)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from handlers.pledges import moves
from models import Area, Group, Household, Person
from models.pledges import HouseholdMember, PledgeSignature
from tests.conftest import Town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_pledges import JANUARY, open_campaign


@pytest.fixture
async def family(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[dict[str, Any]]:
    son = TelegramDriver(user_id=5551234, first_name="Hùng")
    mother = ZaloOADriver(user_id="4410000000000000077")
    overrides = {**(await son.serve()), **(await mother.serve())}
    town = Town(settings_for(db_url, **overrides))
    try:
        await town.start()
        for driver in (son, mother):
            await driver.start(town)
        yield {"town": town, "son": son, "mother": mother, "clock": manual_clock}
    finally:
        await town.close()
        await son.stop()
        await mother.stop()


async def address_in(town: Town, group: str, starts: str) -> str:
    """The whole address of the household of `group` (Khóm 2) whose address starts so: what its residents know."""
    assert town.app is not None
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(Household)
                .join(Group, col(Group.id) == col(Household.group_id))
                .join(Area, col(Area.id) == col(Group.area_id))
                .where(Group.name == group, Area.name == "Khóm 2")
            )
        ).all()
    [found] = [h.address for h in rows if re.match(re.escape(starts) + r"(\D|$)", h.address)]
    return found


async def onboard(driver: Any, code: str) -> None:
    await driver.say(f"/thamgia {code}")
    await driver.press("Tiếng Việt")
    await driver.press(next(c for c in driver.choices() if "đồng ý" in c.lower()))


async def ask_household(driver: Any, town: Town, group: str, start: str) -> list[str]:
    out = await driver.say("/hocuatoi")
    out += await driver.say(await address_in(town, group, start))
    out += await driver.press(next(c for c in driver.choices() if start in c))
    if any("họ tên" in t for t in out):
        out += await driver.say("Trần Văn Hùng")
    return out


async def confirm_pending(town: Town, leader: Any, start: str) -> None:
    await town.drain()
    pushed = await leader.poll()
    leader.seen += pushed
    request = next(m for m in pushed if start in m["text"] and m["choices"])
    await leader.press(request["choices"][0]["payload"])
    await town.drain()


async def links_of(town: Town, first_name: str) -> list[tuple[str, bool]]:
    """(household address, confirmed) of every household link of the person the bot knows by that name."""
    assert town.app is not None
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(Household.address, HouseholdMember.confirmed_at)
                .join(HouseholdMember, col(HouseholdMember.household_id) == col(Household.id))
                .join(Person, col(Person.id) == col(HouseholdMember.person_id))
                .where(col(Person.display_name).contains(first_name))
            )
        ).all()
    return [(address, confirmed is not None) for address, confirmed in rows]


async def test_son_moves_to_another_group_and_asks_for_his_new_household(family: dict[str, Any]) -> None:
    """Confirmed in Số 121 of Tổ 3, the son moves and joins Tổ 5 with its invite. /hocuatoi tells him his link
    to the old household has ended and asks at once for his address in Tổ 5; his request reaches Tổ 5's leader,
    and the old household no longer counts him."""
    town, son = family["town"], family["son"]
    tam = await town.join("Tâm", role="group_admin")
    lan = await town.join("Lan", role="group_admin", group="Tổ 5")
    await onboard(son, await town.invite("resident"))
    await ask_household(son, town, "Tổ 3", "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    assert await links_of(town, "Hùng") == [(await address_in(town, "Tổ 3", "Số 121,"), True)]

    joined = "\n".join(await son.say(f"/thamgia {await town.invite('resident', group='Tổ 5')}"))
    assert "Tổ 5" in joined, joined
    text = "\n".join(await son.say("/hocuatoi"))
    assert "Số 121" in text and "đã chấm dứt" in text and "Tổ 5" in text, text
    assert "Anh/chị ở hộ nào" in text, text  # asked for the new address straight away
    assert await links_of(town, "Hùng") == [], await links_of(town, "Hùng")

    await son.say(await address_in(town, "Tổ 5", "Số 201,"))
    await son.press(next(c for c in son.choices() if "Số 201," in c))
    await confirm_pending(town, lan, "Số 201,")
    assert await links_of(town, "Hùng") == [(await address_in(town, "Tổ 5", "Số 201,"), True)]
    text = "\n".join(await son.say("/hocuatoi"))
    assert "Số 201" in text and "Số 121" not in text, text


async def test_a_move_ends_the_old_link_before_he_says_anything(family: dict[str, Any]) -> None:
    """The old group's leader must not keep counting someone who now lives elsewhere: the hourly sweep ends the
    link of a resident who joined another group, and tells him how to choose his new household (one press)."""
    town, son = family["town"], family["son"]
    tam = await town.join("Tâm", role="group_admin")
    await onboard(son, await town.invite("resident"))
    await ask_household(son, town, "Tổ 3", "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    await moves.end_moved_links(town.app)
    assert len(await links_of(town, "Hùng")) == 1  # nobody moved yet: nothing ended

    await son.say(f"/thamgia {await town.invite('resident', group='Tổ 5')}")
    await moves.end_moved_links(town.app)
    assert await links_of(town, "Hùng") == []
    await town.drain()
    assert "Chọn hộ của tôi ở tổ mới" in son.choices(), son.choices()
    replies = "\n".join(await son.press("Chọn hộ của tôi ở tổ mới"))
    assert "Anh/chị ở hộ nào" in replies, replies


async def test_the_old_households_pledge_is_no_longer_his_to_withdraw(family: dict[str, Any]) -> None:
    """He signed for Số 121 in January, then moved to Tổ 5: the old withdraw button must not work for him."""
    town, son, clock = family["town"], family["son"], family["clock"]
    admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(admin)
    clock.set(JANUARY)
    await onboard(son, await town.invite("resident"))
    await ask_household(son, town, "Tổ 3", "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    await son.say("/camket")
    await son.press("Tôi đã đọc")
    await son.press(next(c for c in son.choices() if "Số 121" in c))
    await son.say("Trần Văn Hùng")
    signed = "\n".join(await son.press(son.choices()[0]))
    assert "Đã ký" in signed, signed
    await son.say("/camket rut")
    assert "Rút lại chữ ký này" in son.choices(), son.choices()

    await son.say(f"/thamgia {await town.invite('resident', group='Tổ 5')}")
    await son.say("/camket rut")  # a message in between: the old keyboard is still on his screen
    replies = "\n".join(await son.press("Rút lại chữ ký này"))
    assert "không thể rút lại" in replies, replies
    async with town.app.db.session() as session:
        [signature] = (await session.exec(select(PledgeSignature))).all()
    assert signature.active_key is not None and signature.withdrawn_at is None


async def test_a_resident_changes_household_in_two_presses(family: dict[str, Any]) -> None:
    """Linked to the wrong house (or moved down the street): /hocuatoi offers to leave it and choose another."""
    town, son = family["town"], family["son"]
    tam = await town.join("Tâm", role="group_admin")
    await onboard(son, await town.invite("resident"))
    await ask_household(son, town, "Tổ 3", "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    await son.say("/hocuatoi")
    replies = "\n".join(await son.press("Tôi đã chuyển sang hộ khác"))
    assert "Số 121" in replies and "Anh/chị ở hộ nào" in replies, replies
    assert await links_of(town, "Hùng") == []
    await son.say(await address_in(town, "Tổ 3", "Số 122,"))
    await son.press(next(c for c in son.choices() if "Số 122," in c))
    await confirm_pending(town, tam, "Số 122,")
    assert await links_of(town, "Hùng") == [(await address_in(town, "Tổ 3", "Số 122,"), True)]


async def test_mother_erases_her_data_and_the_household_is_asked_to_sign_again(
    family: dict[str, Any],
) -> None:
    """The mother signed Số 121's pledge, then erased her data while the campaign is open. Her name goes with
    the signature (nothing is filed yet); the daughter, also of the household, is told the household must sign
    again and can start it with one press."""
    town, mother, clock = family["town"], family["mother"], family["clock"]
    admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(admin)
    clock.set(JANUARY)
    await onboard(mother, await town.invite("resident"))
    await ask_household(mother, town, "Tổ 3", "Số 121,")
    await confirm_pending(town, tam, "Số 121,")
    daughter = await town.join("Mai")
    await daughter.say("/hocuatoi")
    await daughter.say(await address_in(town, "Tổ 3", "Số 121,"))
    await daughter.press(next(c for c in daughter.choices() if "Số 121" in c))
    if "họ tên" in daughter.all_text():
        await daughter.say("Trần Thị Mai 0912 345 678")
    await confirm_pending(town, tam, "Số 121,")
    await daughter.poll()

    await mother.say("/camket")
    await mother.press(mother.choices()[0])  # I have read it
    await mother.press(next(c for c in mother.choices() if "Số 121" in c))
    await mother.say("Nguyễn Thị Hoa")
    signed = "\n".join(await mother.press(mother.choices()[0]))
    assert "Đã ký" in signed, signed

    await mother.say("/xoadulieu")
    erased = "\n".join(await mother.say("có, xóa đi"))
    if "đã được xóa" not in erased:
        erased += "\n".join(await mother.press(mother.choices()[0]))
    assert "đã được xóa" in erased or "đã xóa" in erased, erased
    async with town.app.db.session() as session:
        names = [s.signer_name for s in (await session.exec(select(PledgeSignature))).all()]
    assert "Nguyễn Thị Hoa" not in names, names

    await town.drain()
    pushed = await daughter.poll()
    daughter.seen += pushed
    [notice] = [m for m in pushed if "cam kết" in m["text"].lower()]
    assert "Số 121" in notice["text"] and "ký lại" in notice["text"], notice
    replies = await daughter.press(notice["choices"][0]["payload"])
    assert "Tôi đã đọc" in daughter.choices(), daughter.all_text(replies)
