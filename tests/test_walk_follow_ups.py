"""Follow-ups of the twelfth session's walks, in shared code the fixers did not own: a guessed kind named with its
number where choices are numbered lines (the tip and problem forms, as mediation's); the guess kept through the
tip's emergency screen; the pledge's year figure never 100% for an area while one of its groups has no household
list (as coverage reads); "hổng có" is a no."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.core.typed import yes_or_no
from bot.extensions.year_figures import Place
from bot.textnorm import fold
from handlers.pledges.year import signed_share
from models import Area, ConversationState, Group, Household
from models.pledges import PledgeCampaign
from tests.conftest import DEMO_WARD
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, texts


@pytest.fixture
async def zalo(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloBotDriver]]:
    driver = ZaloBotDriver()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


async def open_form(town: Any) -> ConversationState:
    async with town.app.db.session() as session:
        [state] = [s for s in (await session.exec(select(ConversationState))).all() if s.flow]
        return state


async def test_the_guessed_category_on_numbered_lines_is_named_with_its_number(
    zalo: tuple[Any, ZaloBotDriver],
) -> None:
    town, person = zalo
    await joined(town, person)
    await person.say("xe đạp nhà tôi bị trộm mất tối qua ở trước cổng")
    asked = texts(await person.say("1"))  # the offer of the tip form, its first line
    lines = [line for line in asked.splitlines() if "Trộm cắp" in line]
    number = next(line.split(".")[0].strip() for line in lines if line.strip()[0].isdigit())
    assert f"(số {number} bên dưới)" in asked and "bấm vào đó" not in asked, asked
    await person.say("có")
    assert (await open_form(town)).data["category"] == "theft"


async def test_a_problem_report_read_as_a_crime_with_danger_keeps_its_category_through_the_emergency_screen(
    ward: Any,
) -> None:
    lan = await ward.join("Lan")
    await lan.say("/phananh")
    await lan.press("prc:other")
    await lan.say("tối nào cũng có mấy thằng bán ma túy ở đầu hẻm 5, tụi nó cầm dao dọa người qua đường")
    await lan.press("prd:done")
    await lan.press("prx:tip")
    state = await open_form(ward)
    if state.flow == "tip_emergency":  # danger words: the numbers first, then the form
        await lan.press(lan.choices()[0])
        state = await open_form(ward)
    assert state.flow == "tip" and state.data.get("guess") == "drugs", state.data


async def test_the_pledge_year_figure_of_an_area_with_a_group_without_a_list_is_not_known(
    manual_clock: Any, town: Any
) -> None:  # on the manual clock: the groups exist in 2026
    async with town.app.db.session() as session:
        area = Area(ward_code=DEMO_WARD, name="Khóm 9", name_folded=fold("Khóm 9"))
        session.add(area)
        await session.flush()
        listed = Group(area_id=area.id, ward_code=DEMO_WARD, name="Tổ 1", name_folded="to 1")
        empty = Group(area_id=area.id, ward_code=DEMO_WARD, name="Tổ 2", name_folded="to 2")
        session.add_all([listed, empty])
        await session.flush()
        session.add(Household(group_id=listed.id, address="12 Lê Lợi", head_name="Phạm Văn Năm"))
        session.add(
            PledgeCampaign(
                ward_code=DEMO_WARD,
                year=2026,
                title="2026",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
                area_ids=[area.id],
            )
        )
        await session.commit()
        manual_clock.advance(timedelta(hours=1))  # the household was listed before the figures are read
        figures = await signed_share(
            session,
            DEMO_WARD,
            datetime.fromisoformat("2026-01-01T00:00:00+07:00"),
            datetime.fromisoformat("2027-01-01T00:00:00+07:00"),
        )
    assert figures[Place("group", listed.id)].denominator == 1
    assert figures[Place("group", empty.id)].denominator == 0  # not started: fails the criterion
    assert Place("area", area.id) not in figures and Place("ward", DEMO_WARD) not in figures


@pytest.mark.parametrize("typed", ["hổng", "hổng có", "Hổng có ạ"])
def test_a_southern_no_is_a_no(typed: str) -> None:
    assert yes_or_no(typed) is False


async def test_the_zalo_bot_is_never_asked_to_share_a_location(zalo: tuple[Any, ZaloBotDriver]) -> None:
    """Its updates carry no location: the place of a tip, a problem or a camera is asked as an address there."""
    town, person = zalo
    await joined(town, person)
    await person.say("/togiac")
    await person.press("Trộm cắp")
    await person.say("Hai thanh niên bẻ khóa xe máy trước nhà số 12")
    asked = texts(await person.press("Xong"))
    assert "ở đâu" in asked.lower() and "vị trí" not in asked.lower(), asked
    await person.say("/huy")
    asked = texts(await person.say("/camera"))
    assert "địa chỉ" in asked and "vị trí" not in asked.lower(), asked


async def test_a_tip_on_the_web_may_still_share_a_location(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.say("/togiac")
    await lan.press("Trộm cắp")
    await lan.say("Hai thanh niên bẻ khóa xe máy trước nhà số 12")
    assert "vị trí" in texts(await lan.press("Xong")).lower()
