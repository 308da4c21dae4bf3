"""Rewards for useful tips, as people live them: the ward police mark a tip useful and record a reward; the
tipster learns it only with their receipt code (and by a message when they allowed replies), and chooses to be
rewarded under their name or anonymously with a claim code shown once, which the officer checks at payout (once;
wrong codes limited). Another ward's police see and check nothing; the anonymity canary still finds nothing after
a claim; the year's review counts tips received, useful and rewarded for the ward only.

People who read the bot's words here use English: the Vietnamese of these screens is merged into the shared tips
catalog separately, and a test must not depend on when.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from bot.logs import JsonFormatter
from handlers.tips.rewards import looks_like_amount, parse_amount
from models import AuditEntry, Tip
from models.tip_rewards import RewardChoice, TipReward
from tests.databases import DEMO_WARD
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_tips import CODE, other_ward, poll, quick_tip, texts, tip_rows
from tests.test_tips_canary import (  # noqa: F401  (canary_town is a fixture)
    MARK,
    REGISTRATION,
    Tipster,
    canary_town,
    every_cell,
)

CLAIM = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


async def rewards(town: Any) -> list[TipReward]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(TipReward).order_by(col(TipReward.id)))).all())


async def decide(town: Any, officer: Any, tip_id: int, what: str = "2 triệu", ref: str = "15/QĐ-CAP") -> str:
    """The officer records a reward decision dated today from the tip's view; returns the summary they confirmed."""
    await town.drain()
    await poll(officer)  # the new tip's message, with its button
    await officer.press(f"tipp:open:{tip_id}")
    await officer.press(f"tiprw:view:{tip_id}")
    await officer.press(f"tiprw:decide:{tip_id}")
    await officer.say(what)
    await officer.say(ref)
    summary = texts(await officer.press("trwd:today"))
    await officer.press("trwd:save:yes")
    return summary


async def figures(town: Any, ward_code: int) -> dict[str, float]:
    """The tips' figures for the year's review, for this calendar year in the ward."""
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    found = {}
    async with town.app.db.session() as session:
        for name in ("tips.received", "tips.useful", "tips.rewarded"):
            per_place = await town.app.registry.year_figures[name].fn(session, ward_code, start, end)
            assert {place.kind for place in per_place} == {"ward"}  # never per group or area
            [figure] = per_place.values()
            assert figure.record_ids == ()
            found[name] = figure.value
    return found


async def test_anonymous_tipster_collects_a_reward_with_a_claim_code_shown_once(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan", locale="en")
    officer = await town.join("Officer", role="police", locale="en")
    stranger = await town.join(
        "Other ward officer", role="police", locale="en", ward_code=await other_ward(town)
    )
    receipt = await quick_tip(lan)
    [tip] = await tip_rows(town)
    assert await figures(town, DEMO_WARD) == {"tips.received": 1, "tips.useful": 0, "tips.rewarded": 0}

    # Police of another ward neither see the tip's reward nor may record one.
    for payload in (f"tiprw:view:{tip.id}", f"tiprw:useful:{tip.id}", f"tiprw:decide:{tip.id}"):
        assert "no tip with that number in your ward" in texts(await stranger._post(json={"choice": payload}))
    assert await rewards(town) == []

    # The officer of the ward marks it useful, then records the decision; bad input is answered, not lost.
    await town.drain()
    await poll(officer)
    await officer.press(f"tipp:open:{tip.id}")
    assert "Useful tip and reward" in officer.choices()
    assert "not marked useful" in texts(await officer.press(f"tiprw:view:{tip.id}"))
    assert "marked useful" in texts(await officer.press(f"tiprw:useful:{tip.id}"))
    await officer.press(f"tiprw:decide:{tip.id}")
    assert "could not read that amount" in texts(await officer.say("2.000.00"))
    await officer.say("2.000.000 đ")
    await officer.say("15/QĐ-CAP")
    assert "in the future" in texts(await officer.say("31/12/2099"))
    summary = texts(await officer.press("trwd:today"))
    assert "2,000,000 đồng" in summary and "15/QĐ-CAP" in summary
    replies = await officer.press("trwd:save:yes")
    assert "Recorded the reward" in texts(replies) and "will receive it" in texts(replies)
    [reward] = await rewards(town)
    assert reward.amount_vnd == 2_000_000 and reward.decision_ref == "15/QĐ-CAP" and reward.choice is None

    # The tipster allowed replies: a message says there is news, and where to see it; the amount waits for the code.
    await town.drain()
    pushed = texts(await poll(lan))
    assert "found it useful" in pushed and "/status" in pushed and "2,000,000" not in pushed

    view = texts(await lan.say(f"/tracuu {receipt}"))
    assert "2,000,000 đồng" in view and "15/QĐ-CAP" in view
    await lan.press("trwt:open")
    await lan.press("trwt:way:code")
    shown = texts(await lan.press("trwt:show:yes"))
    claim = CLAIM.search(shown).group(0)  # type: ignore[union-attr]
    assert "not be shown again" in shown

    # Shown once: not on a reload of the page, not on a second look-up, and kept nowhere but as a keyed hash.
    async with lan.http.get(lan.url + "/api/messages", params={"after": 0}) as response:
        transcript = str(await response.json())
    assert claim not in transcript and claim.replace("-", "") not in transcript
    again = texts(await lan.say(f"/tracuu {receipt}"))
    assert claim not in again and "collect it anonymously" in again
    await lan.press("tstat:done")
    [reward] = await rewards(town)
    assert reward.choice == RewardChoice.CODE and reward.claim_hash and reward.claimant_person_id is None
    assert not [cell for cell in await every_cell(town) if claim in str(cell[2]) or claim[:9] in str(cell[2])]

    # Another ward's officer: the code reads as a wrong one.
    assert "No reward of your ward" in texts(await stranger.say(f"/nhanthuong {claim}"))
    # The ward's officer checks it from the reward screen, gives the reward, and the code is spent.
    await officer.press(f"tiprw:view:{tip.id}")
    assert "claim code" in texts(await officer.press("tiprw:check"))
    valid = texts(await officer.say(claim.lower().replace("-", " ")))
    assert "Valid claim code" in valid and "2,000,000 đồng" in valid
    assert "is claimed" in texts(await officer.press("trwv:pay:yes"))
    assert "already used" in texts(await officer.say(f"/nhanthuong {claim}"))
    [reward] = await rewards(town)
    assert reward.claimed_at is not None and reward.paid_by is not None

    # Wrong codes are limited (five an hour from here: one was the other ward's); then even a right one waits.
    for _ in range(4):
        assert "No reward of your ward" in texts(await officer.say("/nhanthuong AAAA-CCCC-DDDD-EEEE-FFFF"))
    assert "paused" in texts(await officer.say(f"/nhanthuong {claim}"))

    # The tipster is told the code was used (if it was not them, they would say so), and sees "claimed".
    await town.drain()
    assert "collected with its claim code" in texts(await poll(lan))
    assert "claimed on" in texts(await lan.say(f"/tracuu {receipt}"))
    assert "trwt:open" not in str(lan.seen[-1].get("choices"))

    async with town.app.db.session() as session:
        audit = (
            await session.exec(select(AuditEntry).where(col(AuditEntry.action).startswith("tip.reward")))
        ).all()
    assert {"tip.reward", "tip.reward.paid", "tip.reward.code_reused"} <= {a.action for a in audit}
    assert len({a.actor_person_id for a in audit if a.action != "tip.reward.view"}) == 1
    assert await figures(town, DEMO_WARD) == {"tips.received": 1, "tips.useful": 1, "tips.rewarded": 1}
    assert await figures(town, await other_ward(town)) == {
        "tips.received": 0,
        "tips.useful": 0,
        "tips.rewarded": 0,
    }


async def test_a_named_tipster_chooses_to_be_rewarded_under_their_name(town) -> None:  # type: ignore[no-untyped-def]
    hoa = await town.join("Hoa", locale="en")
    officer = await town.join("Officer", role="police", locale="en")
    await hoa.say("/tip")
    await hoa.press("cat:theft")
    await hoa.say("Hai người lạ dắt trộm xe máy ở bãi xe chợ.")
    await hoa.press("what:done")
    await hoa.press("where:unknown")
    await hoa.press("when:today")
    await hoa.press(f"tward:{DEMO_WARD}")
    await hoa.press("ident:named")
    await hoa.say("Trần Thị Hoa")
    await hoa.say("0987 654 321")
    receipt = CODE.search(texts(await hoa.press("tsend:yes"))).group(0)  # type: ignore[union-attr]
    [tip] = await tip_rows(town)
    assert not tip.anonymous

    await decide(town, officer, tip.id, what="Giấy khen của Chủ tịch UBND phường")
    await town.drain()
    assert "found it useful" in texts(await poll(hoa))  # a named tipster is reached in their own chat

    assert "Giấy khen" in texts(await hoa.say(f"/tracuu {receipt}"))
    await hoa.press("trwt:open")
    await hoa.press("trwt:way:named")  # already known: straight to the confirmation
    assert "Trần Thị Hoa, 0987654321" in hoa.last_text()
    await hoa.press("trwt:reveal:yes")
    [reward] = await rewards(town)
    assert reward.choice == RewardChoice.NAMED and reward.claimant_person_id == tip.person_id
    assert reward.claim_hash is None

    await town.drain()
    assert "under their name" in texts(await poll(officer))
    view = texts(await officer.press(f"tiprw:view:{tip.id}"))
    assert "Trần Thị Hoa, phone 0987654321" in view
    await officer.press(f"tiprw:paid:{tip.id}")
    assert "was given" in texts(await officer.press(f"tiprw:paidok:{tip.id}"))
    assert "Nothing to record" in texts(await officer.press(f"tiprw:paidok:{tip.id}"))

    # /me shows it; /forget keeps the payout (the law needs it) but no longer linked to her.
    assert "Tip rewards you chose to receive under your name" in texts(await hoa.say("/me"))
    await hoa.say("/forget")
    erased = texts(await hoa.press("Yes, erase my data"))
    assert "accounting law" in erased
    [reward] = await rewards(town)
    assert reward.claimant_person_id is None and reward.claimant_name == "Trần Thị Hoa"
    assert reward.claimed_at is not None


async def test_an_anonymous_tipster_may_reveal_then_change_their_mind(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan", locale="en")
    officer = await town.join("Officer", role="police", locale="en")
    receipt = await quick_tip(lan, may_reply=False)
    [tip] = await tip_rows(town)
    assert "cannot be reached" in await decide(town, officer, tip.id) + texts(officer.seen[-1:])

    helper = lan
    await helper.say(f"/tracuu {receipt}")
    await helper.press("trwt:open")
    await helper.press("trwt:way:named")
    assert "full name" in texts(await helper.say("12345"))
    await helper.say("Nguyễn Thị Lan")
    assert "Vietnamese phone number" in texts(await helper.say("123"))
    await helper.say("0912 345 678")
    await helper.press("trwt:reveal:yes")
    [reward] = await rewards(town)
    assert reward.claimant_name == "Nguyễn Thị Lan" and reward.claimant_phone == "0912345678"
    assert reward.claimant_person_id is not None  # what she gave is hers to see (/me) and withdraw (/forget)
    async with town.app.db.session() as session:
        assert (await session.get(Tip, tip.id)).anonymous  # type: ignore[union-attr]

    # Changing to a claim code removes the name and phone from the police's record.
    await helper.say(f"/tracuu {receipt}")
    await helper.press("trwt:open")
    await helper.press("trwt:way:code")
    assert CLAIM.search(texts(await helper.press("trwt:show:yes")))
    [reward] = await rewards(town)
    assert (
        reward.choice == RewardChoice.CODE and reward.claimant_name is None and reward.claimant_phone is None
    )
    view = texts(await officer.press(f"tiprw:view:{tip.id}"))
    assert "Nguyễn Thị Lan" not in view and "anonymously" in view

    # A forged button outside the look-up chooses nothing for anybody.
    assert "trwt" not in texts(await helper._post(json={"choice": "trwt:way:named"}))
    [after] = await rewards(town)
    assert after.choice == RewardChoice.CODE


async def test_telegram_tipster_hears_of_the_reward_and_gets_a_claim_code(
    db_url: str, settings_for: Any
) -> None:
    telegram = TelegramDriver(user_id=7770031, first_name="Ba")
    async with driver_town(telegram, settings_for, db_url) as town:
        officer = await town.join("Officer", role="police", locale="en")
        code = await town.invite("resident")
        await telegram.say(f"/start {code}")
        await telegram.press("English")
        await telegram.press("consent:yes")
        await telegram.say("/tip")
        await telegram.press("cat:drugs")
        await telegram.say("Có người bán ma túy ở đầu hẻm 9 mỗi tối.")
        for payload in ("what:done", "where:unknown", "when:today", f"tward:{DEMO_WARD}", "ident:anon"):
            await telegram.press(payload)
        await telegram.press("mayreply:yes")
        receipt = CODE.search("\n".join(await telegram.press("tsend:yes"))).group(0)  # type: ignore[union-attr]
        [tip] = await tip_rows(town)

        await decide(town, officer, tip.id, what="500k")
        index = len(telegram.fake.requests)
        await town.drain()
        assert "found it useful" in "\n".join(telegram.sent_since(index))

        assert "500,000 đồng" in "\n".join(await telegram.say(f"/tracuu {receipt}"))
        await telegram.press("trwt:open")
        await telegram.press("trwt:way:code")
        claim = CLAIM.search("\n".join(await telegram.press("trwt:show:yes"))).group(0)  # type: ignore[union-attr]

        await officer.say("/nhanthuong")
        assert "Valid claim code" in texts(await officer.say(claim))
        await officer.press("trwv:pay:yes")
        assert (await rewards(town))[0].claimed_at is not None


async def test_the_canary_finds_nothing_after_an_anonymous_claim(
    canary_town: Any,  # noqa: F811  (the fixture imported above)
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("aiosqlite").setLevel(
        logging.INFO
    )  # as in test_tips_canary: the driver logs parameters
    town, channel = canary_town
    officer = await town.join("Officer", role="police")
    tipster = Tipster(town, channel)
    await tipster.say(f"/start {await town.invite('resident')}")
    await tipster.press("lang:en")
    await tipster.press("consent:yes")
    await tipster.say("/togiac")
    for step in ("cat:theft",):
        await tipster.press(step)
    await tipster.say("Có người cạy cửa tiệm tạp hóa đầu hẻm 7.")
    for step in (
        "what:done",
        "where:unknown",
        "when:now",
        f"tward:{DEMO_WARD}",
        "ident:anon",
        "mayreply:yes",
    ):
        await tipster.press(step)
    receipt = CODE.search(await tipster.press("tsend:yes")).group(0)  # type: ignore[union-attr]
    [tip] = await tip_rows(town)

    await decide(town, officer, tip.id)
    await tipster.say(f"/tracuu {receipt}")
    await tipster.press("trwt:open")
    await tipster.press("trwt:way:code")
    claim = CLAIM.search(await tipster.press("trwt:show:yes")).group(0)  # type: ignore[union-attr]
    await officer.say(f"/nhanthuong {claim}")
    await officer.press("trwv:pay:yes")
    await officer.press(f"tiprw:view:{tip.id}")
    await town.drain()
    assert any("collected with its claim code" in r.text for _chat, r in channel.delivered)

    hits = {(table, column) for table, column, value in await every_cell(town) if MARK in str(value)}
    assert hits and hits <= REGISTRATION, hits
    [reward] = await rewards(town)
    assert (
        reward.claimed_at is not None and reward.claimant_person_id is None and reward.claimant_name is None
    )
    formatter = JsonFormatter()
    assert [r.name for r in caplog.records if MARK in formatter.format(r)] == []
    assert [r.name for r in caplog.records if claim in formatter.format(r)] == []
    assert MARK not in texts(officer.seen)
    assert all(chat == tipster.chat_id for chat, _reply in channel.delivered)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("2.000.000", 2_000_000),
        ("2,000,000 đ", 2_000_000),
        ("2000000 VND", 2_000_000),
        ("2 triệu", 2_000_000),
        ("1,5tr", 1_500_000),
        ("500k", 500_000),
        ("500 nghìn đồng", 500_000),
        ("1.500 nghìn", 1_500_000),
        ("2.000.00", None),
        ("Giấy khen", None),
        ("15/QĐ-CAP", None),
    ],
)
def test_amounts_read_as_officers_write_them(typed: str, amount: int | None) -> None:
    assert parse_amount(typed) == amount
    if amount is not None:
        assert looks_like_amount(typed)


def test_a_form_of_reward_starting_with_a_number_is_not_taken_for_an_amount() -> None:
    assert looks_like_amount("2.000.00") and looks_like_amount("3 trieu5")
    assert not looks_like_amount("2 bằng khen của Công an tỉnh") and not looks_like_amount("Giấy khen")
