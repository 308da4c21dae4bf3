"""Every button of the year review. The wire strings are stored in sent messages, so a prefix or field order
never changes."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

# /tongket: the ward admin's and police's screen ------------------------------------------------------------


class ReviewFile(Payload, prefix="rvfile"):
    """The recognition file of the ward (place_id: the ward's code) or of an area, as XLSX or PDF."""

    scope: Literal["ward", "area"]
    place_id: int
    format: Literal["xlsx", "pdf"]


class AreaFiles(Payload, prefix="rvarea"):
    """Offer the two files of one area (0: list the areas)."""

    area_id: int


class ShowDrafts(Payload, prefix="rvshow:go"):
    """Show every group's draft rating to its leaders (a push to each)."""


class GroupList(Payload, prefix="rvgroups:go"):
    """Every group with its draft, proposed and final grade."""


class OpenGroup(Payload, prefix="rvgroup"):
    """One group's rating, with the police's and the ward admin's buttons."""

    group_id: int


class Grade(Payload, prefix="rvgrade"):
    """The police propose (step "propose") or the ward admin records (step "final") a group's grade."""

    step: Literal["propose", "final"]
    group_id: int
    grade: Literal["strong", "good", "fair", "weak"]


class Waiting(Payload, prefix="rvwait:go"):
    """Entered criteria waiting for the police."""


class Confirm(Payload, prefix="rvconf"):
    """The police confirm (ok) or reject an entered criterion."""

    entry_id: int
    ok: bool


class CriteriaList(Payload, prefix="rvcrit:go"):
    """The year's criteria with their legal references."""


class EditCriterion(Payload, prefix="rvedit"):
    """The ward admin opens a criterion to change its text or its threshold."""

    criterion_id: int


# /xeploai: a group leader's draft --------------------------------------------------------------------------


class PickCriterion(Payload, prefix="rvpick"):
    """The group leader chooses an entered criterion by its number in the draft (`number`, shown again), to propose
    it as met or not met."""

    criterion_id: int
    number: int


class Met(YesNo, prefix="rvmet"):
    """The leader's answer to "did your group meet this criterion this year?": a yes/no, so "có" or "chưa" typed
    answers it too."""

    criterion_id: int


class Propose(Payload, prefix="rvent"):
    """The group leader proposes an entered criterion as met or not met for their group (the buttons of drafts
    sent before the criteria were chosen by number: such a message may still be answered)."""

    criterion_id: int
    met: bool


class Comment(Payload, prefix="rvcomment:go"):
    """The group leader comments on the draft."""


class Nominate(Payload, prefix="rvnom:go"):
    """The group leader proposes a household or a person for recognition."""


# /tongket: the standard of each residential area and of the ward --------------------------------------------


class PlaceList(Payload, prefix="rvplaces:go"):
    """The areas and the ward, each with whether it meets the standard so far."""


class OpenPlace(Payload, prefix="rvplace"):
    """One area's (or the ward's) criteria, with the police's and the ward admin's buttons."""

    kind: Literal["area", "ward"]
    place_id: int


class Standard(Payload, prefix="rvstd"):
    """The police propose (step "propose") or the ward admin records (step "final") whether a place meets the
    standard "An toàn về an ninh, trật tự"."""

    step: Literal["propose", "final"]
    kind: Literal["area", "ward"]
    place_id: int
    meets: bool


class FillCriterion(Payload, prefix="rvfill"):
    """The police enter (the ward admin proposes) a criterion no figure measures for an area or the ward; `number`
    is its number on the place's screen, shown again."""

    kind: Literal["area", "ward"]
    place_id: int
    criterion_id: int
    number: int


class PlaceMet(YesNo, prefix="rvpmet"):
    """Whether the area or the ward met the criterion this year: a yes/no, so "có" or "chưa" typed answers it."""

    kind: Literal["area", "ward"]
    place_id: int
    criterion_id: int


class EditText(Payload, prefix="rvtext"):
    """The ward admin writes a new version of the criterion's text."""

    criterion_id: int


class EditThreshold(Payload, prefix="rvthr"):
    """The ward admin changes the threshold of a computed criterion."""

    criterion_id: int
