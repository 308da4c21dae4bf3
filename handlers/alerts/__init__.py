"""Alerts about criminal methods: leaders and police compose and target them, the outbox delivers them, residents
acknowledge and list them, and /kiemtra checks a suspicious message against them."""

from handlers.alerts.router import router

__all__ = ["router"]
