"""Fire safety for leaders: coverage and the year's figures against counts made independently here, a liên gia
team of six households, and a public fire point whose keeper is reminded every month and confirms the check."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlmodel import col, select

from bot.extensions.year_figures import Place
from handlers.firesafety.ticks import remind
from models import Area, Group, Household, OutboxMessage
from models.fire_safety import FirePoint, FirePointCheck, FireSafetyChecklist, FireSafetyTeam
from tests.databases import DEMO_WARD
from tests.test_firesafety import payload_with
from tests.test_pledges import JANUARY, attach

YEAR_START = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2027, 00:00 in Vietnam
YEAR_END = datetime(2027, 12, 31, 17, 0, tzinfo=UTC)


async def seed_checklists(town) -> dict[int, tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    """Checklists for a pattern of the ward's households; returns per group (area, households, checked, valid
    extinguishers on 10/04/2027) counted here, without the feature's queries."""
    expected: dict[int, list[int]] = {}
    async with town.app.db.session() as session:
        rows = (
            await session.exec(
                select(Household, Group)
                .join(Group, col(Group.id) == col(Household.group_id))
                .where(Group.ward_code == DEMO_WARD, col(Group.retired_at).is_(None))
                .order_by(col(Household.id))
            )
        ).all()
        groups = (await session.exec(select(Group).where(Group.ward_code == DEMO_WARD))).all()
        for group in groups:
            if group.retired_at is None:
                expected[group.id or 0] = [group.area_id, 0, 0, 0]
        for i, (household, group) in enumerate(rows):
            counts = expected[group.id or 0]
            counts[1] += 1

            def add(
                year: int,
                expires: date | None,
                replaced: bool = False,
                household: Household = household,
                group: Group = group,
            ) -> None:
                session.add(
                    FireSafetyChecklist(
                        household_id=household.id or 0,
                        group_id=group.id or 0,
                        address=household.address,
                        year=year,
                        has_extinguisher=expires is not None,
                        extinguisher_expires_on=expires,
                        smoke_alarm=True,
                        escape_route_clear=True,
                        electrical_checked=True,
                        gas="checked",
                        has_shop=False,
                        signed_at=datetime(year, 2, 1, 3, 0, tzinfo=UTC),
                        replaced_at=datetime(year, 2, 2, tzinfo=UTC) if replaced else None,
                        current_key=None if replaced else f"{household.id}:{year}",
                    )
                )

            if i % 3 == 0:  # this year's checklist; an extinguisher valid until 2028 on every other one
                add(2027, date(2028, 1, 31) if i % 2 == 0 else None)
                counts[2] += 1
                counts[3] += i % 2 == 0
            elif i % 5 == 0:  # only last year's, with an extinguisher valid until June 2027
                add(2026, date(2027, 6, 30))
                counts[3] += 1
            elif i % 7 == 0:  # last year's extinguisher, expired in March
                add(2026, date(2027, 3, 31))
            elif i % 11 == 0:  # signed this year, then updated: counted once, by its newest answers
                add(2027, date(2028, 1, 31), replaced=True)
                add(2027, None)
                counts[2] += 1
        await session.commit()
    return {g: (a, h, c, e) for g, (a, h, c, e) in expected.items()}


async def test_coverage_and_year_figures_match_counts_made_here(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an", role="police")
    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(datetime.fromisoformat("2027-04-10T09:00:00+07:00"))
    expected = await seed_checklists(town)
    households = sum(h for _a, h, _c, _e in expected.values())
    checked = sum(c for _a, _h, c, _e in expected.values())
    valid = sum(e for _a, _h, _c, e in expected.values())
    assert 0 < checked < households and 0 < valid < households

    await police.say("/pccc")
    replies = await police.press("fsm:coverage")
    text = police.all_text(replies)
    assert f"{checked}/{households} hộ đã kê khai" in text and f"{valid}/{households} hộ có bình" in text, (
        text
    )
    async with town.app.db.session() as session:
        to3 = (
            await session.exec(
                select(Group)
                .join(Area, col(Area.id) == col(Group.area_id))
                .where(Group.name == "Tổ 3", Area.name == "Khóm 2")
            )
        ).one()
    _a, h3, c3, e3 = expected[to3.id or 0]
    assert f"Tổ 3, Khóm 2: kê khai {c3}/{h3}, có bình chữa cháy {e3}/{h3}" in text
    await tam.say("/pccc")
    text = tam.all_text(await tam.press("fsm:coverage"))
    assert f"{c3}/{h3} hộ đã kê khai" in text and "Khóm 1" not in text

    # The year's figures, through the registry as the review reads them, per group, area and ward.
    figures = town.app.registry.year_figures
    async with town.app.db.session() as session:
        shares = await figures["firesafety.checklist_share"].fn(session, DEMO_WARD, YEAR_START, YEAR_END)
        extinguishers = await figures["firesafety.extinguisher_share"].fn(
            session, DEMO_WARD, YEAR_START, YEAR_END
        )
    by_area: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for group_id, (area_id, h, c, e) in expected.items():
        assert (shares[Place("group", group_id)].numerator, shares[Place("group", group_id)].denominator) == (
            c,
            h,
        )
        assert extinguishers[Place("group", group_id)].numerator == e
        by_area[area_id][0] += h
        by_area[area_id][1] += c
        by_area[area_id][2] += e
    for area_id, (h, c, e) in by_area.items():
        assert (shares[Place("area", area_id)].numerator, shares[Place("area", area_id)].denominator) == (
            c,
            h,
        )
        assert extinguishers[Place("area", area_id)].numerator == e
    ward = shares[Place("ward", DEMO_WARD)]
    assert (ward.numerator, ward.denominator, ward.source) == (checked, households, "fire_safety_checklist")
    assert abs(ward.value - checked / households) < 1e-9 and len(ward.record_ids) == checked
    assert extinguishers[Place("ward", DEMO_WARD)].numerator == valid


async def test_a_lien_gia_team_of_six_households(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    # Not used until the ward admin turns liên gia teams on.
    await tam.say("/pccc")
    replies = await tam.press("fsm:teams")
    assert "chưa dùng tổ liên gia" in tam.all_text(replies)
    await ward_admin.say("/pccc")
    await ward_admin.press("fsm:settings")
    replies = await ward_admin.press("fsset:teams:yes")
    assert "Tổ liên gia an toàn PCCC: bật" in ward_admin.all_text(replies)

    await tam.say("/pccc")
    await tam.press("fsm:teams")
    await tam.press(payload_with(tam, "fstnew:"))
    replies = await tam.say("x" * 500)  # an oversized name is refused, nothing lost
    assert "không quá" in tam.all_text(replies)
    await tam.say("Liên gia hẻm 121")
    labels = tam.choices()
    lan_number = next(i for i, label in enumerate(labels, 1) if "Số 121," in label)
    others = [n for n in range(1, 10) if n != lan_number][:5]
    await tam.say(" ".join(str(n) for n in [lan_number, *others[:3]]))  # four: too few
    replies = await tam.press("fstdone:go")
    assert "từ 5 đến 10 hộ" in tam.all_text(replies) and "4 hộ" in tam.all_text(replies)
    await tam.say(f"{others[3]}, {others[4]}")
    replies = await tam.press("fstdone:go")
    assert [c["payload"] for c in replies[-1]["choices"]] == [
        payload_with(tam, "fstlead:")
    ]  # Lan, the only member
    await tam.press(payload_with(tam, "fstlead:"))
    replies = await tam.press("fstok:yes")
    assert "Liên gia hẻm 121" in tam.all_text(replies)

    async with town.app.db.session() as session:
        [team] = (await session.exec(select(FireSafetyTeam))).all()
    await town.drain()
    assert "Liên gia hẻm 121" in lan.all_text(await lan.poll())
    text = tam.all_text(await tam.press("fsm:coverage"))
    assert "Liên gia hẻm 121 (Tổ 3)" in text and "6 hộ, 0 hộ đã kê khai" in text, text

    # Another team cannot take the same households; dissolving frees them.
    await tam.press("fsm:teams")
    replies = await tam.press(f"fstrm:{team.id}")  # one press is a question, not the deed
    assert "Liên gia hẻm 121" in tam.all_text(replies)
    await tam.say("không")  # typed instead of pressed: kept
    assert not await retired(town, FireSafetyTeam, team.id)
    await tam.press(f"fstrm:{team.id}")
    await tam.press(f"fstrmok:yes:{team.id}")
    assert await retired(town, FireSafetyTeam, team.id)


async def test_a_fire_point_keeper_is_reminded_monthly_and_confirms(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    police = await town.join("Công an", role="police")
    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    await ward_admin.say("/pccc")
    await ward_admin.press("fsm:points")
    await ward_admin.press("fspnew:go")
    await ward_admin.press("Khóm 2")
    await ward_admin.say("Đầu hẻm 121, cạnh cột điện số 12")
    replies = await ward_admin.say("bình " * 100)
    assert "không quá 200 ký tự" in ward_admin.all_text(replies)
    await ward_admin.say("2 bình bột 8 kg, 1 thang")
    replies = await ward_admin.say("zzzz")
    assert "Không có ai" in ward_admin.all_text(replies)
    await ward_admin.say("lan")
    await ward_admin.press(payload_with(ward_admin, "fspkeep:"))
    replies = await ward_admin.press("fspok:yes")
    assert "Đã đăng ký" in ward_admin.all_text(replies)
    async with town.app.db.session() as session:
        [point] = (await session.exec(select(FirePoint))).all()

    # Only the keeper may confirm; the keeper sees the point in /pccc and confirms January's check there.
    replies = await tam._post(json={"choice": f"fspc:{point.id}:yes"})
    assert "Chỉ người quản lý" in tam.all_text(replies)
    replies = await lan.say("/pccc")
    assert "Đầu hẻm 121" in lan.all_text(replies)
    replies = await lan.press(f"fspc:{point.id}:yes")
    assert "2027-01" in lan.all_text(replies)
    await remind(town.app)
    assert await keeper_reminders(town) == []  # January is checked

    # February: reminded once, however often the tick runs; the check from the reminder's button.
    await lan.poll()
    manual_clock.set(datetime.fromisoformat("2027-02-01T09:00:00+07:00"))
    await remind(town.app)
    await remind(town.app)
    assert len(await keeper_reminders(town)) == 1
    await town.drain()
    pushed = await lan.poll()
    lan.seen += pushed
    assert "Đầu hẻm 121" in lan.all_text(pushed)
    await lan.press(f"fspc:{point.id}:yes")
    manual_clock.set(datetime.fromisoformat("2027-02-20T09:00:00+07:00"))
    await remind(town.app)
    assert len(await keeper_reminders(town)) == 1

    # March: something needs repair, with a note (too long first).
    manual_clock.set(datetime.fromisoformat("2027-03-01T09:00:00+07:00"))
    await remind(town.app)
    assert len(await keeper_reminders(town)) == 2
    await lan.press(f"fspc:{point.id}:no")
    replies = await lan.say("thiếu " * 80)
    assert "không quá 200 ký tự" in lan.all_text(replies)
    await ward_admin.poll()
    await lan.say("Thiếu 1 bình bột, thang gãy")
    await town.drain()
    assert "Thiếu 1 bình bột, thang gãy" in ward_admin.all_text(await ward_admin.poll())
    text = police.all_text(await open_points(police))
    assert "Thiếu 1 bình bột" in text and "quá hạn kiểm tra: 0" in text and "(quá hạn" not in text, text

    # April 10: the point was checked in each of January–March, so it counts in the year's figure.
    manual_clock.set(datetime.fromisoformat("2027-04-10T09:00:00+07:00"))
    figure = town.app.registry.year_figures["firesafety.fire_points_checked_share"]
    async with town.app.db.session() as session:
        found = await figure.fn(session, DEMO_WARD, YEAR_START, YEAR_END)
        area = (
            await session.exec(select(Area).where(Area.ward_code == DEMO_WARD, Area.name == "Khóm 2"))
        ).one()
    assert (found[Place("ward", DEMO_WARD)].numerator, found[Place("ward", DEMO_WARD)].denominator) == (1, 1)
    assert found[Place("area", area.id or 0)].value == 1.0

    # May 10: no check since 1 March: overdue in the list, and a missed April means the figure drops.
    manual_clock.set(datetime.fromisoformat("2027-05-10T09:00:00+07:00"))
    text = police.all_text(await open_points(police))
    assert "quá hạn kiểm tra: 1" in text and "(quá hạn kiểm tra)" in text, text
    async with town.app.db.session() as session:
        found = await figure.fn(session, DEMO_WARD, YEAR_START, YEAR_END)
        assert len((await session.exec(select(FirePointCheck))).all()) == 3
    assert found[Place("ward", DEMO_WARD)].numerator == 0

    # Taking the point off the register is asked once more; "No, keep it" keeps it.
    await open_points(ward_admin)
    replies = await ward_admin.press(f"fsprm:{point.id}")
    assert "Đầu hẻm 121" in ward_admin.all_text(replies) and "?" in ward_admin.all_text(replies)
    await ward_admin.press(f"fsprmok:no:{point.id}")
    assert not await retired(town, FirePoint, point.id)
    await ward_admin.press(f"fsprm:{point.id}")
    await ward_admin.press(f"fsprmok:yes:{point.id}")
    assert await retired(town, FirePoint, point.id)


async def retired(town, model, row_id) -> bool:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return (await session.get(model, row_id)).retired_at is not None  # type: ignore[no-any-return]


async def open_points(person) -> list:  # type: ignore[no-untyped-def]
    await person.say("/pccc")
    return await person.press("fsm:points")


async def keeper_reminders(town) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage).where(OutboxMessage.source_kind == "firesafety_point")
                )
            ).all()
        )


async def test_the_ward_admin_edits_the_advice_and_turns_the_checklist_off(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    # Only the ward admin has the advice and settings screens.
    await tam.say("/pccc")
    assert "fsm:advice" not in str(tam.seen[-1]["choices"])
    replies = await tam._post(json={"choice": "fsm:advice"})
    assert "cán bộ quản trị xã/phường" in tam.all_text(replies)

    await ward_admin.say("/pccc")
    await ward_admin.press("fsm:advice")
    replies = await ward_admin.press("fsadv:extinguisher")
    assert "4 kg" in ward_admin.all_text(replies)  # the advice shown now
    replies = await ward_admin.say("x" * 700)
    assert "không quá 600 ký tự" in ward_admin.all_text(replies)
    await ward_admin.say("Phường cấp miễn phí tem kiểm định bình tại trụ sở công an phường mỗi thứ Bảy.")
    replies = await lan.say("/pccc")
    assert "tem kiểm định" in lan.all_text(replies) and "4 kg" not in lan.all_text(replies)
    await lan.say("/huy")

    # Back to the standard advice.
    await ward_admin.say("/pccc")
    await ward_admin.press("fsm:advice")
    await ward_admin.press("fsadv:extinguisher")
    await ward_admin.press("fsadv0:go")
    replies = await lan.say("/pccc")
    assert "4 kg" in lan.all_text(replies)
    await lan.say("/huy")

    # A ward that turns the checklist off: /pccc says so.
    await ward_admin.say("/pccc")
    await ward_admin.press("fsm:settings")
    replies = await ward_admin.press("fsset:checklist:no")
    assert "Phiếu PCCC của hộ qua tin nhắn: tắt" in ward_admin.all_text(replies)
    replies = await lan.say("/pccc")
    assert "chưa dùng phiếu an toàn PCCC" in lan.all_text(replies)
