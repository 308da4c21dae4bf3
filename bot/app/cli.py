"""The `andan` command: run the bot, migrate, load places, fill a demo ward, and create invites."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import logs
from bot.app import loop
from bot.directory import geo
from bot.settings import get_settings
from bot.textnorm import fold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="andan",
        description="An Dân: a neighbourhood-safety chatbot for Vietnamese wards (web chat, Telegram, Zalo). "
        "Settings come from ANDAN_* environment variables or a .env file; see the README.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="Migrate the database, load places if empty, and serve the bot and web chat.")
    sub.add_parser("migrate", help="Upgrade the database to the latest schema.")
    sub.add_parser(
        "seed-geo", help="Load (or refresh) the 34 provinces and 3,321 wards from vietnam-provinces."
    )
    sub.add_parser("demo", help="Fill a demo ward (Phường Cao Lãnh) and print invite links for every role.")
    inv = sub.add_parser(
        "invite", help="Create a single-use invite for a role in a place; print code and links."
    )
    inv.add_argument(
        "--role",
        required=True,
        choices=[
            "resident",
            "group_admin",
            "area_leader",
            "mediator",
            "mediation_head",
            "police",
            "ward_admin",
        ],
    )
    inv.add_argument(
        "--ward", required=True, help="ward code, or its name (accents optional), e.g. 'cao lanh'"
    )
    inv.add_argument("--area", help="residential area name, e.g. 'Khóm 2' (for group and area roles)")
    inv.add_argument("--group", help="group name within the area, e.g. 'Tổ 3' (for resident and group_admin)")
    inv.add_argument(
        "--qr", type=Path, help="write a QR code PNG of the web link here (default: invite-<code>.png)"
    )
    args = parser.parse_args(argv)

    settings = get_settings()
    logs.setup(settings.log_level)
    try:
        return loop.run(COMMANDS[args.command](args))
    except KeyboardInterrupt:
        return 130
    except UserError as error:
        print(f"andan: {error}", file=sys.stderr)
        return 2


class UserError(Exception):
    pass


async def cmd_run(_args: argparse.Namespace) -> int:
    from bot.app.runtime import serve

    settings = get_settings()
    print(f"An Dân: web chat at http://{settings.host}:{settings.port}  (Ctrl+C to stop)", flush=True)
    await serve(settings)
    return 0


async def _prepared_app():
    from bot.app.runtime import prepare
    from bot.app.wiring import build

    app = build(get_settings())
    await prepare(app)
    return app


async def cmd_migrate(_args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.migrate import upgrade

    app = App(get_settings(), routers=[])
    await upgrade(app.db)
    await app.db.dispose()
    print("database is up to date")
    return 0


async def cmd_seed_geo(_args: argparse.Namespace) -> int:
    app = await _prepared_app()
    async with app.db.session() as session:
        provinces, wards = await geo.seed(session)
    await app.db.dispose()
    print(f"loaded {provinces} provinces and {wards} wards")
    return 0


async def cmd_demo(_args: argparse.Namespace) -> int:
    from bot.tools.demo import fill

    app = await _prepared_app()
    async with app.db.session() as session:
        invites = await fill(session, app.keyring, app.settings)
    await app.db.dispose()
    print("Demo ward: Phường Cao Lãnh, Tỉnh Đồng Tháp (Khóm 1–4; Khóm 2 has 16 groups).")
    print("Open each link in its own browser (or private window) to play that role:\n")
    for item in invites:
        print(f"  {item.role:<15} {item.place:<22} code {item.code}")
        for channel, url in item.links.items():
            print(f"      {channel}: {url}")
    return 0


async def cmd_invite(args: argparse.Namespace) -> int:
    from bot.directory.invites import SCOPE, create, links, write_qr
    from models import Area, Group, Role
    from models.base import pk

    app = await _prepared_app()
    async with app.db.session() as session:
        ward_code = await _resolve_ward(session, args.ward)
        scope = SCOPE[Role(args.role)]
        area: Area | None = None
        group: Group | None = None
        if scope in ("area", "group"):
            if not args.area:
                raise UserError(f"--area is required for the role {args.role}")
            areas = geo.pick_by_name(await geo.areas_of(session, ward_code), args.area)
            if len(areas) != 1:
                raise UserError(f"--area {args.area!r} matches {len(areas)} areas of that ward")
            area = areas[0]
        if scope == "group" and area is not None:
            if not args.group:
                raise UserError(f"--group is required for the role {args.role}")
            groups = [g for g in await geo.groups_of(session, pk(area)) if g.name_folded == fold(args.group)]
            if len(groups) != 1:
                raise UserError(f"--group {args.group!r} matches {len(groups)} groups of that area")
            group = groups[0]
        made = await create(
            session,
            app.keyring,
            app.settings,
            role=args.role,
            ward_code=ward_code,
            area_id=area.id if area else None,
            group_id=group.id if group else None,
        )
        await session.commit()
    await app.db.dispose()
    found = links(app.settings, made.code)
    qr_path = write_qr(found["web"], args.qr or Path(f"invite-{made.code}.png"))
    print(f"code: {made.code}")
    for channel, url in found.items():
        print(f"{channel}: {url}")
    print(f"zalo: ask them to type /thamgia {made.code}")
    print(f"qr: {qr_path}")
    return 0


async def _resolve_ward(session, text: str) -> int:
    from models import Ward

    if text.isdigit():
        if await session.get(Ward, int(text)) is None:
            raise UserError(f"no ward has the code {text}")
        return int(text)
    hits = await geo.search_wards(session, text)
    exact = [w for w, _p in hits if fold(text) in (w.name_folded, w.name_folded.split(" ", 1)[-1])]
    chosen = exact if len(exact) == 1 else [w for w, _p in hits]
    if len(chosen) != 1:
        names = "; ".join(geo.ward_label(w, p) for w, p in hits) or "none"
        raise UserError(f"--ward {text!r} is ambiguous or unknown (matches: {names}); use the ward code")
    return chosen[0].code


COMMANDS = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "seed-geo": cmd_seed_geo,
    "demo": cmd_demo,
    "invite": cmd_invite,
}


if __name__ == "__main__":
    raise SystemExit(main())
