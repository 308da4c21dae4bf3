"""Feature handlers. Each feature declares a Router; `all_routers` is what the app includes, and the registry
collects every command, flow, tick, digest part, scam source and personal-data provider from these routers only."""

from __future__ import annotations

from bot.core.router import Router


def all_routers() -> list[Router]:
    from bot.app.housekeeping import router as upkeep_router
    from handlers import alerts, forget, help, invites, language, menu, onboarding
    from handlers.cameras import router as cameras_router
    from handlers.firesafety import router as firesafety_router
    from handlers.linking import router as linking_router
    from handlers.mediation import router as mediation_router
    from handlers.places import router as places_router
    from handlers.pledges import router as pledges_router
    from handlers.problems import router as problems_router
    from handlers.reports import router as reports_router
    from handlers.review import router as review_router
    from handlers.tips import router as tips_router

    return [
        upkeep_router,
        onboarding.router,
        help.router,
        menu.router,
        language.router,
        invites.router,
        forget.router,
        linking_router,
        alerts.router,
        mediation_router,
        reports_router,
        places_router,
        pledges_router,
        tips_router,
        cameras_router,
        problems_router,
        firesafety_router,
        review_router,
    ]
