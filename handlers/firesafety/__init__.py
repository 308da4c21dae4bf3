"""Household fire safety (PCCC): the yearly checklist signed by a household, extinguisher reminders, "tổ liên gia
an toàn PCCC" and public fire points. Declared in router.py."""

from handlers.firesafety.router import router

__all__ = ["router"]
