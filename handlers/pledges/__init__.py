"""Household pledges ("An toàn về ANTT", Thông tư 124/2021/TT-BCA): a ward admin opens the year's campaign, group
admins keep the household lists, one member of each household signs, leaders follow coverage and export it, and
anyone can check a signature's verification code."""

from handlers.pledges.router import router

__all__ = ["router"]
