"""Household fire safety (PCCC) journeys on the web chat: the pledge and the checklist in one sitting, bad answers
that lose nothing, re-signing that keeps history, and the extinguisher reminders a month and a week before its
date that stop once it is renewed (manual clock)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select

from handlers.firesafety.ticks import remind
from models import Household, OutboxMessage
from models.fire_safety import FireSafetyChecklist
from tests.test_pledges import JANUARY, address_of, attach, open_campaign


def payload_with(person, prefix: str) -> str:  # type: ignore[no-untyped-def]
    """The payload of the newest button whose payload starts with `prefix` (what the person sees to press)."""
    for message in reversed(person.seen):
        for choice in message.get("choices", []):
            if choice["payload"].startswith(prefix):
                return str(choice["payload"])
    raise AssertionError(f"no button {prefix!r} in {person.all_text()[-400:]!r}")


async def sign_pledge(person, address: str, name: str) -> list:  # type: ignore[no-untyped-def]
    await person.say("/camket")
    await person.press("pread:yes")
    await person.press(next(c for c in person.choices() if address in c))
    await person.say(name)
    return await person.press("psign:yes")


async def fill(person, expiry: str | None = "12/2027", shop: bool = False) -> list:  # type: ignore[no-untyped-def]
    """Answer an open checklist from its first item to the signature."""
    if expiry is None:
        await person.press("fsa:extinguisher:no")
    else:
        await person.press("fsa:extinguisher:yes")
        await person.say(expiry)
    await person.press("fsa:smoke_alarm:yes")
    await person.press("fsa:escape:yes")
    await person.press("fsa:electrical:no")
    await person.press("fsa:gas:none")
    await person.press("fsa:shop:yes" if shop else "fsa:shop:no")
    if shop:
        await person.press("fsa:second_exit:yes")
    return await person.press("fssign:yes")


async def checklists(town) -> list[FireSafetyChecklist]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list(
            (await session.exec(select(FireSafetyChecklist).order_by(col(FireSafetyChecklist.id)))).all()
        )


async def outbox(town, kind: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.source_kind == kind)
                    .order_by(col(OutboxMessage.id))
                )
            ).all()
        )


async def test_pledge_then_checklist_in_one_sitting_with_bad_answers_and_an_update(
    town, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    ward_admin = await town.join("Chủ tịch", role="ward_admin")
    tam = await town.join("Tâm", role="group_admin")
    await open_campaign(ward_admin)
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    # The pledge is signed; the checklist is offered at once, in the same sitting.
    replies = await sign_pledge(lan, "Số 121,", "Nguyễn Thị Lan")
    text = lan.all_text(replies)
    assert "PCCC" in text and "Đã ký" in text, text
    replies = await lan.press(payload_with(lan, "fsc:"))
    text = lan.all_text(replies)
    assert "bình chữa cháy" in text.lower() and "💡" in text and "4 kg" in text, text  # the ward's advice

    await lan.press("fsa:extinguisher:yes")
    # A date in the past, nonsense, a date without a year, oversized text: each is refused and asked again.
    for typed, reason in (
        ("12/2026", "đã qua"),
        ("ngày mai", "không đọc được"),
        ("32/13/2027", "không đọc được"),
        ("12/05", "năm"),
        ("1" * 3000, "không đọc được"),
    ):
        replies = await lan.say(typed)
        assert reason in lan.all_text(replies).lower(), (typed, lan.all_text(replies))
    await lan.say("12/2027")
    await lan.press("fsa:smoke_alarm:yes")
    # An old button of an earlier question answers nothing: the current question comes back.
    replies = await lan.press("fsa:extinguisher:yes")
    assert "câu hỏi trước" in lan.all_text(replies), replies
    assert [c["payload"] for c in replies[-1]["choices"]] == ["fsa:escape:yes", "fsa:escape:no"]
    await lan.press("fsa:escape:yes")
    await lan.press("fsa:electrical:no")
    await lan.press("fsa:gas:none")
    replies = await lan.press("fsa:shop:yes")
    assert "lối thoát" in lan.all_text(replies).lower()  # a house with a shop is asked about a second exit
    replies = await lan.press("fsa:second_exit:yes")
    assert "31/12/2027" in lan.all_text(replies)  # "12/2027" is read as the end of that month
    replies = await lan.press("fssign:yes")
    assert "31/12/2027" in lan.all_text(replies) and "nhắc" in lan.all_text(replies), replies

    [row] = await checklists(town)
    assert (row.year, row.has_extinguisher, row.extinguisher_expires_on) == (2027, True, date(2027, 12, 31))
    assert (row.smoke_alarm, row.escape_route_clear, row.electrical_checked, row.gas) == (
        True,
        True,
        False,
        "none",
    )
    assert (row.has_shop, row.second_exit, row.current_key) == (True, True, f"{row.household_id}:2027")

    # /pccc shows what was signed; updating it keeps the first answers as history, one current per year.
    await town.restart()
    replies = await lan.say("/pccc")
    assert "31/12/2027" in lan.all_text(replies) and "Số 121," in lan.all_text(replies)
    await lan.press(payload_with(lan, "fsc:"))
    await fill(lan, expiry="06/2028")
    first, second = await checklists(town)
    assert first.replaced_at is not None and first.current_key is None
    assert second.current_key == f"{row.household_id}:2027" and second.extinguisher_expires_on == date(
        2028, 6, 30
    )

    # A forged or outdated button of the feature is refused politely, and nothing changes.
    for forged in ("fsc:abc", "fsrenew:999999", "fspc:999999:yes"):
        replies = await lan._post(json={"choice": forged})
        assert "không còn dùng được" in lan.all_text(replies), (forged, replies)
    assert len(await checklists(town)) == 2

    # A household whose checklist is done is not offered it again after signing (a second member, a new sitting).
    minh = await town.join("Minh")
    await attach(minh, tam, town, "so 121", "Số 121,")
    replies = await minh.say("/camket")
    assert "fsc:" not in str(replies)


async def test_extinguisher_reminders_a_month_and_a_week_before_and_none_after_renewal(
    town, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    minh = await town.join("Minh")
    await attach(lan, tam, town, "so 121", "Số 121,")
    await attach(minh, tam, town, "so 122", "Số 122,")
    # Minh's household signed last year with a date in mid-March; this year's checklist renews it.
    async with town.app.db.session() as session:
        household = (
            await session.exec(
                select(Household).where(Household.address == await address_of(town, "Số 122,"))
            )
        ).one()
        session.add(
            FireSafetyChecklist(
                household_id=household.id or 0,
                group_id=household.group_id,
                address=household.address,
                year=2026,
                has_extinguisher=True,
                extinguisher_expires_on=date(2027, 3, 15),
                smoke_alarm=False,
                escape_route_clear=True,
                electrical_checked=True,
                gas="checked",
                has_shop=False,
                signed_at=datetime.fromisoformat("2026-03-01T09:00:00+07:00"),
                current_key=f"{household.id}:2026",
            )
        )
        await session.commit()
    for person in (lan, minh):
        await person.say("/pccc")
        await fill(person, expiry="03/2027")  # valid until 31/03/2027
        await person.poll()

    # Six weeks before: nothing yet.
    manual_clock.set(datetime.fromisoformat("2027-02-17T09:00:00+07:00"))
    await remind(town.app)
    assert await outbox(town, "firesafety_extinguisher") == []

    # A month before, in quiet hours: queued for the morning, once however often the tick runs.
    manual_clock.set(datetime.fromisoformat("2027-03-01T22:30:00+07:00"))
    await remind(town.app)
    await remind(town.app)
    rows = await outbox(town, "firesafety_extinguisher")
    assert len(rows) == 2 and all(r.not_before.hour == 0 for r in rows)  # 07:00 in Vietnam is 00:00 UTC
    assert await town.drain() == 0  # not during quiet hours
    manual_clock.set(datetime.fromisoformat("2027-03-02T07:30:00+07:00"))
    await remind(town.app)
    assert len(await outbox(town, "firesafety_extinguisher")) == 2
    await town.drain()
    polled = await minh.poll()
    minh.seen += polled
    pushed = minh.all_text(polled)
    assert "31/03/2027" in pushed and "Số 122" in pushed and "còn 30 ngày" in pushed, pushed
    assert "15/03/2027" not in pushed  # last year's date, renewed by this year's checklist
    assert "31/03/2027" in lan.all_text(await lan.poll())

    # Minh's household refills it and types the new date from the reminder's button.
    await minh.press(payload_with(minh, "fsrenew:"))
    replies = await minh.say("31/12/2020")
    assert "đã qua" in minh.all_text(replies)
    replies = await minh.say("03/2028")
    assert "31/03/2028" in minh.all_text(replies)

    await minh.poll()  # what he saw while renewing

    # A week before: Lan's household is reminded again; Minh's, renewed, is not.
    manual_clock.set(datetime.fromisoformat("2027-03-25T09:00:00+07:00"))
    await remind(town.app)
    await remind(town.app)
    rows = await outbox(town, "firesafety_extinguisher")
    assert len(rows) == 3
    await town.drain()
    assert "31/03/2027" in lan.all_text(await lan.poll())
    assert await minh.poll() == []
    # After the date, nothing more for the old date; the renewed one will be reminded in its own time.
    manual_clock.set(datetime.fromisoformat("2027-04-02T09:00:00+07:00"))
    await remind(town.app)
    assert len(await outbox(town, "firesafety_extinguisher")) == 3
    manual_clock.set(datetime.fromisoformat("2028-03-05T09:00:00+07:00"))
    await remind(town.app)
    rows = await outbox(town, "firesafety_extinguisher")
    assert (
        len(rows) == 4 and "31/03/2028" in rows[-1].payload["text"] and "Số 122" in rows[-1].payload["text"]
    )
    minh_rows = [r for r in rows[:2] if "Số 122" in r.payload["text"]]
    assert rows[-1].person_id == minh_rows[0].person_id and rows[-1].source_id != minh_rows[0].source_id


async def test_plain_words_lead_there_and_me_forget_and_the_digest_section(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    from bot.extensions.digest_sections import Scope
    from handlers.firesafety.digest import section
    from tests.databases import DEMO_WARD
    from tests.test_alerts_steps import group_id

    tam = await town.join("Tâm", role="group_admin")
    manual_clock.set(JANUARY)
    lan = await town.join("Lan")
    await attach(lan, tam, town, "so 121", "Số 121,")

    # Plain words about the checklist lead to /pccc in one press.
    replies = await lan.say("kê khai pccc cho nhà tôi ở đâu vậy")
    assert "cmd:pccc" in [c["payload"] for r in replies for c in r.get("choices", [])], replies
    replies = await lan.press("cmd:pccc")
    assert "Số 121," in lan.all_text(replies)
    await fill(lan, expiry=None)

    # The weekly digest: the group admin sees the group, police the ward by area, residents nothing.
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    start = datetime.fromisoformat("2027-01-04T00:00:00+07:00")
    end = datetime.fromisoformat("2027-01-11T00:00:00+07:00")
    async with town.app.db.session() as session:
        mine = await section(session, Scope(DEMO_WARD, to3, "group_admin"), start, end)
        ward = await section(session, Scope(DEMO_WARD, None, "police"), start, end)
        resident = await section(session, Scope(DEMO_WARD, to3, "resident"), start, end)
    assert mine is not None and ward is not None and resident is None
    assert mine.lines[0].startswith("1/27 ") and mine.lines[1].endswith(": 27"), mine.lines
    assert any(line.startswith("Khóm 2: ") for line in ward.lines) and len(ward.lines) > 3

    # /toi says what is held; /xoadulieu unlinks the checklist, which stays as the household's record.
    replies = await lan.say("/toi")
    assert "phiếu an toàn PCCC năm 2027" in lan.all_text(replies)
    await lan.say("/xoadulieu")
    replies = await lan.press("forget:yes")
    assert "vẫn được lưu trong hồ sơ" in lan.all_text(replies), replies
    [row] = await checklists(town)
    assert row.person_id is None and row.current_key is not None
