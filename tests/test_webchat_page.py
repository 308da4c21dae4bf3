"""What the web chat's server adds for the page (issue 16), over its HTTP API: the page's own words in the person's
language, the greeting of an empty chat, echoes of pressed buttons, receipt codes and urgent alerts marked for
the page, the favicon and service worker, and Web Push against a fake push service on loopback."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from models.web import WebPushSubscription
from tests.conftest import Town
from tests.fakes.push_server import FakePushService
from tests.test_alerts_steps import alerts_in, send
from tests.test_tips import quick_tip, tip_rows
from tests.webchat import WebPerson

PAGE_JSON = re.compile(r'<script type="application/json" id="andan-page">(.*?)</script>', re.S)


async def raw(person: WebPerson, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    """A request as the page makes it; the status and the JSON (or text) answer, echoes included."""
    async with person.http.request(method, person.url + path, **kw) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def page_of(person: WebPerson) -> tuple[str, dict[str, Any]]:
    status, html = await raw(person, "GET", "/")
    assert status == 200
    found = PAGE_JSON.search(html)
    assert found, html
    return html, json.loads(found.group(1))


async def test_the_page_speaks_the_persons_language(town) -> None:  # type: ignore[no-untyped-def]
    stranger = await town.person("Khách")
    html, info = await page_of(stranger)
    assert '<html lang="vi">' in html and 'placeholder="Nhập tin nhắn…"' in html
    assert info["lang"] == "vi" and info["strings"]["send"] == "Gửi"
    assert 'rel="icon"' in html and info["push"]["enabled"] is True and len(info["push"]["key"]) == 87

    # Chosen before agreeing to anything: the page follows at once, though nothing about the person is stored.
    await stranger.say("xin chào")
    await stranger.press("lang:en")
    status, info = await raw(stranger, "GET", "/api/page")
    assert status == 200 and info["lang"] == "en" and info["strings"]["placeholder"] == "Type a message…"

    lan = await town.join("Lan", locale="en")
    html, info = await page_of(lan)
    assert '<html lang="en">' in html and ">Send</button>" in html and "Nhập tin nhắn" not in html
    status, body = await raw(lan, "POST", "/api/messages", json={"text": "/ngonngu"})
    assert body["lang"] == "en"
    status, body = await raw(lan, "POST", "/api/messages", json={"choice": "lang:vi", "label": "Tiếng Việt"})
    assert body["lang"] == "vi"  # the page asks /api/page for its words again
    status, info = await raw(lan, "GET", "/api/page")
    assert info["lang"] == "vi" and info["strings"]["placeholder"] == "Nhập tin nhắn…"
    html, _info = await page_of(lan)
    assert '<html lang="vi">' in html


async def test_only_real_push_services_by_default(town, push_service) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    status, body = await raw(lan, "POST", "/api/push", json=push_service.subscribe().to_json())
    assert status == 400 and body["error"]  # a loopback endpoint: refused before anything is stored
    https = push_service.subscribe().to_json() | {"endpoint": "https://fcm.googleapis.com/fcm/send/abc"}
    status, body = await raw(lan, "POST", "/api/push", json=https)
    assert status == 200


async def test_favicon_and_service_worker_are_served(town) -> None:  # type: ignore[no-untyped-def]
    browser = await town.person("Lan")
    async with browser.http.get(browser.url + "/favicon.ico") as response:
        assert response.status == 200 and (await response.read())[:4] == b"\x00\x00\x01\x00"  # an ICO file
    async with browser.http.get(browser.url + "/static/favicon.svg") as response:
        assert response.status == 200 and b"<svg" in await response.read()
    async with browser.http.get(browser.url + "/sw.js") as response:
        assert response.status == 200 and response.content_type == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache" and "showNotification" in await response.text()


async def test_an_empty_chat_is_greeted_without_an_echo(town) -> None:  # type: ignore[no-untyped-def]
    stranger = await town.person("Khách")
    status, body = await raw(stranger, "POST", "/api/hello", json={})
    assert status == 200 and [m["direction"] for m in body["messages"]] == ["out"]
    [greeting] = body["messages"]
    assert greeting["text"].startswith("Xin chào! Tôi là An Dân") and greeting["ephemeral"] is True
    assert [c["payload"] for c in greeting["choices"]] == ["lang:vi", "lang:en"]

    lan = await town.join("Lan")
    status, body = await raw(lan, "POST", "/api/hello", json={})
    assert [m["direction"] for m in body["messages"]] == ["out"]
    menu = body["messages"][-1]
    assert menu["id"] is not None and menu["choices"]  # stored: the menu stays after a reload
    assert all(c["payload"].startswith("cmd:") for c in menu["choices"])

    # Like every post: the page's own origin, JSON only.
    status, body = await raw(lan, "POST", "/api/hello", json={}, headers={"Origin": "https://evil.example"})
    assert status == 403 and "error" in body
    status, body = await raw(lan, "POST", "/api/hello", data="{}", headers={"Content-Type": "text/plain"})
    assert status == 415


async def test_a_pressed_button_echoes_its_label_never_its_payload(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    status, body = await raw(lan, "POST", "/api/messages", json={"choice": "cmd:menu", "label": "Danh mục"})
    echo = next(m for m in body["messages"] if m["direction"] == "in")
    assert echo["text"] == "Danh mục" and echo["id"] is not None

    # Without a label (another client), a menu button still echoes words.
    status, body = await raw(lan, "POST", "/api/messages", json={"choice": "cmd:menu"})
    echo = next(m for m in body["messages"] if m["direction"] == "in")
    assert echo["text"] and not echo["text"].startswith("cmd:")

    # An old button the bot no longer offers: its label as the page showed it, on one bounded line.
    await lan.say("/togiac")
    await lan.say("/huy")
    label = "Trộm cắp\n\x07" + "x" * 500
    status, body = await raw(lan, "POST", "/api/messages", json={"choice": "cat:theft", "label": label})
    echo = next(m for m in body["messages"] if m["direction"] == "in")
    assert echo["text"].startswith("Trộm cắp x") and len(echo["text"]) == 200 and "cat:" not in echo["text"]


async def test_a_receipt_code_is_marked_for_the_page_once(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    code = await quick_tip(lan)
    with_code = [m for m in lan.seen if m["codes"]]
    assert len(with_code) == 1 and with_code[0]["codes"] == [code] and with_code[0]["ephemeral"] is True
    assert code in with_code[0]["text"]
    # Typed back by the person, it is their own words, not a code to show.
    status, body = await raw(lan, "POST", "/api/messages", json={"text": f"/tracuu {code}"})
    echo = next(m for m in body["messages"] if m["direction"] == "in")
    assert echo["codes"] == [] and all(m["codes"] == [] for m in body["messages"])


async def test_urgent_alerts_are_marked_for_the_page(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan")
    await send(police, title="Cắt nước giả danh", body="Kẻ gian giả nhân viên cấp nước.", severity="urgent")
    await send(police, title="Họp tổ dân phố", body="Tối thứ Bảy họp tại nhà văn hóa.", severity="important")
    await town.drain()
    pushed = {m["text"].splitlines()[1]: m for m in alerts_in(await lan.poll())}
    assert pushed["Cắt nước giả danh"]["urgent"] is True and pushed["Họp tổ dân phố"]["urgent"] is False
    assert all(m["codes"] == [] for m in pushed.values())


# Web Push --------------------------------------------------------------------------------------------------
@pytest.fixture
async def push_service() -> AsyncIterator[FakePushService]:
    service = FakePushService()
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


@pytest.fixture
async def push_town(db_url: str, settings_for) -> AsyncIterator[Town]:  # type: ignore[no-untyped-def]
    place = Town(
        settings_for(
            db_url, web_push_hosts="127.0.0.1", web_push_allow_http=True, web_push_allow_private=True
        )
    )
    await place.start()
    try:
        yield place
    finally:
        await place.close()


async def subscriptions(town: Town) -> list[WebPushSubscription]:
    assert town.app is not None
    async with town.app.db.session() as session:
        return list((await session.exec(select(WebPushSubscription))).all())


async def test_subscribing_is_for_registered_people_and_known_push_services(push_town, push_service) -> None:  # type: ignore[no-untyped-def]
    subscription = push_service.subscribe()
    stranger = await push_town.person("Khách")
    await stranger.say("xin chào")  # a session, but nobody has agreed to anything
    status, body = await raw(stranger, "POST", "/api/push", json=subscription.to_json())
    assert status == 403 and "/batdau" in body["error"]

    lan = await push_town.join("Lan")
    bad = subscription.to_json() | {"endpoint": "https://evil.example/push/1"}
    status, body = await raw(lan, "POST", "/api/push", json=bad)
    assert status == 400 and body["error"]
    broken = subscription.to_json()
    broken["keys"]["p256dh"] = "AAAA"
    status, _body = await raw(lan, "POST", "/api/push", json=broken)
    assert status == 400
    status, _body = await raw(
        lan, "POST", "/api/push", json=subscription.to_json(), headers={"Origin": "https://evil.example"}
    )
    assert status == 403
    status, body = await raw(lan, "POST", "/api/push", json=subscription.to_json())
    assert status == 200 and body == {"ok": True}
    status, body = await raw(lan, "POST", "/api/push", json=subscription.to_json())  # again: still one row
    [row] = await subscriptions(push_town)
    assert (
        subscription.token not in row.sealed and "127.0.0.1" not in row.sealed
    )  # sealed with the server key

    status, body = await raw(lan, "DELETE", "/api/push", json={"endpoint": subscription.endpoint})
    assert status == 200 and await subscriptions(push_town) == []


async def test_web_push_says_only_that_a_message_waits(push_town, push_service, manual_clock) -> None:  # type: ignore[no-untyped-def]
    town = push_town
    police = await town.join("Công an Hùng", role="police")
    lan = await town.join("Lan")
    phone = push_service.subscribe()
    status, _body = await raw(lan, "POST", "/api/push", json=phone.to_json())
    assert status == 200

    # An urgent alert while no page of Lan's chat is open: one push, urgent, in her language, no word of it.
    await send(police, title="Giả danh công an gọi điện", body="Kẻ gian đòi chuyển tiền.", severity="urgent")
    await town.drain()
    [push] = await push_service.wait_for(1)
    assert push.status == 201, push.problem
    assert push.headers["Urgency"] == "high" and int(push.headers["TTL"]) > 0 and push.headers["Topic"]
    assert push.payload == {
        "title": "An Dân",
        "body": "Cảnh báo khẩn cấp: mở An Dân để đọc ngay.",
        "urgent": True,
        "lang": "vi",
    }
    assert push.claims["aud"] == push_service.url and push.claims["sub"].startswith("mailto:")

    # A police reply to her anonymous tip: a push that says nothing of the tip.
    await quick_tip(lan, text="Có người bán ma túy ở đầu hẻm 5 mỗi tối.")
    [tip] = await tip_rows(town)
    await police._post(json={"choice": f"tipp:open:{tip.id}"})
    await police._post(json={"choice": f"tipp:reply:{tip.id}"})
    await police.say("Cảm ơn bạn, chúng tôi đã cử người kiểm tra khu vực hẻm 5.")
    before = len(push_service.received)
    await town.drain()
    pushes = await push_service.wait_for(before + 1)
    for push in pushes[before:]:
        assert push.status == 201 and push.headers["Urgency"] == "normal"
        assert push.payload == {
            "title": "An Dân",
            "body": "Anh/chị có tin nhắn mới trên An Dân.",
            "urgent": False,
            "lang": "vi",
        }

    # While a page is open (a long poll waiting), the page shows it: no push.
    before = len(push_service.received)
    waiting = asyncio.create_task(lan.poll(wait=10))
    await asyncio.sleep(0.3)
    await send(police, title="Trộm xe máy ban đêm", body="Khóa cổ xe.", severity="urgent")
    await town.drain()
    assert (await waiting) and len(push_service.received) == before

    # A subscription the push service says is gone is forgotten; /xoadulieu forgets the others.
    await asyncio.sleep(6)  # the page is closed: its last poll is older than the open-tab window
    push_service.gone.add(phone.token)
    await send(police, title="Lừa đảo vay tiền", body="Không vay qua mạng.", severity="urgent")
    await town.drain()
    await push_service.wait_for(before + 1)
    assert push_service.received[-1].status == 410 and await subscriptions(town) == []
    other = push_service.subscribe()
    await raw(lan, "POST", "/api/push", json=other.to_json())
    assert len(await subscriptions(town)) == 1
    await lan.say("/xoadulieu")
    await lan.press("forget:yes")
    assert await subscriptions(town) == []
