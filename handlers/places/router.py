"""The places feature's table of contents: everything it plugs into the app."""

from __future__ import annotations

from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.places import privacy
from handlers.places.flows import (  # the places_* modules add /diaban's other screens to places.flow
    links,
    places,
    places_import,  # noqa: F401
    places_merge,  # noqa: F401
    places_names,  # noqa: F401
    places_pick,  # noqa: F401
    regroup,
)
from models import GroupJoin, Role

router = Router("places")
router.include(places.router, links.router, regroup.router)

router.flow(places.flow)  # /diaban: the ward admin's areas, groups, leaders and imports
router.flow(links.flow)  # /linknhom: a group's reusable join links
router.flow(regroup.flow)  # a new group for the people of a retired one
router.intents(Path(__file__).with_name("intents.toml"))
# First for the ward admin: a ward set up outside the demo starts here, and before it was reachable only as /diaban.
router.menu("diaban", label=N_("Areas and groups of the ward"), order=10, roles=[Role.WARD_ADMIN])

router.personal_data(
    "places",
    tables=(GroupJoin,),
    export=privacy.export_joins,
    erase=privacy.erase_joins,
    summary=privacy.summary,
)
