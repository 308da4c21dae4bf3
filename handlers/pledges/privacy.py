"""What the pledge feature holds about a person, for /toi (/me) and /xoadulieu (/forget).

Erasing (Law 91/2025): links to households are deleted. A signature of a campaign that is still open is
withdrawn and deleted with the signer's name — nothing has been filed yet, and the household can sign again: its
other members are told so, with a button to sign (the leader's coverage never drops unannounced). A
signature of a campaign that has ended is the household's pledge on the ward's record (the list it files for
recognition under Circular 124): it keeps the name typed as the signature, but is no longer linked to the account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.menu import command_payload
from bot.core.replies import Choice, Reply
from bot.db import execute
from bot.delivery.outbox import enqueue_to_person
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_date
from handlers.pledges.store import household_people, is_open
from handlers.pledges.texts import household_label
from handlers.pledges.verify import shown
from models import Household, Person, Priority
from models.pledges import (
    HouseholdMember,
    PledgeAreaRegistration,
    PledgeCampaign,
    PledgeSignature,
    PledgeVersion,
)

# Every table of the feature that holds a person's id (checked by a test against the models).
TABLES = (PledgeSignature, HouseholdMember, PledgeAreaRegistration, PledgeCampaign, PledgeVersion)


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    signatures = (
        await session.exec(
            select(PledgeSignature, PledgeCampaign)
            .join(PledgeCampaign, col(PledgeCampaign.id) == col(PledgeSignature.campaign_id))
            .where(PledgeSignature.person_id == person.id)
            .order_by(col(PledgeSignature.id))
        )
    ).all()
    links = (
        await session.exec(
            select(HouseholdMember, Household)
            .join(Household, col(Household.id) == col(HouseholdMember.household_id))
            .where(HouseholdMember.person_id == person.id)
        )
    ).all()
    data: dict[str, Any] = {}
    if signatures:
        data["signatures"] = [
            {
                "campaign": c.title,
                "household": s.address,
                "signer_name": s.signer_name,
                "signed_at": s.signed_at,
                "withdrawn_at": s.withdrawn_at,
                "code": shown(s.code),
            }
            for s, c in signatures
        ]
    if links:
        data["households"] = [
            {"household": household_label(h), "confirmed": m.confirmed_at is not None} for m, h in links
        ]
    return data


async def erase(session: AsyncSession, person: Person) -> list[str]:
    notes: list[str] = []
    signatures = (
        await session.exec(
            select(PledgeSignature, PledgeCampaign)
            .join(PledgeCampaign, col(PledgeCampaign.id) == col(PledgeSignature.campaign_id))
            .where(PledgeSignature.person_id == person.id)
        )
    ).all()
    for signature, campaign in signatures:
        if is_open(campaign):
            await session.delete(signature)
            # Not kept (nothing is filed while the campaign is open), so no note under what could not be
            # erased; the household is asked instead to sign again.
            await ask_to_sign_again(session, signature, campaign, person)
        else:
            signature.person_id = None
            session.add(signature)
            notes.append(
                _(
                    "The pledge signed for the household at {address} in “{title}” stays on the ward's record "
                    "with the name typed as the signature ({name}); it is no longer linked to you."
                ).format(address=signature.address, title=campaign.title, name=signature.signer_name)
            )
    await execute(session, delete(HouseholdMember).where(col(HouseholdMember.person_id) == person.id))
    await unlink(
        session,
        person,
        PledgeAreaRegistration.registered_by,
        HouseholdMember.confirmed_by,
        PledgeCampaign.created_by,
        PledgeVersion.created_by,
    )
    await session.flush()
    return notes


async def ask_to_sign_again(
    session: AsyncSession, signature: PledgeSignature, campaign: PledgeCampaign, person: Person
) -> None:
    """The household's pledge went with the signer's data: its other members are told it must be signed again
    (one press), so coverage never drops unannounced."""
    if signature.household_id is None:
        return
    members = await household_people(session, signature.household_id, but=person.id)

    def render() -> Reply:
        return Reply(
            _(
                "The pledge “{title}” signed for your household {address} was withdrawn: the person who signed "
                "it has erased their data from An Dân. Please sign it again for the household; signing is open "
                "until {end}."
            ).format(title=campaign.title, address=signature.address, end=fmt_date(campaign.ends_on)),
            (Choice(_("Sign the pledge again"), command_payload("camket")),),
        )

    for member in members:
        await enqueue_to_person(
            session,
            member,
            render,
            kind="pledge_resign",
            priority=Priority.NOTICE,
            dedupe_key=f"pledge-resign:{campaign.id}:{signature.household_id}:{member.id}:{signature.id}",
            source_kind="household",
            source_id=str(signature.household_id),
        )


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: the pledges signed and the households linked, in sentences."""
    data = await export(session, person)
    lines = []
    for s in data.get("signatures", []):
        text = _("You signed “{campaign}” for the household at {address} on {when} (code {code}).").format(
            campaign=s["campaign"], address=s["household"], when=fmt_date(s["signed_at"]), code=s["code"]
        )
        if s["withdrawn_at"]:
            text += " " + _("The signature was withdrawn on {when}.").format(when=fmt_date(s["withdrawn_at"]))
        lines.append(text)
    if data.get("households"):
        lines.append(
            _("Households linked to you: {households}.").format(
                households="; ".join(
                    h["household"]
                    if h["confirmed"]
                    else _("{household} (not confirmed yet)").format(household=h["household"])
                    for h in data["households"]
                )
            )
        )
    return lines
