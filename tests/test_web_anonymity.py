"""A web tipster's browser session keeps nothing of an anonymous tip: not its text, not its code, not the replies.

The tip flow is private: the chat shows it once and the transcript never stores it. Police replies pushed back
through the sealed route are stored under a keyed pseudonym that a database dump cannot tie to the session.
"""

from __future__ import annotations

from sqlmodel import col, select

from models import ChannelIdentity, Tip, WebMessage
from tests.test_tips import poll, quick_tip

MARKER = "hem-so-5-marker-7Q3"


async def test_the_web_transcript_keeps_nothing_of_an_anonymous_tip(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Officer", role="police")
    await lan.say("/trogiup")  # ordinary messages are kept, as before
    code = await quick_tip(lan, text=f"Có người bán ma túy ở {MARKER} mỗi tối.")

    async with town.app.db.session() as session:
        tip = (await session.exec(select(Tip))).one()
    await officer.say("/tinbao")
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:reply:{tip.id}")
    await officer.say("Cảm ơn bạn, chúng tôi đã nhận tin.")
    await town.drain()
    pushed = await poll(lan)
    assert any("Cảm ơn bạn, chúng tôi đã nhận tin." in m["text"] for m in pushed)

    cookie = next(c for c in lan.http.cookie_jar if c.key == "andan_session")
    lan_sid = town.app.keyring.keyed_hash("web-session", cookie.value)
    async with town.app.db.session() as session:
        identity = (
            await session.exec(select(ChannelIdentity).where(ChannelIdentity.chat_id == lan_sid))
        ).one()
        assert identity.channel == "web"
        kept = (await session.exec(select(WebMessage).where(col(WebMessage.session_id) == lan_sid))).all()
        everything = (await session.exec(select(WebMessage))).all()
    stored_under_session = " ".join(str(row.payload) for row in kept)
    assert "/trogiup" in stored_under_session  # the ordinary part of the transcript is there
    assert MARKER not in stored_under_session and code not in stored_under_session
    assert "chúng tôi đã nhận tin" not in stored_under_session
    # The receipt code is in no transcript; the tip's words only in the officer's, who read the tip.
    officer_cookie = next(c for c in officer.http.cookie_jar if c.key == "andan_session")
    officer_sid = town.app.keyring.keyed_hash("web-session", officer_cookie.value)
    assert all(code not in str(row.payload) for row in everything)
    assert all(MARKER not in str(row.payload) for row in everything if row.session_id != officer_sid)
    reply_rows = [row for row in everything if "chúng tôi đã nhận tin" in str(row.payload)]
    assert reply_rows and all(row.session_id != lan_sid for row in reply_rows)
