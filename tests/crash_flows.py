"""The four journeys the crash test keeps running while the server is killed: pledge signing, mediation requests,
group reports and alert confirmation. Each knows its people, walks one submission as a person would, and checks
the database afterwards against what the people were told.

A person who cannot tell where a form stands (a reply died with the process) types /huy and starts again, as
the README promises works; that is only allowed when an answer was really lost, anything else is a finding.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.db import Database
from models import Area, AuditEntry, Group, Household, OutboxMessage, ReportSubmission
from models.alerts import Alert, AlertStatus
from models.mediation import MediationCase
from models.pledges import PledgeSignature
from tests.crash_server import Answer, Browser

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TAG = re.compile(r"\bQ[a-z]{4}\b")  # every submission carries its own tag, so the database tells them apart
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
CASE_NUMBER = re.compile(r"\bHG-\d{4}-\d{4}\b")


class Unclear(AssertionError):
    """The person cannot tell where the form stands, so they will type /huy and start again."""

    def __init__(self, answer: Answer, why: str) -> None:
        super().__init__(f"{why}; the bot said: {answer.text()[:300]!r} {answer.payloads()}")


def need(answer: Answer, prefix: str, *, besides: tuple[str, ...] = ()) -> str:
    """The first offered choice whose payload starts with `prefix`."""
    for payload in answer.payloads():
        if payload.startswith(prefix) and payload not in besides:
            return payload
    raise Unclear(answer, f"no {prefix!r} button")


@dataclass
class Member:
    """One person: the invite they join with, then their browser and person id."""

    name: str
    role: str
    area: str | None = "Khóm 2"
    group: str | None = None
    browser: Browser | None = None
    person_id: int | None = None

    @property
    def b(self) -> Browser:
        assert self.browser is not None
        return self.browser


@dataclass
class Attempt:
    """One submission one person set out to make."""

    who: str
    tag: str
    run: int  # the server run it started in
    sent: bool = False  # the input that stores it was sent (it may or may not have been handled)
    confirmed: bool = False  # the confirmation reached the person
    detail: str = ""  # what the confirmation named: a code, a case number, a count
    unclear: str = ""


@dataclass
class World:
    """What the checks read: the database, every member, their transcripts, and how many crashes there were."""

    db: Database
    members: dict[str, Member]
    transcripts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    kills: list[datetime] = field(default_factory=list)  # when the server was killed
    # Pushes delivered again, by the crash that made the sender repeat them: the first crash after the delivery
    # before (None: no crash came between). The sender's window bounds them per crash.
    repeats: Counter[int | None] = field(default_factory=Counter)

    def received(self, member: Member, payload: str) -> int:
        """How many pushed messages offering this button reached the member's browser."""
        times = sorted(
            datetime.fromisoformat(m["at"])
            for m in self.transcripts[member.name]
            if any(c["payload"] == payload for c in m.get("choices", []))
        )
        for before, again in itertools.pairwise(times):
            self.repeats[next((i for i, kill in enumerate(self.kills) if before < kill < again), None)] += 1
        return len(times)


class Journey:
    name = ""

    def __init__(self) -> None:
        self.cast: list[Member] = []
        self.actors: list[Member] = []  # who keeps submitting during the crashes
        self.attempts: list[Attempt] = []

    async def prepare(self, world: World) -> None:
        """Set-up through the chat before the crashes begin."""

    async def submit(self, member: Member, attempt: Attempt) -> None:
        raise NotImplementedError

    async def verify(self, world: World) -> list[str]:
        raise NotImplementedError

    def confirmed(self) -> list[Attempt]:
        return [a for a in self.attempts if a.confirmed]

    def tags_counted(self, texts: list[str]) -> Counter[str]:
        return Counter(tag for text in texts for tag in set(TAG.findall(text)))

    def common_checks(self, found: Counter[str]) -> list[str]:
        """Every confirmed submission stored exactly once; nothing stored twice; nothing stored never sent."""
        problems = []
        sent = {a.tag for a in self.attempts if a.sent}
        for attempt in self.attempts:
            stored = found[attempt.tag]
            if attempt.confirmed and stored != 1:
                problems.append(f"{self.name}: {attempt.who}'s confirmed {attempt.tag} stored {stored} times")
            elif stored > 1:
                problems.append(
                    f"{self.name}: {attempt.who}'s unconfirmed {attempt.tag} stored {stored} times"
                )
        problems += [f"{self.name}: {tag} stored but never sent" for tag in found if tag not in sent]
        return problems


# Pledge signing ------------------------------------------------------------------------------------------
class Pledges(Journey):
    """Group leaders and a resident sign their household's pledge, withdraw, sign again, ... (each signature is a
    new row with its own verification code; at most one is active per household)."""

    name = "pledge"

    def __init__(self) -> None:
        super().__init__()
        self.admin = Member("Chủ tịch (cam kết)", "ward_admin")
        leader1 = Member("Tổ trưởng Tổ 1", "group_admin", group="Tổ 1")
        leader2 = Member("Tổ trưởng Tổ 2", "group_admin", group="Tổ 2")
        resident = Member("Cư dân Tổ 1", "resident", group="Tổ 1")
        self.cast = [self.admin, leader1, leader2, resident]
        self.actors = [leader1, leader2, resident]
        self.leaders = {"Tổ 1": leader1, "Tổ 2": leader2}
        self.withdrawn: list[str] = []  # codes whose withdrawal was confirmed

    async def prepare(self, world: World) -> None:
        admin = self.admin.b
        today = datetime.now(VN).date()
        need(await admin.say("/chiendich"), "ptitle:default")
        need(await admin.press("ptitle:default"), "ptext:default")
        need(await admin.press("ptext:default"), "pdates:default")
        dates = f"{today - timedelta(days=1):%d/%m/%Y} - {today + timedelta(days=60):%d/%m/%Y}"
        need(await admin.say(dates), "pscope:all")
        need(await admin.press("pscope:all"), "popen:yes")
        assert "/camket" in (await admin.press("popen:yes")).text()
        for number, member in enumerate(self.actors):
            house = int((member.group or "Tổ 0").split()[1]) * 40 + 1 + number
            await member.b.say("/hocuatoi")
            async with world.db.session() as session:  # a resident knows their street: the search needs it
                [address] = (
                    await session.exec(
                        select(Household.address)
                        .join(Group, col(Group.id) == Household.group_id)
                        .join(Area, col(Area.id) == Group.area_id)
                        .where(
                            Group.name == member.group,
                            Area.name == member.area,
                            col(Household.address).startswith(f"Số {house},"),
                        )
                    )
                ).all()
            answer = await member.b.press(need(await member.b.say(address), "phjoin:"))
            if "họ tên" in answer.text():  # the web chat knows no name: the group leader must see who asks
                await member.b.say(f"{member.name} 0912 345 678")
            if member.role == "resident":  # the group leader confirms it from the request pushed to them
                await self.confirm_member(self.leaders[member.group or ""].b)

    @staticmethod
    async def confirm_member(leader: Browser) -> None:
        for _round in range(60):
            for message in await leader.poll(wait=1):
                for choice in message.get("choices", []):
                    if choice["payload"].startswith("phm:ok:"):
                        await leader.press(choice["payload"])
                        return
        raise AssertionError("the group leader never received the household request")

    async def submit(self, member: Member, attempt: Attempt) -> None:
        b = member.b
        answer = await b.say("/camket")
        if "pread:yes" not in answer.payloads():  # signed already: withdraw first, then sign again
            signed = CODE.search(answer.text())
            if signed is None:
                raise Unclear(answer, "neither the pledge nor the signature shown")
            withdraw = need(await b.say("/camket rut"), "pwd:")
            answer = await b.press(need(await b.press(withdraw), "pwdok:", besides=("pwdok:no",)))
            if "Đã rút lại chữ ký" not in answer.text():
                raise Unclear(answer, "withdrawal not confirmed")
            self.withdrawn.append(signed.group(0))
            need(await b.say("/camket"), "pread:yes")
        household = need(await b.press("pread:yes"), "phsign:", besides=("phsign:none",))
        await b.press(household)
        need(await b.say(f"Nguyễn Văn {attempt.tag}"), "psign:yes")
        attempt.sent = True
        answer = await b.press("psign:yes")
        code = CODE.search(answer.text())
        if code is None:
            raise Unclear(answer, "no verification code")
        attempt.confirmed, attempt.detail = True, code.group(0)

    async def verify(self, world: World) -> list[str]:
        async with world.db.session() as session:
            rows = list((await session.exec(select(PledgeSignature))).all())
        problems = self.common_checks(self.tags_counted([r.signer_name for r in rows]))
        by_code = {r.code: r for r in rows}  # stored without the dash that is shown
        for attempt in self.confirmed():
            row = by_code.get(attempt.detail.replace("-", ""))
            if row is None or attempt.tag not in row.signer_name:
                problems.append(
                    f"pledge: confirmed code {attempt.detail} ({attempt.tag}) is not that signature"
                )
        for code in self.withdrawn:
            if code.replace("-", "") in by_code and by_code[code.replace("-", "")].withdrawn_at is None:
                problems.append(f"pledge: the withdrawal of {code} was confirmed but it is still active")
        active = Counter(r.household_id for r in rows if r.active_key is not None)
        problems += [f"pledge: household {h} has {n} active signatures" for h, n in active.items() if n > 1]
        return problems


# Mediation requests --------------------------------------------------------------------------------------
class Mediation(Journey):
    """Residents ask for mediation again and again; each request is a case with a number, and the head of the
    area's mediation group is told of each one once."""

    name = "mediation"

    def __init__(self) -> None:
        super().__init__()
        self.head = Member("Trưởng tổ hòa giải", "mediation_head")
        self.actors = [Member(f"Cư dân Tổ {n}", "resident", group=f"Tổ {n}") for n in (7, 8, 9)]
        self.cast = [self.head, *self.actors]

    async def submit(self, member: Member, attempt: Attempt) -> None:
        b = member.b
        answer = await b.say("/hoagiai")
        if "hgn:new" in answer.payloads():
            answer = await b.press("hgn:new")
        need(answer, "hqk:noise")
        await b.press("hqk:noise")
        await b.say(f"Nhà bên cạnh hát karaoke đến khuya mỗi tối, đã nhắc nhiều lần, mã {attempt.tag}.")
        await b.say("Trần Thị Lan")
        need(await b.say("Nguyễn Văn Ba - 0912 345 678"), "hqd:done")
        need(await b.press("hqd:done"), "hqu:no")
        need(await b.press("hqu:no"), "hqt:any")
        need(await b.press("hqt:any"), "hqv:no")
        need(await b.press("hqv:no"), "hqs:send")
        attempt.sent = True
        answer = await b.press("hqs:send")
        number = CASE_NUMBER.search(answer.text())
        if number is None:
            raise Unclear(answer, "no case number")
        attempt.confirmed, attempt.detail = True, number.group(0)

    async def verify(self, world: World) -> list[str]:
        async with world.db.session() as session:
            cases = list((await session.exec(select(MediationCase))).all())
            pushes = list(
                (
                    await session.exec(
                        select(OutboxMessage).where(OutboxMessage.source_kind == "mediation_case")
                    )
                ).all()
            )
        problems = self.common_checks(self.tags_counted([c.description for c in cases]))
        numbers = {c.number: c for c in cases}
        for attempt in self.confirmed():
            case = numbers.get(attempt.detail)
            if case is None or attempt.tag not in case.description:
                problems.append(f"mediation: confirmed {attempt.detail} ({attempt.tag}) is not that case")
        told = Counter((p.source_id, p.person_id) for p in pushes)
        for case in cases:
            if told[(str(case.id), self.head.person_id)] != 1:
                problems.append(
                    f"mediation: the head was told of {case.number} "
                    f"{told[(str(case.id), self.head.person_id)]} times"
                )
            if world.received(self.head, f"hgo:{case.id}") == 0:
                problems.append(f"mediation: the head never received {case.number}")
        return problems


# Group reports -------------------------------------------------------------------------------------------
class Reports(Journey):
    """Group leaders send their group's report, then change its first answer and send it again, and again."""

    name = "report"

    def __init__(self) -> None:
        super().__init__()
        self.admin = Member("Chủ tịch (báo cáo)", "ward_admin")
        self.actors = [Member(f"Tổ trưởng Tổ {n}", "group_admin", group=f"Tổ {n}") for n in (4, 5)]
        self.cast = [self.admin, *self.actors]

    async def prepare(self, world: World) -> None:
        # Due three days from now, so the period stays open however long the test runs.
        weekday = (datetime.now(VN).weekday() + 3) % 7
        admin = self.admin.b
        need(await admin.say("/caidatbaocao"), "rs:day")
        need(await admin.press("rs:day"), f"rd:{weekday}")
        need(await admin.press(f"rd:{weekday}"), "rs:done")
        await admin.press("rs:done")

    async def submit(self, member: Member, attempt: Attempt) -> None:
        b = member.b
        answer = await b.say("/baocao")
        if "rp:edit" in answer.payloads():  # sent before: change it
            answer = await b.press("rp:edit")
        elif "rp:start" in answer.payloads():  # new, or a draft to go on with
            answer = await b.press("rp:start")
            for _question in range(12):
                offered = answer.payloads()
                if "rv:send" in offered:
                    break
                pick = next((p for p in ("ra:no", "ra:0", "ra:") if p in offered), None)
                if pick is None:
                    raise Unclear(answer, "neither a question nor the review")
                answer = await b.press(pick)
        need(answer, "rv:send")
        if attempt.tag not in answer.text():  # the first answer carries this submission's tag
            need(await b.press("rv:change"), "rq:0")
            need(await b.press("rq:0"), "ra:")
            need(answer := await b.say(f"Mất trộm xe đạp ở hẻm 12, mã {attempt.tag}"), "rv:send")
            if attempt.tag not in answer.text():
                raise Unclear(answer, "the review does not show the new answer")
        attempt.sent = True
        answer = await b.press("rv:send")
        if "Đã gửi báo cáo" not in answer.text():
            raise Unclear(answer, "not sent")
        attempt.confirmed = True

    async def verify(self, world: World) -> list[str]:
        async with world.db.session() as session:
            rows = list((await session.exec(select(ReportSubmission))).all())
            audits = Counter(
                (
                    await session.exec(
                        select(AuditEntry.target_id).where(AuditEntry.action == "report.submitted")
                    )
                ).all()
            )
        problems = []
        groups = Counter((r.group_id, r.period_key) for r in rows)
        problems += [f"report: group {g} has {n} rows for {p}" for (g, p), n in groups.items() if n > 1]
        for member in self.actors:
            mine = [a for a in self.attempts if a.who == member.name]
            confirmed = [i for i, a in enumerate(mine) if a.confirmed]
            if not confirmed:
                continue
            # Answers are kept as they are given, so a later (unconfirmed) change may show; never an older one.
            allowed = {a.tag for a in mine[confirmed[-1] :]}
            found = [
                r
                for r in rows
                if set(TAG.findall(str(r.answers.get("incidents", "")))) & {a.tag for a in mine}
            ]
            if len(found) != 1:
                problems.append(f"report: {member.name}'s confirmed report found {len(found)} times")
                continue
            row = found[0]
            shown = set(TAG.findall(str(row.answers.get("incidents"))))
            if row.status != "submitted" or not shown <= allowed:
                problems.append(
                    f"report: {member.name}'s report is {row.status} with {shown}, expected one of "
                    f"{sorted(allowed)}"
                )
            if audits[str(row.id)] != 1:
                problems.append(
                    f"report: {member.name}'s first sending was recorded {audits[str(row.id)]} times"
                )
        return problems


# Alert confirmation --------------------------------------------------------------------------------------
class Alerts(Journey):
    """The ward police (whole ward) and a group leader (their group) confirm one alert after another; the
    outbox holds one row per recipient, and the sender delivers each at least once."""

    name = "alert"

    def __init__(self) -> None:
        super().__init__()
        self.police = Member("Công an phường", "police", area=None)
        self.leader = Member("Tổ trưởng Tổ 3", "group_admin", group="Tổ 3")
        readers = [Member(f"Cư dân Tổ 3 ({n})", "resident", group="Tổ 3") for n in (1, 2)]
        self.cast = [self.police, self.leader, *readers]
        self.actors = [self.police, self.leader]

    async def submit(self, member: Member, attempt: Attempt) -> None:
        b = member.b
        need(await b.say("/soancanhbao"), "cat:theft")
        need(await b.press("cat:theft"), "sev:urgent")
        await b.press("sev:urgent")
        await b.say(f"Trộm đột nhập nhà dân ban đêm, mã {attempt.tag}")
        need(
            await b.say("Kẻ gian cạy cửa lúc nửa đêm khi cả nhà ngủ; bà con khóa cửa cẩn thận."), "photo:none"
        )
        answer = await b.press(need(await b.press("photo:none"), "link:none"))
        scope = "scope:ward" if member is self.police else need(answer, "scope:g:")
        need(await b.press(scope), "when:now")
        need(await b.press("when:now"), "confirm:send")
        attempt.sent = True
        answer = await b.press("confirm:send")
        sent = re.search(r"Đã gửi đến (\d+) người", answer.text())
        if sent is None:
            raise Unclear(answer, "not sent")
        attempt.confirmed, attempt.detail = True, sent.group(1)

    def audience(self, world: World, author: str) -> set[int | None]:
        """Who must receive an alert: the whole ward for the police, the leader's group for the leader."""
        if author == self.police.name:
            return {m.person_id for m in world.members.values() if m is not self.police}
        return {
            m.person_id
            for m in world.members.values()
            if m.group == self.leader.group and m.area == self.leader.area and m is not self.leader
        }

    async def verify(self, world: World) -> list[str]:
        async with world.db.session() as session:
            alerts = list((await session.exec(select(Alert).order_by(col(Alert.id)))).all())
            rows = list(
                (await session.exec(select(OutboxMessage).where(OutboxMessage.source_kind == "alert"))).all()
            )
        problems = self.common_checks(self.tags_counted([a.title for a in alerts]))
        authors = {a.tag: a.who for a in self.attempts}
        queued = Counter((r.source_id, r.person_id) for r in rows)
        problems += [f"alert: {r.dedupe_key} ended {r.status}" for r in rows if r.status != "sent"]
        for alert in alerts:
            tags = TAG.findall(alert.title)
            if alert.status != AlertStatus.SENT or not tags:
                problems.append(f"alert: {alert.title!r} is {alert.status}")
                continue
            audience = self.audience(world, authors.get(tags[0], ""))
            rows_of = {p for (source, p) in queued if source == str(alert.id)}
            if rows_of != audience or any(queued[(str(alert.id), p)] != 1 for p in audience):
                problems.append(
                    f"alert: {tags[0]} queued for {sorted(map(str, rows_of))} "
                    f"(counts {[queued[(str(alert.id), p)] for p in audience]}), "
                    f"expected once each for {sorted(map(str, audience))}"
                )
            confirmed = next((a for a in self.confirmed() if a.tag == tags[0]), None)
            if confirmed is not None and int(confirmed.detail) != len(audience):
                problems.append(
                    f"alert: {tags[0]} was confirmed for {confirmed.detail} people, not {len(audience)}"
                )
            for member in world.members.values():
                if member.person_id not in audience:
                    continue
                if world.received(member, f"ack:{alert.id}") == 0:
                    problems.append(f"alert: {member.name} never received {tags[0]}")
        return problems


JOURNEYS = (Pledges, Mediation, Reports, Alerts)
