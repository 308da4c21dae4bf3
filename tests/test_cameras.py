"""Cameras for security, as residents and the ward police live it in the web chat: owners register cameras, an
officer asks for footage around a tip's place, one owner uploads a clip (its GPS position gone from the police's
copy), one declines, one is reminded before the recording is overwritten and answers "nothing recorded"; another
resident never sees the registry; the clip reaches only the ward's police; the year's figures count it all.
Bad input: a place far outside the ward, a request after the camera was removed."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import av
from sqlmodel import col, select

from bot import clock
from handlers.cameras import figures, ticks
from models import AuditEntry, Person, Tip
from models.cameras import AskStatus, Camera, CameraStatus, FootageAsk, FootageClip, FootageRequest
from tests.databases import DEMO_WARD
from tests.test_hostile_files import GPS, MARK, mp4_with_gps
from tests.test_tips import fetch, poll, texts

TIP_PLACE = (10.4551, 105.6332)  # in Phường Cao Lãnh
HANOI = (21.0285, 105.8542)
LINK = re.compile(r"https?://\S+/camera/upload/[A-Za-z0-9_-]+")


async def register(person: Any, place: tuple[float, float] | str, facing: str, days: int = 7) -> str:
    """Register one camera through /camera (or "Register another camera"); returns the last reply."""
    if any(c["payload"] == "cam:new" for m in person.seen[-1:] for c in m.get("choices", [])):
        await person.press("cam:new")
    else:
        replies = await person.say("/camera")
        if not any("Camera ở đâu" in m["text"] for m in replies):
            await person.press("cam:new")
    if isinstance(place, str):
        await person.say(place)
    else:
        await person.send_location(*place)
    await person.say(facing)
    await person.press("cam:night:yes")
    await person.press(f"cam:days:{days}")
    return texts(await person.press("cam:save:yes"))


async def tip_with_place(person: Any) -> None:
    await person.say("/togiac")
    await person.press("cat:theft")
    await person.say("Tôi thấy hai thanh niên cạy khóa xe máy trước nhà số 12 lúc 2 giờ sáng.")
    await person.press("what:done")
    await person.send_location(*TIP_PLACE)
    await person.press("when:today")
    await person.press(f"tward:{DEMO_WARD}")
    await person.press("ident:anon")
    await person.press("mayreply:no")
    await person.press("tsend:yes")


async def rows(town: Any, model: Any) -> list[Any]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def test_owners_register_an_officer_asks_near_a_tip_and_each_owner_answers(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    an = await town.join("An")
    binh = await town.join("Bình")
    cuong = await town.join("Cường")
    dung = await town.join("Dung")
    officer = await town.join("Công an Minh", role="police")

    # An registers two cameras; a place far outside the ward is refused politely and the form goes on.
    replies = await an.say("/camera")
    assert "Camera ở đâu" in texts(replies) and "chỉ công an" in texts(replies).lower()
    refused = texts(await an.send_location(*HANOI))
    assert "ngoài" in refused and "Phường Cao Lãnh" in refused
    await an.send_location(*TIP_PLACE)
    await an.say("Cổng hẻm 5 và đường ra chợ")
    await an.press("cam:night:yes")
    await an.press("cam:days:7")
    assert "Camera" in texts(await an.press("cam:save:yes"))
    saved = await register(an, (10.4555, 105.6336), "Sân trước nhà, nhìn ra đường", days=15)
    assert "đã được đăng ký" in saved
    await register(binh, (10.4549, 105.6330), "Đầu hẻm 5", days=3)
    await register(cuong, (10.4560, 105.6340), "Mặt tiền tiệm tạp hóa", days=15)
    await register(cuong, (10.4800, 105.6000), "Bến xe", days=15)  # in the ward, but far from the tip
    cameras = await rows(town, Camera)
    assert len(cameras) == 5 and all(c.ward_code == DEMO_WARD and c.group_id for c in cameras)
    replies = await an.say("/camera")
    assert texts(replies).count("Camera ") >= 2 and "Đầu hẻm 5" not in texts(replies)  # only An's own

    # Another resident never sees the registry, nor anyone's camera.
    replies = await dung.say("/camera")
    assert "Đầu hẻm 5" not in texts(replies) and "Cổng hẻm 5" not in texts(replies)
    await dung.say("/huy")
    for forged in ("cam:registry:0", f"cam:open:{cameras[0].id}"):
        replies = await dung._post(json={"choice": forged})
        assert "Đầu hẻm 5" not in texts(replies) and "Cổng hẻm 5" not in texts(replies)
    assert "Chỉ công an" in texts(await dung._post(json={"choice": "cam:registry:0"}))
    assert "công an" in texts(await dung._post(json={"choice": "camp:list"})).lower()
    # ... while the ward police do.
    replies = await officer.say("/camera")
    replies = await officer.press("cam:registry:0")
    assert "Đầu hẻm 5" in texts(replies) and "Bến xe" in texts(replies)

    # A resident's tip with a place; the officer asks the cameras around it.
    await tip_with_place(dung)
    [tip] = await rows(town, Tip)
    await town.drain()
    await poll(officer)
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert any(c["payload"] == f"camp:tip:{tip.id}" for m in replies for c in m["choices"])
    await officer.press(f"camp:tip:{tip.id}")
    await officer.press("camp:tipplace")
    await officer.press("camp:radius:200")
    listed = texts(await officer.press("camp:window:3"))
    assert "Bến xe" not in listed
    order = [int(n) for n in re.findall(r"Camera (\d+) —", listed)]
    assert order == [cameras[0].id, cameras[2].id, cameras[1].id, cameras[3].id], listed  # nearest first
    owners = [cameras[0].owner_person_id, cameras[2].owner_person_id, cameras[3].owner_person_id]
    for owner in owners:
        await officer.press(f"camp:owner:{owner}")
    await officer.press("camp:owners")
    await officer.say("Một xe máy bị lấy trộm gần đây")
    sent = texts(await officer.press("camp:send:yes"))
    assert "3" in sent, sent
    asks = await rows(town, FootageAsk)
    assert [a.owner_person_id for a in asks] == owners
    [request] = await rows(town, FootageRequest)
    assert request.tip_id == tip.id
    assert asks[1].deadline_at == request.window_start + timedelta(days=3)

    # Each owner gets one request: the window, the reason, the deadline; never the tip's words.
    await town.drain()
    for owner in (an, binh, cuong):
        pushed = texts(await poll(owner))
        assert "Một xe máy bị lấy trộm" in pushed and "cạy khóa" not in pushed and "số 12" not in pushed
        assert pushed.lower().count("công an hỏi") == 1, pushed

    # An has it and uploads a phone video carrying its GPS position.
    replies = await an.press(f"camans:{asks[0].id}:have")
    assert LINK.search(texts(replies))
    assert "1 tệp" in texts(await an.send_file(mp4_with_gps(), "VID_0042.mp4", "video/mp4"))
    assert "cảm ơn" in texts(await an.press("camup:done")).lower()
    # Bình declines: recorded without judgement.
    replies = await binh.press(f"camans:{asks[1].id}:decline")
    assert "quyền" in texts(replies)

    # Cường does not answer: reminded once, a day before the recording is overwritten.
    for owner in (an, binh, cuong):
        await poll(owner)  # what they have seen so far
    manual_clock.set(asks[2].deadline_at - timedelta(hours=20))
    await ticks.remind(town.app)
    await ticks.remind(town.app)
    await town.drain()
    reminders = texts(await poll(cuong))
    assert reminders.count("Nhắc") == 1, reminders
    assert not texts(await poll(binh)) and not texts(await poll(an))  # answered: not reminded
    assert "Cảm ơn" in texts(await cuong.press(f"camans:{asks[2].id}:nothing"))
    asks = await rows(town, FootageAsk)
    assert [a.status for a in asks] == [AskStatus.HAVE, AskStatus.DECLINED, AskStatus.NOTHING]

    # The officer is told of each answer and opens the clip: GPS and author gone from the police's copy.
    await town.drain()
    told = texts(await poll(officer))
    assert "từ chối" in told and "không ghi được" in told.lower() and "1 tệp" in told, told
    replies = await officer.press(f"camp:ask:{asks[0].id}")
    [media] = [m for r in replies for m in r.get("media", [])]
    video = await fetch(officer, media["url"])
    assert b"\xa9xyz" not in video and GPS.encode() not in video and MARK.encode() not in video
    with av.open(io.BytesIO(video)) as container:
        assert "location" not in container.metadata and container.streams.video
    async with town.app.db.session() as session:
        views = (await session.exec(select(AuditEntry).where(AuditEntry.action == "camera.clip.view"))).all()
    assert len(views) == 1 and views[0].actor_person_id is not None

    # Nobody else can fetch it: not another browser with the officer's link, not a resident pressing the button.
    async with dung.http.get(dung.url + media["url"]) as response:
        assert response.status in (403, 404)
    for other in (dung, an):
        replies = await other._post(json={"choice": f"camp:ask:{asks[0].id}"})
        assert not any(r.get("media") for r in replies)

    # Useful, and kept as evidence; the year's figures count it all.
    await officer.press(f"camp:useful:{asks[0].id}")
    [clip] = await rows(town, FootageClip)
    assert clip.tip_id == tip.id and clip.stripped
    start, end = clock.now() - timedelta(days=365), clock.now() + timedelta(days=1)
    async with town.app.db.session() as session:
        registered = await figures.registered(session, DEMO_WARD, start, end)
        made = await figures.requests(session, DEMO_WARD, start, end)
        answered = await figures.answered(session, DEMO_WARD, start, end)
        useful = await figures.useful(session, DEMO_WARD, start, end)
    by_kind = {p.kind: f.value for p, f in registered.items() if p.kind != "group"}
    assert by_kind == {"ward": 5, "area": 5}
    assert [f.value for p, f in made.items() if p.kind == "ward"] == [1]
    assert [f.value for p, f in answered.items() if p.kind == "ward"] == [3]
    assert [f.value for p, f in useful.items() if p.kind == "ward"] == [1]

    # The clip is deleted after the retention period unless kept as evidence.
    manual_clock.advance(timedelta(days=town.settings.camera_clip_retention_days + 1))
    await ticks.purge(town.app)
    [clip] = await rows(town, FootageClip)
    assert clip.purged_at is not None and clip.police_ref is None


async def test_a_request_after_the_camera_was_removed_does_not_reach_its_owner(town) -> None:  # type: ignore[no-untyped-def]
    an = await town.join("An")
    officer = await town.join("Công an Minh", role="police")
    await register(an, TIP_PLACE, "Cổng hẻm 5")
    [camera] = await rows(town, Camera)

    await officer.say("/xincamera")
    refused = texts(await officer.send_location(*HANOI))
    assert "ngoài" in refused  # far outside the ward: refused, the form asks again
    await officer.send_location(*TIP_PLACE)
    await officer.press("camp:radius:100")
    await officer.say("23/11 20:00-22:30")
    await officer.press(f"camp:owner:{camera.owner_person_id}")
    await officer.press("camp:owners")
    await officer.say("Va chạm giao thông, cần xác định biển số")

    # Meanwhile the owner removes the camera.
    await an.say("/camera")
    await an.press(f"cam:open:{camera.id}")
    await an.press(f"cam:do:{camera.id}:remove")
    assert "đã được gỡ" in texts(await an.press(f"cam:rm:{camera.id}"))

    await poll(an)  # what An has seen so far
    told = texts(await officer.press("camp:send:yes"))
    assert "không được hỏi" in told and str(camera.id) in told, told
    assert await rows(town, FootageAsk) == []
    await town.drain()
    assert not texts(await poll(an))

    # A new request no longer finds it.
    await officer.say("/xincamera")
    await officer.send_location(*TIP_PLACE)
    await officer.press("camp:radius:500")
    assert "Không có camera" in texts(await officer.press("camp:window:24"))
    async with town.app.db.session() as session:
        removed = await session.get(Camera, camera.id)
        assert removed is not None and removed.status == CameraStatus.REMOVED
        assert (await session.get(Person, camera.owner_person_id)) is not None


async def test_owners_pause_edit_see_and_erase_their_cameras_and_the_ward_admin_sees_the_registry(
    town,
) -> None:  # type: ignore[no-untyped-def]
    an = await town.join("An")
    admin = await town.join("Cán bộ phường", role="ward_admin")
    await register(an, "12 Nguyễn Huệ, hẻm 5", "Cổng hẻm")
    [camera] = await rows(town, Camera)
    assert camera.place_text == "12 Nguyễn Huệ, hẻm 5" and camera.latitude is None

    # Edit: keep the place, change what it looks at and the days it keeps.
    await an.say("/camera")
    await an.press(f"cam:open:{camera.id}")
    await an.press(f"cam:do:{camera.id}:edit")
    await an.press("cam:same")
    await an.say("Cổng hẻm và bãi giữ xe")
    await an.press("cam:same")
    await an.say("10")
    assert "Đã cập nhật" in texts(await an.press("cam:save:yes"))
    # Pause, then resume.
    await an._post(json={"choice": f"cam:do:{camera.id}:pause"})
    [camera] = await rows(town, Camera)
    assert (
        camera.facing == "Cổng hẻm và bãi giữ xe"
        and camera.keep_days == 10
        and camera.status == CameraStatus.PAUSED
    )
    await an._post(json={"choice": f"cam:do:{camera.id}:resume"})

    # The ward admin sees the registry; /toi shows the owner their cameras.
    replies = await admin.say("/camera")
    assert any(c["payload"] == "cam:registry:0" for m in replies for c in m["choices"])
    assert "bãi giữ xe" in texts(await admin.press("cam:registry:0"))
    assert "bãi giữ xe" in texts(await an.say("/toi"))

    # /xoadulieu: the camera leaves the registry, emptied of its place.
    await an.say("/xoadulieu")
    await an.press("forget:yes")
    [camera] = await rows(town, Camera)
    assert (
        camera.owner_person_id is None and camera.status == CameraStatus.REMOVED and camera.place_text is None
    )
    assert "bãi giữ xe" not in texts(await admin.press("cam:registry:0"))


async def test_plain_words_lead_to_the_camera_forms_and_the_digest_counts_only(town) -> None:  # type: ignore[no-untyped-def]
    from bot.extensions.digest_sections import Scope
    from handlers.cameras import digest

    an = await town.join("An")
    officer = await town.join("Công an Minh", role="police")
    replies = await an.say("nhà tôi có camera trước cửa, muốn đăng ký camera với công an")
    assert any(c["payload"] == "cmd:camera" for m in replies for c in m["choices"]), texts(replies)
    replies = await officer.say("xin trích xuất camera quanh chợ tối qua")
    assert any(c["payload"] == "cmd:xincamera" for m in replies for c in m["choices"]), texts(replies)

    await register(an, TIP_PLACE, "Cổng hẻm 5")
    start, end = clock.now() - timedelta(days=7), clock.now() + timedelta(hours=1)
    async with town.app.db.session() as session:
        police = await digest.digest(session, Scope(DEMO_WARD, None, "police"), start, end)
        resident = await digest.digest(session, Scope(DEMO_WARD, None, "resident"), start, end)
    assert resident is None
    assert police is not None and police.figures["cameras"] == 1 and "Cổng hẻm" not in " ".join(police.lines)
