"""Feature handlers. Each module declares a Router; `all_routers` is what the app includes."""

from __future__ import annotations

from bot.core.router import Router


def all_routers() -> list[Router]:
    import bot.housekeeping  # noqa: F401 - registers the core upkeep ticks
    from handlers import forget, help, invites, language, onboarding

    return [onboarding.router, help.router, language.router, invites.router, forget.router]
