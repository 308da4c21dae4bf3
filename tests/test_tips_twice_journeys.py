"""The same tip sent twice, and the tip form on a channel that takes photos only (walk T, from the tipster's side).

A tipster unsure whether her tip went sends it again a minute later: she is told, before anything goes, that she
sent this same tip at that time, and chooses with one press whether to send it again. Nothing kept for this links
her to her tip. On the Zalo Bot, which receives words and photos only, the form does not invite voice notes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.i18n import local
from models import Tip, TipRateCounter
from tests.drivers import ChatDriver, driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, rows, texts
from tests.test_tips import CODE, photo_with_exif, quick_tip
from tests.tipster import WORDS
from tests.tipster import chat as chat
from tests.tipster import zalo as zalo

# The same words as she types them the second time: no accents, another case, the comma left out.
WORDS_AGAIN = "toi nao cung co may thang ban ma tuy o cuoi hem 14 duong Le Loi di xe wave xanh"
WARNED = "đã gửi một tin báo giống hệt"


async def up_to_summary(person: ChatDriver, words: str = WORDS, photo: bool = False) -> str:
    """The anonymous tip, typed as she types: the words, Done, the alley, "often", her ward, anonymous, replies
    allowed. What the summary said."""
    for typed in ("/togiac", "ma túy", words):
        await person.say(typed)
    if photo:
        await person.send_photo(photo_with_exif())  # no caption
    said = ""
    for typed in ("xong", "hẻm 14 Lê Lợi", "thường xuyên", "1", "ẩn danh", "có"):
        said = texts(await person.say(typed))
    return said


async def sent_tip(person: ChatDriver, words: str = WORDS) -> str:
    await up_to_summary(person, words, photo=True)
    said = texts(await person.say("gửi"))
    assert CODE.search(said), said
    return said


def numbered(said: str, label: str) -> str:
    """The number of a numbered line ("2. Không gửi") as the Zalo Bot shows choices, or the label itself."""
    for line in said.splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit() and rest.strip() == label:
            return number
    return label


async def choose(person: ChatDriver, said: str, label: str) -> str:
    if label in person.choices():
        return texts(await person.press(label))
    return texts(await person.say(numbered(said, label)))


async def test_the_same_tip_sent_again_a_minute_later_is_asked_about_first(
    chat: tuple[Any, ChatDriver], manual_clock: Any
) -> None:
    """Walk T defect: the same tip again a minute later became tip no. 2 with its own code and legal clocks, and
    nobody was told. Now the summary says first that she sent this same tip at that time; "Don't send" sends
    nothing and points her to /tracuu for the first one."""
    town, person = chat
    await joined(town, person)
    await sent_tip(person)
    sent_at = manual_clock.now()
    manual_clock.advance(timedelta(minutes=1))
    summary = await up_to_summary(person, WORDS_AGAIN)
    assert WARNED in summary, summary
    assert f"hôm nay lúc {local(sent_at).strftime('%H:%M')}" in summary, summary
    offered = (
        summary + "\n" + "\n".join(person.choices())
    )  # numbered lines on the Zalo Bot, buttons elsewhere
    assert "Vẫn gửi lại" in offered and "Không gửi" in offered and "Gửi cho công an" not in offered, offered
    said = await choose(person, summary, "Không gửi")
    assert "Chưa gửi" in said and "/tracuu" in said, said
    assert len(await rows(town, Tip)) == 1


async def test_she_may_still_send_the_same_tip_again_with_one_press(
    chat: tuple[Any, ChatDriver], manual_clock: Any
) -> None:
    """Asked, she may send it anyway: one press, a second tip with its own receipt."""
    town, person = chat
    await joined(town, person)
    await sent_tip(person)
    manual_clock.advance(timedelta(minutes=1))
    summary = await up_to_summary(person)
    assert WARNED in summary, summary
    said = await choose(person, summary, "Vẫn gửi lại")
    assert CODE.search(said), said
    assert len(await rows(town, Tip)) == 2


async def test_other_words_a_day_later_or_another_person_are_not_the_same_tip(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    """Only the same person, the same words and the same day: other words are a new tip, the same words the next
    day are a new night's dealing, and a neighbour who saw the same is not warned about someone else's tip."""
    town, person = zalo
    await joined(town, person)
    await sent_tip(person)
    manual_clock.advance(timedelta(minutes=5))
    other = await up_to_summary(person, "Nhà số 9 hẻm 14 tụ tập đánh bạc mỗi tối")
    assert WARNED not in other and "Gửi cho công an" in other + "\n".join(person.choices()), other
    await person.say("/huy")
    manual_clock.advance(timedelta(hours=25))
    next_day = await up_to_summary(person)
    assert WARNED not in next_day, next_day
    await person.say("/huy")
    neighbour = await town.join("Chị Hai")  # saw the same and sends the same words
    await quick_tip(neighbour, text=WORDS, category="drugs")
    manual_clock.advance(timedelta(minutes=1))
    summary = await up_to_summary(person)  # she has not sent it today: the neighbour's tip is not hers
    assert WARNED not in summary, summary


async def test_what_is_kept_to_know_the_same_tip_names_neither_her_nor_her_words(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any
) -> None:
    """Nothing kept to recognise the same tip links her to it: keyed hashes only, no words, no person, no tip."""
    town, person = zalo
    await joined(town, person)
    await sent_tip(person)
    [tip] = await rows(town, Tip)
    assert tip.person_id is None
    async with town.app.db.session() as session:
        kept = list((await session.exec(select(TipRateCounter))).all())
    assert len(kept) == 2  # the day's counter, and the same-tip row
    for row in kept:
        assert len(row.key) == 64 and all(c in "0123456789abcdef" for c in row.key)
        assert "ma tuy" not in row.key


async def test_zalo_the_tip_form_does_not_ask_for_a_voice_note_it_cannot_read(
    zalo: tuple[Any, ZaloBotDriver],
) -> None:
    """Walk T defect: on the Zalo Bot (words and photos only) the form invited "ảnh, tệp hoặc tin nhắn thoại"; her
    voice note came as unsupported content, the bot said it reads text and photos, and asked for a voice note
    again. Now it invites photos only, there."""
    town, person = zalo
    await joined(town, person)
    await person.say("/togiac")
    asked = texts(await person.say("ma túy"))
    assert "gửi ảnh" in asked, asked
    said = texts(await person.inject(lambda: person.fake.user_unsupported(person.user_id)))
    assert "tin nhắn thoại" not in asked and "tin nhắn thoại" not in said, said
    assert "tệp" not in asked, asked


async def test_telegram_the_tip_form_still_invites_files_and_voice_notes(
    db_url: str, settings_for: Any
) -> None:
    """Where files and voice notes do arrive, the form still says so."""
    person = TelegramDriver(user_id=770078, first_name="Bà Sáu")
    async with driver_town(person, settings_for, db_url, delivery_enabled=False) as town:
        await joined(town, person)
        await person.say("/togiac")
        asked = texts(await person.say("ma túy"))
        assert "tệp hoặc tin nhắn thoại" in asked, asked
