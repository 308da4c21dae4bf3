"""The "/" command menu Telegram shows: Vietnamese (also the default) and English, shorter in group chats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeAllGroupChats

from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from telegram import Bot

    from bot.core.router import Registry

MENU_LANGUAGES = (None, "vi", "en")  # None: everyone whose Telegram language has no menu of its own


def valid_command(name: str) -> bool:
    return (
        1 <= len(name) <= 32 and name.isascii() and all(c.islower() or c.isdigit() or c == "_" for c in name)
    )


async def register_commands(bot: Bot, registry: Registry) -> None:
    """Menus from the registered commands; groups get only what works there (the rest moves to a private chat).
    Raises the first TelegramError (setMyCommands is the only method called): the channel says why once and
    tries again later, since the bot works without a menu."""
    commands = [c for c in registry.unique_commands() if c.in_menu]
    for language in MENU_LANGUAGES:
        locale = language or "vi"
        with use_locale(locale):
            private: list[BotCommand] = []
            groups: list[BotCommand] = []
            for cmd in commands:
                # English speakers see the English alias; both names work everywhere.
                name = cmd.names[1] if locale == "en" and len(cmd.names) > 1 else cmd.name
                if valid_command(name):
                    entry = BotCommand(name, _(cmd.help)[:256])
                    private.append(entry)
                    if not cmd.private_only:
                        groups.append(entry)
            private.append(BotCommand("cancel" if locale == "en" else "huy", _("Leave the current form")))
        await bot.set_my_commands(private[:100], language_code=language)
        await bot.set_my_commands(groups[:100], scope=BotCommandScopeAllGroupChats(), language_code=language)
