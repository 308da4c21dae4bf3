"""Zalo Bot Platform channel (the Telegram-like Zalo Bot API): long polling, or a webhook behind ANDAN_PUBLIC_URL."""

from bot.channels.zalo_bot.channel import ZaloBotChannel

__all__ = ["ZaloBotChannel"]
