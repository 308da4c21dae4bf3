"""Every button of the pledges feature. The wire strings are stored in sent messages and conversation state, so a
prefix or field order never changes."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

# /chiendich: opening a campaign and editing its text ----------------------------------------------------------


class EditPledgeText(Payload, prefix="pcamp:edit"):
    """The ward admin starts a new version of a campaign's pledge text."""

    campaign_id: int


class ShowPledgeText(Payload, prefix="pcamp:show"):
    """The ward admin reads a campaign's current pledge text."""

    campaign_id: int


class UseSuggestedTitle(Payload, prefix="ptitle:default"):
    """The campaign takes the suggested title."""


class UseSuggestedText(Payload, prefix="ptext:default"):
    """The campaign takes the suggested pledge text (Circular 124's five criteria)."""


class UseSuggestedDates(Payload, prefix="pdates:default"):
    """Households may sign during the first quarter of the campaign's year."""


class WholeWard(Payload, prefix="pscope:all"):
    """The campaign covers the whole ward."""


class ScopeDone(Payload, prefix="pscope:done"):
    """The campaign covers only the areas ticked so far."""


class ScopeArea(Payload, prefix="pscope"):
    """Tick or untick one area of the campaign's scope."""

    area_id: int


class OpenCampaign(YesNo, prefix="popen"):
    """Open the campaign as summed up, or open nothing."""


# /hogiadinh: a group admin's household list ------------------------------------------------------------------


class PickGroup(Payload, prefix="phgroup"):
    """Which of the admin's groups' household list to keep."""

    group_id: int


class HouseholdMenu(Payload, prefix="phh"):
    """An action of the household list's menu."""

    action: Literal["list", "add", "edit", "remove", "import", "pending", "done"]


class PickHousehold(Payload, prefix="phpick"):
    """The household to edit or remove, among those matching what the admin typed."""

    household_id: int


class RemoveHousehold(YesNo, prefix="phrm"):
    """Remove the household from the list, or keep it."""


# /hocuatoi: a resident joins a household, the group admin decides --------------------------------------------


class JoinHousehold(Payload, prefix="phjoin"):
    """The household the resident asks to be linked to."""

    household_id: int


class NotListed(Payload, prefix="phjoin:none"):
    """The resident's household is not on the group's list: their group leader is asked to add it."""


class MemberDecision(Payload, prefix="phm"):
    """The group admin confirms ("ok") or declines ("no") a resident's request to join a household. The request
    is named with the person who made it: on SQLite a request declined (its row deleted) or folded away by
    linking may see its number given again to the next request, which its old button must not answer."""

    answer: Literal["ok", "no"]
    member_id: int
    person_id: int


class EarlierMemberDecision(Payload, prefix="phm"):
    """A request's button sent before MemberDecision named the person: which request it meant cannot be told."""

    answer: Literal["ok", "no"]
    member_id: int


class LeaveHousehold(Payload, prefix="phleave:go"):
    """The resident lives in another household now: their links end and they choose the new one."""


# /dangky: an area registers for the campaign -----------------------------------------------------------------


class RegisterArea(Payload, prefix="preg"):
    """The area the leader registers."""

    area_id: int


class ConfirmRegistration(YesNo, prefix="pregok"):
    """Register the area, or register nothing."""


# /baophu: coverage -------------------------------------------------------------------------------------------


class Export(Payload, prefix="pexp"):
    """The coverage list of the campaign shown now, as a file of this format (buttons sent before ExportYear)."""

    format: Literal["csv", "xlsx"]


class ExportYear(Payload, prefix="pexp"):
    """The coverage list of the year's campaign the screen showed, as a file of this format: pressed after
    midnight on 31 December, it is still that year's list, not the new campaign's."""

    format: Literal["csv", "xlsx"]
    year: int


# /camket: signing and withdrawing ----------------------------------------------------------------------------


class ReadPledge(YesNo, prefix="pread"):
    """The signer has read the pledge, or stops for now."""


class SignForHousehold(Payload, prefix="phsign"):
    """The household the signer signs for."""

    household_id: int


class NotMyHousehold(Payload, prefix="phsign:none"):
    """None of the households offered is the signer's: nothing is signed."""


class SignPledge(YesNo, prefix="psign"):
    """Sign the pledge now, or sign nothing."""


class Withdraw(Payload, prefix="pwd"):
    """Ask to withdraw this signature (a confirmation follows)."""

    signature_id: int


class ConfirmWithdraw(Payload, prefix="pwdok"):
    """Withdraw this signature for good."""

    signature_id: int


class KeepSignature(Payload, prefix="pwdok:no"):
    """Do not withdraw the signature after all."""
