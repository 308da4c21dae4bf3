"""The review feature's table of contents: its router and everything it declares."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.router import Router
from bot.i18n import N_
from handlers.review import privacy, ticks
from handlers.review.flows import leader, notes, overview, ratings
from models import Role

router = Router("review")
router.include(
    overview.router,  # /tongket: progress, the recognition files, showing drafts, the criteria
    ratings.router,  # the groups' ratings and the entries waiting for the police (from /tongket)
    leader.router,  # /xeploai: a group leader's draft
)

router.flow(overview.editing)  # the ward admin edits a criterion's text (a new version)
router.flow(overview.thresholds)  # ... or the threshold of a computed one
router.flow(leader.nominating)  # a leader proposes a household or person for recognition
router.flow(notes.flow)  # the note every decision carries

router.tick("review.year_end", every=timedelta(hours=6))(ticks.remind)
router.personal_data(
    "review", tables=privacy.TABLES, export=privacy.export, erase=privacy.erase, summary=privacy.summary
)

# Used around the year's end: behind the entries of every day (a full menu points to /trogiup).
router.menu("tongket", label=N_("The year in review"), order=80, roles=[Role.WARD_ADMIN, Role.POLICE])
router.menu("xeploai", label=N_("Our group's rating"), order=80, roles=[Role.GROUP_ADMIN])
router.intents(Path(__file__).with_name("intents.toml"))
