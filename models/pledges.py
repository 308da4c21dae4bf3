"""The yearly household pledge ("An toàn về ANTT", Thông tư 124/2021/TT-BCA): campaigns, their frozen texts,
area registrations, who belongs to which household, and the signatures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class PledgeCampaign(SQLModel, table=True):
    """One ward's pledge campaign of one year, for the whole ward or for some of its areas."""

    __tablename__ = "pledge_campaign"
    __table_args__ = (UniqueConstraint("ward_code", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    year: int
    title: str
    starts_on: date
    ends_on: date  # inclusive, in the ward's local calendar
    area_ids: list[int] = json_column([])  # empty: every area of the ward
    created_by: int | None = None
    created_at: datetime = timestamp()


class PledgeVersion(SQLModel, table=True):
    """A frozen pledge text. Editing a campaign's text adds a version; signatures point at the one they signed."""

    __tablename__ = "pledge_version"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="pledge_campaign.id", index=True)
    number: int
    text: str
    created_by: int | None = None
    created_at: datetime = timestamp()


class PledgeAreaRegistration(SQLModel, table=True):
    """An area's "bản đăng ký": its leader registers it to be recognised as safe this year."""

    __tablename__ = "pledge_area_registration"
    __table_args__ = (UniqueConstraint("campaign_id", "area_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="pledge_campaign.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    registered_by: int | None = None  # person id; cleared when that person erases their data
    households: int  # households of the area when it registered
    registered_at: datetime = timestamp()


class HouseholdMember(SQLModel, table=True):
    """A registered resident who belongs to a household: asked by the resident or added by the group admin."""

    __tablename__ = "household_member"
    __table_args__ = (UniqueConstraint("household_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    confirmed_at: datetime | None = None  # None: waiting for the group admin
    confirmed_by: int | None = None
    requested_at: datetime = timestamp()


class PledgeSignature(SQLModel, table=True):
    """A household's signature of a campaign. At most one is active per household and campaign (`active_key`)."""

    __tablename__ = "pledge_signature"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="pledge_campaign.id", index=True)
    version_id: int = Field(foreign_key="pledge_version.id")
    household_id: int | None = Field(
        default=None, foreign_key="household.id", index=True
    )  # None: household removed
    group_id: int = Field(
        foreign_key="community_group.id", index=True
    )  # where it was signed, kept for the record
    address: str  # the household as signed, kept when the household list changes
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)  # None after /forget
    signer_name: str
    code: str = Field(unique=True)
    signed_at: datetime = timestamp()
    withdrawn_at: datetime | None = None
    # "<campaign>:<household>" while active, NULL once withdrawn: a unique column both databases enforce.
    active_key: str | None = Field(default=None, unique=True)
