"""A ward says its own kind: in a special zone (đặc khu) people read "đặc khu", never "xã/phường"; alerts and the
weekly digest speak to "bà con", replies keep "anh/chị"; an island's police get 48 hours to transfer a tip.

The journey: the police of Đặc khu Phú Quốc warn the whole special zone, a resident sends a tip there and gets a
reply, the police see the tip's own clocks, and the Monday digest goes out; then everything either of them read
is checked for the generic word.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.directory.geo import kind_word
from bot.i18n import local, use_locale
from bot.textnorm import fold
from models import Area, Group, Ward
from tests.test_alerts_steps import alerts_in, compose
from tests.test_reports import at, pushed, texts
from tests.test_tips import CODE, tip_rows

PHU_QUOC = 31078  # Đặc khu Phú Quốc, Tỉnh An Giang: an island commune


async def special_zone(town) -> None:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        ward = await session.get(Ward, PHU_QUOC)
        assert ward is not None and ward.kind == "đặc khu"
        area = Area(ward_code=PHU_QUOC, name="Khu phố 1", name_folded=fold("Khu phố 1"))
        session.add(area)
        await session.flush()
        assert area.id is not None
        session.add(Group(area_id=area.id, ward_code=PHU_QUOC, name="Tổ 1", name_folded=fold("Tổ 1")))
        await session.commit()


async def transcript(person: Any) -> str:
    """Everything the person's chat shows, from the first message."""
    async with person.http.get(person.url + "/api/messages", params={"after": 0}) as response:
        body = await response.json()
    shown = [m for m in body["messages"] if m["direction"] == "out"]
    return "\n".join([m["text"] for m in shown] + [c["label"] for m in shown for c in m.get("choices", [])])


def test_kind_words_in_both_languages() -> None:
    with use_locale("vi"):
        assert [kind_word(k) for k in ("xã", "phường", "đặc khu", None)] == [
            "xã",
            "phường",
            "đặc khu",
            "xã, phường hoặc đặc khu",
        ]
    with use_locale("en"):
        assert kind_word("đặc khu") == "special zone" and kind_word("xã") == "commune"


async def test_a_special_zone_reads_special_zone_never_xa_phuong(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    await special_zone(town)
    police = await town.join("Thiếu úy Kiên", role="police", ward_code=PHU_QUOC)
    lan = await town.join("Lan", area="Khu phố 1", group="Tổ 1", ward_code=PHU_QUOC)

    # An alert to the whole special zone: the button and the preview say so; residents are "bà con".
    preview = await compose(
        police, title="Giả danh công an gọi điện", body="Kẻ gian xưng là công an, đòi tiền."
    )
    labels = [c["label"] for m in police.seen for c in m.get("choices", []) if c["payload"] == "scope:ward"]
    assert labels and labels[-1] == "Toàn đặc khu"
    assert "toàn đặc khu" in texts(preview)
    await police.press("confirm:send")
    await town.drain()
    [alert] = alerts_in(await pushed(lan))
    assert "Thưa bà con," in alert["text"] and "Đặc khu Phú Quốc" in alert["text"]

    # A tip to the special zone's police: 48 hours to transfer it (an island), a reply naming the place.
    await lan.say("/togiac")
    await lan.press("cat:theft")
    await lan.say("Có người lạ lấy trộm xe máy ở bến tàu tối qua.")
    await lan.press("what:done")
    await lan.press("where:unknown")
    await lan.press("when:today")
    await lan.press(f"tward:{PHU_QUOC}")
    await lan.press("ident:anon")
    await lan.press("mayreply:yes")
    assert CODE.search(texts(await lan.press("tsend:yes")))
    [tip] = await tip_rows(town)
    assert tip.transfer_due_at is not None and tip.transfer_due_at - tip.received_at == timedelta(hours=48)
    await police.say("/tinbao")
    opened = texts(await police.press(f"tipp:open:{tip.id}"))
    assert "Địa bàn: Đặc khu Phú Quốc" in opened and "điều 145" in opened
    await police.press(f"tipp:reply:{tip.id}")
    await police.say("Công an đã nắm được, cảm ơn anh/chị.")
    await town.drain()
    reply = texts(await pushed(lan))
    assert f"Công an Đặc khu Phú Quốc trả lời về tin báo số {tip.id} của anh/chị" in reply
    # Transferred without a separate notice of receipt: the outcome notice is the receipt, and the investigating
    # body's 20 days start from the transfer.
    await police.press(f"tipp:open:{tip.id}")
    await police.press(f"tipp:status:{tip.id}")
    await police.press(f"tipp:st:{tip.id}:transferred")
    await police.say("Đã chuyển Cơ quan Cảnh sát điều tra Công an tỉnh")
    [tip] = await tip_rows(town)
    assert tip.acknowledged_at is not None and tip.closed_at is not None
    assert local(tip.decision_due_at).date() == local(tip.closed_at).date() + timedelta(days=20)

    # Monday: the digest greets the neighbourhood and thanks it.
    await at(town, manual_clock, "2026-11-30T07:05:00")
    digest = texts(await pushed(lan))
    assert "Thưa bà con Tổ 1, Khu phố 1," in digest and "Cảm ơn bà con" in digest
    assert local(manual_clock.now()).weekday() == 0

    for person in (police, lan):
        shown = await transcript(person)
        assert "đặc khu" in shown.lower()
        assert "xã/phường" not in shown.lower() and "phường/xã" not in shown.lower(), shown


async def test_a_ward_of_the_other_kinds_keeps_its_own_word(town) -> None:  # type: ignore[no-untyped-def]
    """The demo ward is a phường: its police's button says so."""
    police = await town.join("Thiếu úy Hùng", role="police")
    await compose(police, title="Trộm xe máy ban đêm", body="Bà con khóa xe, cất xe vào nhà sau 22 giờ.")
    labels = [c["label"] for m in police.seen for c in m.get("choices", []) if c["payload"] == "scope:ward"]
    assert labels[-1] == "Toàn phường"
    async with town.app.db.session() as session:
        kinds = set((await session.exec(select(Ward.kind))).all())
    assert kinds == {"xã", "phường", "đặc khu"}
