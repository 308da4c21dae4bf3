"""Zalo Official Account API v3 channel: signed webhooks in, consultation messages out, tokens kept fresh."""

from bot.channels.zalo_oa.channel import ZaloOAChannel

__all__ = ["ZaloOAChannel"]
