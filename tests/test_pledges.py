"""Household pledge journeys: a ward admin opens the campaign, a group admin imports the household list, three
households sign from the web chat and Telegram, leaders follow coverage and export it, codes are checked."""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import load_workbook
from sqlmodel import col, func, select

from handlers.pledges.flows.membership import address_query
from models import Area, Group, Household
from models.pledges import PledgeSignature
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver

BAD_CSV = (
    "Địa chỉ,Chủ hộ,Số nhân khẩu\n"
    "Số 201 đường Nguyễn Huệ,Trần Văn Bảy,4\n"
    "Số 202 đường Nguyễn Huệ,,3\n"
    "Số 203 đường Nguyễn Huệ,Lê Thị Tám,5\n"
).encode("utf-8-sig")
GOOD_CSV = (
    "Địa chỉ;Chủ hộ;Số nhân khẩu\n"
    "Số 201 đường Nguyễn Huệ;Trần Văn Bảy;4\n"
    "Số 202 đường Nguyễn Huệ;Phạm Thị Chín;3\n"
    "\n"
    "Số 203 đường Nguyễn Huệ;Lê Thị Tám;5\n"
).encode()
JANUARY = datetime.fromisoformat("2027-01-04T09:00:00+07:00")


async def households_of_to3(town) -> int:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        group = (
            await session.exec(
                select(Group)
                .join(Area, Area.id == Group.area_id)  # type: ignore[arg-type]
                .where(Group.name == "Tổ 3", Area.name == "Khóm 2")
            )
        ).one()
        return int(
            (
                await session.exec(
                    select(func.count()).select_from(Household).where(Household.group_id == group.id)
                )
            ).one()
        )


async def open_campaign(admin) -> None:  # type: ignore[no-untyped-def]
    await admin.say("/chiendich")
    await admin.press("ptitle:default")
    replies = await admin.press("ptext:default")
    assert "Thông tư 124" in admin.all_text() or "124/2021" in admin.all_text(), replies
    await admin.press("pdates:default")
    await admin.press("pscope:all")
    replies = await admin.press("popen:yes")
    # The command in the admin's language: /camket, or /pledge for an admin who reads English.
    assert "/camket" in admin.all_text(replies) or "/pledge" in admin.all_text(replies)


async def sign_on_web(person, address: str, name: str) -> str:  # type: ignore[no-untyped-def]
    await person.say("/camket")
    await person.press("pread:yes")
    label = next(c for c in person.choices() if address in c)
    await person.press(label)
    await person.say(name)
    replies = await person.press("psign:yes")
    found = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", person.all_text(replies))
    assert found, replies
    return found.group(0)


async def address_of(town, starts: str) -> str:  # type: ignore[no-untyped-def]
    """The whole address of the Tổ 3 household whose address starts so ("Số 121,"): what its residents know."""
    async with town.app.db.session() as session:
        group = (
            await session.exec(
                select(Group)
                .join(Area, col(Area.id) == Group.area_id)
                .where(Group.name == "Tổ 3", Area.name == "Khóm 2")
            )
        ).one()
        rows = (await session.exec(select(Household).where(Household.group_id == group.id))).all()
    [found] = [h.address for h in rows if re.match(re.escape(starts) + r"(\D|$)", h.address)]
    return found


async def attach(person, admin, town, query: str, address: str) -> None:  # type: ignore[no-untyped-def]
    await person.say("/hocuatoi")
    if not address_query(query)[1]:  # the resident knows their street too: the search needs it
        query = await address_of(town, address)
    await person.say(query)
    label = next((c for c in person.choices() if address in c), None)
    assert label is not None, person.all_text()[-600:]
    replies = await person.press(label)
    if "full name" in person.all_text(replies) or "họ tên" in person.all_text(replies):
        replies = await person.say(f"{person.name} 0912 345 678")  # the web chat knows no name: asked once
    assert "xác nhận" in person.all_text(replies).lower() or "will confirm" in person.all_text(replies)
    await town.drain()
    pushed = await admin.poll()
    admin.seen += pushed
    request = next(m for m in pushed if address in m["text"] and m["choices"])
    await admin.press(request["choices"][0]["payload"])
    await town.drain()
    assert any("/camket" in m["text"] for m in await person.poll())


async def test_pledge_campaign_from_opening_to_export(db_url, settings_for, manual_clock) -> None:  # type: ignore[no-untyped-def]
    telegram = TelegramDriver(user_id=5550042, first_name="Hoa")
    async with driver_town(telegram, settings_for, db_url) as town:
        ward_admin = await town.join("Chủ tịch", role="ward_admin")
        tam = await town.join("Tâm", role="group_admin")
        police = await town.join("Công an", role="police")
        leader = await town.join("Trưởng khóm", role="area_leader")

        # November: the ward admin opens next year's campaign with the suggested text and the first quarter.
        await open_campaign(ward_admin)
        replies = await leader.say("/dangky")
        assert "Khóm 2" in leader.all_text(replies) and "432" in leader.all_text(replies)
        replies = await leader.press("pregok:yes")
        assert "/baophu" in leader.all_text(replies)

        # The group admin imports the list: one file with bad rows, nothing imported, then a corrected file.
        before = await households_of_to3(town)
        await tam.say("/hogiadinh")
        await tam.press("phh:import")
        replies = await tam.say("gửi sau nhé")
        assert "tệp CSV" in tam.all_text(replies)
        replies = await tam.send_file(BAD_CSV, "ho-gia-dinh.csv", "text/csv")
        text = tam.all_text(replies)
        assert "dòng 3: tên chủ hộ bị trống" in text and "dòng 4" not in text and "Chưa nhập gì" in text, text
        assert await households_of_to3(town) == before
        await town.restart()
        replies = await tam.send_file(GOOD_CSV, "ho-gia-dinh.csv", "text/csv")
        assert await households_of_to3(town) == before + 3, tam.all_text(replies)
        await tam.press("phh:done")
        total = before + 3

        # January: signing opens. Two households on the web, one on Telegram.
        manual_clock.set(JANUARY)
        lan = await town.join("Lan")
        minh = await town.join("Minh")
        tu = await town.join("Tú")
        await attach(lan, tam, town, "201 nguyen hue", "Số 201")
        await attach(minh, tam, town, "202", "Số 202")
        await attach(tu, tam, town, "201", "Số 201")

        code_lan = await sign_on_web(lan, "Số 201", "Trần Văn Bảy")
        await town.restart()
        code_minh = await sign_on_web(minh, "Số 202", "Phạm Thị Chín")

        code = await town.invite("resident")
        await telegram.say(f"/start {code}")
        await telegram.press("Tiếng Việt")
        await telegram.press("Tôi đồng ý")
        await telegram.say("/hocuatoi")
        await telegram.say(await address_of(town, "Số 203"))
        await telegram.press(next(c for c in telegram.choices() if "Số 203" in c))
        await town.drain()
        pushed = await tam.poll()
        tam.seen += pushed
        await tam.press(next(m for m in pushed if "Số 203" in m["text"])["choices"][0]["payload"])
        await town.drain()
        await telegram.say("/camket")
        await telegram.press(telegram.choices()[0])  # "I have read it"
        await telegram.press(next(c for c in telegram.choices() if "Số 203" in c))
        await telegram.say("Lê Thị Tám")
        sent = await telegram.press(telegram.choices()[0])  # "Sign the pledge"
        assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", "\n".join(sent)), sent

        # A second member of a household that signed is told who signed and when; nothing new is stored.
        replies = await tu.say("/camket")
        text = tu.all_text(replies)
        assert "Trần Văn Bảy" in text and code_lan in text and "2027" in text and "09:00" in text, text
        async with town.app.db.session() as session:
            assert int((await session.exec(select(func.count()).select_from(PledgeSignature))).one()) == 3

        # Coverage: 3 of N, with the right households still to sign.
        for viewer in (tam, police, ward_admin, leader):
            replies = await viewer.say("/baophu")
            text = viewer.all_text(replies)
            assert f"3/{total}" in text, text
        ward_view = ward_admin.all_text(await ward_admin.say("/baophu"))
        assert (
            f"Khóm 2 (đã đăng ký): 3/{total + 405}" in ward_view
            and "Khóm 1 (chưa đăng ký): 0/216" in ward_view
        )
        assert f"Tổ 3, Khóm 2: 3/{total}  ▓░░░░░░░░░ 10%" in ward_view
        text = tam.all_text(await tam.say("/baophu"))
        assert f"3/{total} hộ đã ký  ▓░░░░░░░░░ 10%" in text
        assert "Số 201" not in text.split("\n", 3)[-1] and "Số 202" not in text and "Số 203" not in text
        assert text.count("• ") == total - 3

        # The export opens in a spreadsheet library with one row per household and the three signatures.
        replies = await tam.press("Xuất Excel")
        media = replies[-1]["media"][0]
        async with tam.http.get(tam.url + media["url"]) as response:
            assert response.status == 200
            book = load_workbook(io.BytesIO(await response.read()))
        rows = list(book.active.iter_rows(values_only=True))
        assert len(rows) == total + 1
        signed = {r[2]: r[6] for r in rows[1:] if r[6]}
        assert signed == {
            "Số 201 đường Nguyễn Huệ": "Trần Văn Bảy",
            "Số 202 đường Nguyễn Huệ": "Phạm Thị Chín",
            "Số 203 đường Nguyễn Huệ": "Lê Thị Tám",
        }
        replies = await tam.press("Xuất CSV")
        async with tam.http.get(tam.url + replies[-1]["media"][0]["url"]) as response:
            csv_text = (await response.read()).decode("utf-8-sig")
        assert csv_text.count("\n") == total + 1 and "Phạm Thị Chín" in csv_text

        # Anyone can check a code; it reveals neither the household nor the signer.
        replies = await police.say(f"/camket kiemtra {code_minh.lower()}")
        text = police.all_text(replies)
        assert "Tổ 3" in text and "Phạm" not in text and "Số 202" not in text, text
        replies = await police.say("/camket kiemtra ZZZZ-ZZZZ")
        assert "ZZZZ-ZZZZ" in police.all_text(replies)
