"""/menu: the main menu (bot/core/menu.py), and the resident's menu for people who also hold a role; the core
commands' menu entry and what people write when they want them (core.intents.toml)."""

from __future__ import annotations

from pathlib import Path

from bot.core import menu
from bot.core.context import Context
from bot.core.router import Router
from bot.i18n import N_
from handlers.language import language_named

router = Router("menu")


@router.command(menu.MENU_COMMAND, "danhmuc", help=N_("The main menu"), private_only=False)
async def show_menu(ctx: Context) -> None:
    await menu.show(ctx)


@router.command(menu.RESIDENT_COMMAND, "resident", help=N_("What residents can do"), in_menu=False)
async def resident_menu(ctx: Context) -> None:
    await menu.show(ctx, resident_view=True)


router.menu("trogiup", label=N_("Help: everything you can do"), order=90)
router.intents(
    Path(__file__).with_name("core.intents.toml"),
    detectors={"language": language_named},
    examples=Path(__file__).with_name("core.examples.tsv"),
)
