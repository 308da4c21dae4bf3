"""The `andan` command: run the bot, migrate, load places, fill a demo ward, create invites, and import a ward's
areas and groups."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import logs
from bot.app import loop
from bot.directory import geo
from bot.directory.invites import links
from bot.i18n import use_locale
from bot.settings import get_settings
from bot.textnorm import fold

if TYPE_CHECKING:
    from bot.app import App

if TYPE_CHECKING:
    from handlers.places.sheet import Parsed


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
    invites = sub.add_parser("invites", help="Invitations for a whole ward, to print.")
    invites_sub = invites.add_subparsers(dest="invites_command", required=True, metavar="ACTION")
    prn = invites_sub.add_parser(
        "print",
        help="Write a PDF with one page per group: names, a large QR code, links and the code to type.",
        description="Residents' pages hold a reusable join link for the group (ANDAN_JOIN_LINK_DAYS, "
        "ANDAN_JOIN_LINK_MAX_USES), to post on the notice board or in the group's Zalo group; group leaders' "
        "pages hold a single-use invite, to hand over in person.",
    )
    prn.add_argument("--ward", required=True, help="ward code, or its name (accents optional)")
    prn.add_argument("--role", choices=["resident", "group_admin"], default="resident")
    prn.add_argument("--group", help="only this group, as 'Khóm 2/Tổ 3' (area/group)")
    prn.add_argument("--paper", choices=["A4", "A5"], default="A4")
    prn.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    places = sub.add_parser("places", help="A ward's residential areas and self-managed groups.")
    places_sub = places.add_subparsers(dest="places_command", required=True, metavar="ACTION")
    imp = places_sub.add_parser(
        "import",
        help="Create a ward's areas and groups (and leader invites) from a CSV or XLSX file, all or nothing.",
        description="The file has the header columns area and group, optionally ward_code, leader_name and "
        "leader_phone (Vietnamese headers such as 'Khu vực', 'Tổ' work too). Every line is checked first: on any "
        "problem each bad line is printed with its number and nothing is written (exit status 1). Areas and "
        "groups that already exist are left as they are, so importing the same file again changes nothing. A "
        "group with a leader gets a single-use group-leader invite, unless it has one that is open or used.",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="the .csv (UTF-8, comma or semicolon) or .xlsx file"
    )
    imp.add_argument("--ward", help="ward code or name, for a file without a ward_code column")
    imp.add_argument(
        "--dry-run", action="store_true", help="check the file and print what would change; write nothing"
    )
    args = parser.parse_args(argv)

    settings = get_settings()
    logs.setup(settings.log_level)
    sub_command = {"places": "places_command", "invites": "invites_command"}.get(args.command)
    command = COMMANDS[f"{args.command}-{getattr(args, sub_command)}" if sub_command else args.command]
    try:
        return loop.run(_closing(command(args)))
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


# Apps a command opened: their database is closed however the command ends (a refusal too), or a connection's
# worker thread would keep the process alive after its answer.
_opened: list[App] = []


async def _closing(command: Awaitable[int]) -> int:
    try:
        return await command
    finally:
        while _opened:
            await _opened.pop().db.dispose()


async def _prepared_app() -> App:
    from bot.app.runtime import prepare
    from bot.app.wiring import build

    app = build(get_settings())
    _opened.append(app)
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
    from bot.tools.demo import fill, open_campaign
    from handlers.onboarding import role_name

    app = await _prepared_app()
    async with app.db.session() as session:
        demo = await fill(session, app.keyring, app.settings)
        campaign = (await open_campaign(session)).title
        await session.commit()
    await app.db.dispose()
    with use_locale("vi"):
        print("Phường Cao Lãnh, Tỉnh Đồng Tháp (Khóm 1–4; Khóm 2 có 16 tổ) — demo ward.")
        print(f"Đợt ký cam kết đang mở / pledge campaign open: {campaign}")
        print(f"Địa chỉ một hộ của Tổ 3, Khóm 2 (cho /hocuatoi) / a household address: {demo.household}")
        print("Mở mỗi đường dẫn trong một trình duyệt (hoặc cửa sổ ẩn danh) riêng để đóng vai đó.")
        print("Open each link in its own browser (or private window) to play that role:\n")
        for item in demo.invites:
            print(f"  {role_name(item.role)} ({item.role}) — {item.place} — mã/code {item.code}")
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
        names = "; ".join(f"{geo.ward_label(w, p)}: code {w.code}" for w, p in hits) or "none"
        raise UserError(f"--ward {text!r} is ambiguous or unknown (matches: {names}); use the ward code")
    return chosen[0].code


async def cmd_places_import(args: argparse.Namespace) -> int:
    """Every message is printed in Vietnamese, then in English: the ward office reads one, the operator perhaps
    the other."""
    from handlers.places import importer, sheet

    settings = get_settings()
    limits = sheet.Limits.of(settings)
    try:
        too_big = args.file.stat().st_size > limits.max_bytes
        data = b"" if too_big else args.file.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {args.file}: {error.strerror}") from None
    if too_big:
        _print_refusal(sheet.too_large(limits))
        return 1
    app = await _prepared_app()
    try:
        async with app.db.session() as session:
            ward_code = await _resolve_ward(session, args.ward) if args.ward else None
            parsed = sheet.parse(data, limits, ward_code)
            if not parsed.problems:
                await importer.check(session, parsed)
            if parsed.problems:
                _print_refusal(parsed)
                return 1
            outcome = await importer.apply(
                session, app.keyring, app.settings, parsed.rows, actor=None, dry_run=args.dry_run
            )
            if args.dry_run:
                await session.rollback()
            else:
                await session.commit()
    finally:
        await app.db.dispose()
    _print_both(lambda: importer.summary(outcome, args.dry_run))
    for leader in [] if args.dry_run else outcome.leaders:
        assert leader.code is not None

        def heading(leader: importer.LeaderInvite = leader) -> list[str]:
            return importer.leader_lines(leader)

        _print_both(heading)
        for url in links(app.settings, leader.code).values():
            print(f"    {url}")
        print(f"    zalo: /thamgia {leader.code}")
    return 0


def _print_refusal(parsed: Parsed) -> None:
    from handlers.places.importer import refused

    _print_both(lambda: [refused(), *(f"  {p.text()}" for p in parsed.problems)], sys.stderr)


def _print_both(render: Callable[[], list[str]], out: TextIO | None = None) -> None:
    """Lines in Vietnamese, each followed by its English (once when both read the same)."""
    out = out or sys.stdout
    with use_locale("vi"):
        vi = render()
    with use_locale("en"):
        en = render()
    for vi_line, en_line in zip(vi, en, strict=True):
        print(vi_line, file=out)
        if en_line != vi_line:
            print(en_line, file=out)


async def cmd_invites_print(args: argparse.Namespace) -> int:
    import asyncio

    from bot.directory.invites import create
    from handlers.places.printing import Issued, invitation_pdf, printable_groups, ward_pages
    from models import Role

    app = await _prepared_app()
    async with app.db.session() as session:
        ward_code = await _resolve_ward(session, args.ward)
        groups = await printable_groups(session, ward_code)
        if args.group:
            area_name, _sep, group_name = args.group.partition("/")
            groups = [
                (a, g)
                for a, g in groups
                if a.name_folded == fold(area_name) and g.name_folded == fold(group_name or area_name)
            ]
            if len(groups) != 1:
                raise UserError(
                    f"--group {args.group!r} matches {len(groups)} groups; write it as 'Khóm 2/Tổ 3'"
                )
        if not groups:
            raise UserError("that ward has no groups yet: import them first (andan places import)")
        reusable = args.role == Role.RESIDENT
        issued: dict[int, Issued] = {}
        for area, group in groups:
            made = await create(
                session,
                app.keyring,
                app.settings,
                role=args.role,
                ward_code=ward_code,
                area_id=area.id,
                group_id=group.id,
                max_uses=app.settings.join_link_max_uses if reusable else None,
                days=app.settings.join_link_days if reusable else None,
            )
            issued[group.id or 0] = Issued(made.code, links(app.settings, made.code), made.invite.expires_at)
        pages = await ward_pages(
            session, ward_code, issued, group_id=groups[0][1].id if args.group else None, role=args.role
        )
        await session.commit()
    await app.db.dispose()
    pdf = await asyncio.to_thread(invitation_pdf, pages, args.paper)
    args.out.write_bytes(pdf)
    print(f"{len(pages)} pages written to {args.out} ({len(pdf) // 1024} KB)")
    return 0


COMMANDS = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "seed-geo": cmd_seed_geo,
    "demo": cmd_demo,
    "invite": cmd_invite,
    "places-import": cmd_places_import,
    "invites-print": cmd_invites_print,
}


if __name__ == "__main__":
    raise SystemExit(main())
