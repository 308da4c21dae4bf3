"""Verification codes: short, unambiguous codes a signer receives and anyone may check, without personal data."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import _, fmt_date, local
from handlers.common import group_label
from models import Group, Ward
from models.pledges import PledgeCampaign, PledgeSignature, PledgeVersion

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are read aloud and typed on phones
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))


def normalize(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())[: LENGTH * 2]


def shown(code: str) -> str:
    """ "ABCD2345" → "ABCD-2345", easier to read out."""
    return f"{code[:4]}-{code[4:]}"


async def lookup(session: AsyncSession, code: str) -> dict[str, Any] | None:
    """What a code proves: the campaign, the place and the date — never the household or the signer."""
    normalized = normalize(code)
    if len(normalized) != LENGTH:
        return None
    signature = (
        await session.exec(select(PledgeSignature).where(PledgeSignature.code == normalized))
    ).first()
    if signature is None:
        return None
    campaign = await session.get(PledgeCampaign, signature.campaign_id)
    version = await session.get(PledgeVersion, signature.version_id)
    group = await session.get(Group, signature.group_id)
    ward = await session.get(Ward, group.ward_code) if group else None
    assert campaign is not None and version is not None
    return {
        "code": shown(normalized),
        "valid": signature.withdrawn_at is None,
        "campaign": campaign.title,
        "year": campaign.year,
        "version": version.number,
        "place": ", ".join(
            p for p in [await group_label(session, signature.group_id), ward.name if ward else ""] if p
        ),
        "signed_on": local(signature.signed_at).date().isoformat(),
        "withdrawn_on": local(signature.withdrawn_at).date().isoformat() if signature.withdrawn_at else None,
        "_signed_at": signature.signed_at,
        "_withdrawn_at": signature.withdrawn_at,
    }


def describe(found: dict[str, Any] | None, code: str) -> str:
    if found is None:
        return _("No pledge has the code {code}. Please check the code and try again.").format(code=code[:20])
    text = _(
        "Code {code}: a household of {place} signed “{campaign}” (text version {version}) on {date}."
    ).format(
        code=found["code"],
        place=found["place"],
        campaign=found["campaign"],
        version=found["version"],
        date=fmt_date(found["_signed_at"]),
    )
    if found["valid"]:
        return text + " " + _("The signature is valid.")
    return (
        text
        + " "
        + _("It was withdrawn on {date} and is no longer valid.").format(
            date=fmt_date(found["_withdrawn_at"])
        )
    )
