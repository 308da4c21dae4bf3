"""Telegram through python-telegram-bot: polling or webhook in, inline keyboards and uploads out."""

from bot.channels.telegram.channel import TelegramChannel

__all__ = ["TelegramChannel"]
