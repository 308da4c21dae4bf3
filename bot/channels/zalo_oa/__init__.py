"""Zalo Official Account API v3 channel: signed webhooks in, consultation messages out, tokens kept fresh
(`channel.ZaloOAChannel`). Nothing is imported here, so that the wire module (`api`) can be used by the outbox
sender without loading the channel, which itself sends through the outbox."""
