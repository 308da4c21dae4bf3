"""Zalo reach benchmark: one urgent alert to a simulated ward, through the real outbox sender and its fallbacks.

The ward (default 2,000 residents in groups of 100, each group with a leader on the web chat): 70 % on Zalo OA,
half of them silent for more than 7 days (outside the consultation window); 20 % on Telegram; 10 % on the web
chat. Of the silent Zalo residents, `--phone-share` gave a phone number for ZNS and `--unfollowed-share` left the
OA (no promotion message can reach them). The app runs in this process against the loopback fakes of Zalo OA
(promotions, ZNS, quotas, hours) and Telegram, at the configured platform rates, at 10:00 local time.

Reported: the share reached per channel and kind, the time from the release to 95 % reached, the residents
listed to their group leaders after `zalo_reach_leader_minutes`, and the residents silently missed (no row, or
not reached and in no leader's list), which must be 0.
Usage: `python -m benchmarks zalo_reach [--quick] [--residents N] [--zalo-rate R] [--json out.json]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import loop

SECRET = "benchmark-secret-not-for-production"
URGENT_TEMPLATE = "bench-urgent"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks zalo_reach", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="400 residents (under a minute)")
    parser.add_argument("--residents", type=int, default=None, help="residents (default 2,000)")
    parser.add_argument("--group-size", type=int, default=100)
    parser.add_argument(
        "--phone-share", type=float, default=0.4, help="silent Zalo residents with a ZNS phone"
    )
    parser.add_argument("--unfollowed-share", type=float, default=0.1, help="silent Zalo residents who left")
    parser.add_argument("--zalo-rate", type=float, default=10.0, help="ANDAN_ZALO_OA_PER_SECOND")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.residents is None:
        args.residents = 400 if args.quick else 2000
    return args


def settings_for(url: str, media: Path, oa: Any, telegram: Any, args: argparse.Namespace) -> Any:
    from bot.settings import Settings

    return Settings(
        database_url=url,
        secret_key=SECRET,
        media_dir=media,
        scheduler_enabled=False,
        delivery_enabled=False,  # the benchmark drains itself, to time it
        telegram_token=telegram.token,
        telegram_api_url=telegram.base_url,
        zalo_oa_app_id=oa.app_id,
        zalo_oa_secret_key=oa.secret_key,
        zalo_oa_webhook_secret=oa.oa_secret_key,
        zalo_oa_access_token=oa.access_token,
        zalo_oa_refresh_token=oa.refresh_token,
        zalo_oa_api_url=oa.base_url,
        zalo_oa_oauth_url=oa.base_url,
        zalo_oa_per_second=args.zalo_rate,
        zalo_oa_promotion_enabled=True,
        zalo_zns_urgent_alert_template=URGENT_TEMPLATE,
        zalo_zns_api_url=oa.base_url,
    )  # type: ignore[call-arg]


async def populate(app: Any, oa: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The ward, its groups and leaders, and the residents on their channels; returns who is who."""
    from sqlalchemy import insert
    from sqlmodel import select

    from bot import clock
    from bot.delivery.reach import PHONE_PURPOSE
    from bot.textnorm import fold
    from models import Area, ChannelIdentity, Group, Person, Province, RoleGrant, Ward
    from models.zalo import ZnsConsent

    now = clock.now()
    silent_at = now - timedelta(days=9)
    kinds: dict[int, str] = {}
    async with app.db.session() as session:
        ward = (await session.exec(select(Ward))).first()
        if ward is None:
            session.add(Province(code=87, name="Tỉnh Đồng Tháp", name_folded=fold("Tỉnh Đồng Tháp")))
            ward = Ward(
                code=30316, province_code=87, name="Phường Cao Lãnh", kind="phường", name_folded="cao lanh"
            )
            session.add(ward)
            await session.flush()
        area = Area(ward_code=ward.code, name="Khóm 1", name_folded="khom 1")
        session.add(area)
        await session.flush()
        groups = []
        for g in range((args.residents + args.group_size - 1) // args.group_size):
            group = Group(area_id=area.id, ward_code=ward.code, name=f"Tổ {g + 1}", name_folded=f"to {g + 1}")  # type: ignore[arg-type]
            session.add(group)
            groups.append(group)
        await session.flush()
        people, identities, grants, consents = [], [], [], []
        person_id = 0

        def person(name: str) -> int:
            nonlocal person_id
            person_id += 1
            people.append(
                dict(
                    id=person_id,
                    display_name=name,
                    locale="vi",
                    consented_at=now,
                    consent_version="1",
                    digest_enabled=True,
                    mute_info_alerts=False,
                    created_at=now,
                )
            )
            return person_id

        for g, group in enumerate(groups):
            leader = person(f"Tổ trưởng {g + 1}")
            kinds[leader] = "leader"
            identities.append(
                dict(
                    person_id=leader,
                    channel="web",
                    external_user_id=f"wl{leader}",
                    chat_id=f"wl{leader}",
                    last_interaction_at=now,
                    created_at=now,
                )
            )
            grants.append(
                dict(
                    person_id=leader,
                    role="group_admin",
                    ward_code=ward.code,
                    area_id=area.id,
                    group_id=group.id,
                    granted_at=now,
                )
            )
        zalo_seen = 0
        for n in range(args.residents):
            pid = person(f"Cư dân {n}")
            group = groups[n // args.group_size]
            grants.append(
                dict(
                    person_id=pid,
                    role="resident",
                    ward_code=ward.code,
                    area_id=area.id,
                    group_id=group.id,
                    granted_at=now,
                )
            )
            slot = n % 10
            if slot < 7:
                uid = f"44{pid:016d}"
                silent = zalo_seen % 2 == 1
                zalo_seen += 1
                row = dict(
                    person_id=pid,
                    channel="zalo_oa",
                    external_user_id=uid,
                    chat_id=uid,
                    last_interaction_at=silent_at if silent else now,
                    created_at=now,
                    unreachable_at=None,
                    unreachable_reason=None,
                )
                oa.touch(uid)
                if silent:
                    oa.interactions[uid] -= 9 * 86400
                    index = zalo_seen // 2
                    if (index % 100) < args.unfollowed_share * 100:
                        oa.set_following(uid, False)
                        row.update(unreachable_at=now, unreachable_reason="unfollowed the OA")
                        kinds[pid] = "zalo_unfollowed"
                    else:
                        kinds[pid] = "zalo_silent"
                    if ((index * 7) % 100) < args.phone_share * 100:
                        phone = f"849{pid:08d}"
                        consents.append(
                            dict(
                                person_id=pid,
                                phone=app.keyring.seal(PHONE_PURPOSE, phone.encode()),
                                consented_at=now,
                            )
                        )
                else:
                    kinds[pid] = "zalo_active"
                identities.append(row)
            elif slot < 9:
                kinds[pid] = "telegram"
                identities.append(
                    dict(
                        person_id=pid,
                        channel="telegram",
                        external_user_id=str(7_000_000 + pid),
                        chat_id=str(7_000_000 + pid),
                        last_interaction_at=now,
                        created_at=now,
                    )
                )
            else:
                kinds[pid] = "web"
                identities.append(
                    dict(
                        person_id=pid,
                        channel="web",
                        external_user_id=f"w{pid}",
                        chat_id=f"w{pid}",
                        last_interaction_at=now,
                        created_at=now,
                    )
                )
        connection = await session.connection()
        await connection.execute(insert(Person.__table__), people)  # type: ignore[attr-defined]
        await connection.execute(insert(ChannelIdentity.__table__), identities)  # type: ignore[attr-defined]
        await connection.execute(insert(RoleGrant.__table__), grants)  # type: ignore[attr-defined]
        if consents:
            await connection.execute(insert(ZnsConsent.__table__), consents)  # type: ignore[attr-defined]
        await session.commit()
        return {"ward": ward.code, "province": ward.province_code, "kinds": kinds}


async def release_alert(app: Any, town: dict[str, Any]) -> int:
    from bot import clock
    from handlers.alerts.delivery import release
    from models.alerts import Alert, AlertStatus

    async with app.db.session() as session:
        alert = Alert(
            ward_code=town["ward"],
            province_code=town["province"],
            author_role="police",
            issuer="Phường Cao Lãnh",
            category="fire",
            severity="urgent",
            title="Cháy chợ Khóm 1",
            body="Đám cháy lan nhanh ở chợ Khóm 1. Tránh xa khu vực, gọi 114.",
            search_folded="chay cho khom 1",
            scope="ward",
            send_at=clock.now(),
            status=AlertStatus.SCHEDULED,
        )
        session.add(alert)
        await session.flush()
        await release(session, app.settings, alert)
        await session.commit()
        assert alert.id is not None
        return alert.id


async def reached_count(app: Any, alert_id: int) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from models import OutboxMessage, OutboxStatus

    async with app.db.session() as session:
        return int(
            (
                await session.exec(
                    select(func.count()).where(
                        OutboxMessage.source_kind == "alert",
                        OutboxMessage.source_id == str(alert_id),
                        OutboxMessage.status == OutboxStatus.SENT,
                    )
                )
            ).one()
        )


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    from sqlmodel import select

    from bot import clock
    from bot.app.wiring import build
    from bot.delivery import drain
    from bot.delivery.outbox import reach_progress
    from bot.migrate import upgrade
    from handlers.alerts.delivery import UNREACHED, unreached_tick
    from models import OutboxMessage, OutboxStatus
    from tests.fakes import FakeTelegram, FakeZaloOA

    manual = clock.ManualClock(datetime.fromisoformat("2026-11-23T10:00:00+07:00"))
    previous = clock.install(manual)
    oa = FakeZaloOA(wall=clock.now, zns_templates={URGENT_TEMPLATE: ("title",)})
    telegram = FakeTelegram()
    await oa.start()
    await telegram.start()
    try:
        with tempfile.TemporaryDirectory(prefix="andan-reach-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'reach.db'}"
            settings = settings_for(url, Path(tmp) / "media", oa, telegram, args)
            app = build(settings)
            await upgrade(app.db)
            await app.start()
            try:
                town = await populate(app, oa, args)
                residents = args.residents
                started = time.monotonic()
                alert_id = await release_alert(app, town)
                draining = asyncio.create_task(drain(app))
                t95: float | None = None
                while not draining.done():
                    await asyncio.wait({draining}, timeout=0.25)
                    if t95 is None and await reached_count(app, alert_id) >= 0.95 * residents:
                        t95 = time.monotonic() - started
                await draining
                wall = time.monotonic() - started
                if t95 is None and await reached_count(app, alert_id) >= 0.95 * residents:
                    t95 = wall
                manual.advance(timedelta(minutes=settings.zalo_reach_leader_minutes + 1))
                await unreached_tick(app)
                await drain(app)
                async with app.db.session() as session:
                    summary = await reach_progress(session, "alert", str(alert_id))
                    rows = (
                        await session.exec(
                            select(OutboxMessage).where(
                                OutboxMessage.source_kind.in_(["alert", UNREACHED]),  # type: ignore[union-attr]
                                OutboxMessage.source_id == str(alert_id),
                            )
                        )
                    ).all()
            finally:
                await app.stop()
    finally:
        await oa.stop()
        await telegram.stop()
        clock.install(previous)

    kinds = town["kinds"]
    alert_rows = [r for r in rows if r.source_kind == "alert" and r.person_id is not None]
    lists = [r for r in rows if r.source_kind == UNREACHED]
    listed_lines = sum(r.payload["text"].count("\n• ") for r in lists)
    by_person = {r.person_id: r for r in alert_rows}
    resident_ids = [p for p, k in kinds.items() if k != "leader"]
    not_reached = [p for p in resident_ids if p in by_person and by_person[p].status != OutboxStatus.SENT]
    no_row = [p for p in resident_ids if p not in by_person]
    # Residents only (the leaders' own copies are not part of the ward's figures).
    routes: Counter[str] = Counter(
        f"{by_person[p].channel}/{by_person[p].via}"
        for p in resident_ids
        if p in by_person and by_person[p].status == OutboxStatus.SENT
    )
    per_route = dict(sorted(routes.items()))
    assert sum(summary["people"]["reached"].values()) >= sum(per_route.values())
    per_kind: Counter[str] = Counter()
    for p in resident_ids:
        row = by_person.get(p)
        per_kind[
            f"{kinds[p]}:{'reached' if row is not None and row.status == OutboxStatus.SENT else 'not'}"
        ] += 1
    return {
        "residents": residents,
        "leaders": sum(1 for k in kinds.values() if k == "leader"),
        "reached_per_route": per_route,
        "reached_share_per_route": {k: round(v / residents, 4) for k, v in per_route.items()},
        "reached_share": round(sum(per_route.values()) / residents, 4),
        "by_population": dict(sorted(per_kind.items())),
        "seconds_to_95_percent": round(t95, 1) if t95 is not None else None,
        "seconds_to_drain": round(wall, 1),
        "not_reached": len(not_reached),
        "listed_to_leaders": listed_lines,
        "leader_lists": len(lists),
        "silently_missed": len(no_row) + max(0, len(not_reached) - listed_lines),
        "zalo_oa_rate": args.zalo_rate,
    }


def report(figures: dict[str, Any]) -> str:
    lines = [
        f"zalo reach: {figures['residents']} residents ({figures['leaders']} group leaders on the web chat), "
        f"one urgent alert at 10:00, Zalo OA at {figures['zalo_oa_rate']:g}/s",
        "reached per channel and kind:",
        *(
            f"  {route:<22} {n:>6}  {figures['reached_share_per_route'][route]:.1%}"
            for route, n in figures["reached_per_route"].items()
        ),
        f"  {'all':<22} {sum(figures['reached_per_route'].values()):>6}  {figures['reached_share']:.1%}",
        "by population: " + ", ".join(f"{k} {v}" for k, v in figures["by_population"].items()),
        f"time to 95% reached: {figures['seconds_to_95_percent']} s (all sends done in {figures['seconds_to_drain']} s)",
        f"not reached: {figures['not_reached']}; listed to their group leaders: {figures['listed_to_leaders']} "
        f"(in {figures['leader_lists']} lists)",
        f"silently missed: {figures['silently_missed']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("ANDAN_LOG_LEVEL", "WARNING")
    logging.basicConfig(level=logging.ERROR)
    figures = loop.run(bench(args))
    print(report(figures), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if figures["silently_missed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
