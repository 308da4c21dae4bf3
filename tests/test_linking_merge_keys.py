"""Merging two people never breaks a unique key: every key that holds a person is folded (checked against the
tables themselves, so a new table cannot be forgotten), and the folding keeps what a ward would keep."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint
from sqlmodel import SQLModel, select

from bot.security import new_code
from handlers.linking.merge import folded_keys, merge_people, person_columns, unique_person_keys
from models import (
    Alert,
    AlertAck,
    Group,
    GroupJoin,
    Household,
    Invite,
    MediationCase,
    MediationParty,
    MediationSession,
    Person,
)
from models.pledges import HouseholdMember
from models.zalo import ZnsConsent
from tests.databases import DEMO_WARD

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

# Columns whose name says "person" but hold something else; add here only after checking the model.
NOT_PEOPLE = {("outbox", "claimed_by"), ("tick_run", "claimed_by")}  # a worker's name


def test_every_unique_key_holding_a_person_is_folded_by_the_merge() -> None:
    """Fails when a table gains a unique key over a person column that merge.FOLDS does not resolve: the merge
    would then fail with an IntegrityError for anyone holding such a row on both accounts."""
    assert unique_person_keys(SQLModel.metadata) == folded_keys()


def test_the_key_finder_sees_a_new_table_with_a_unique_person_column() -> None:
    """The guard above is only as good as unique_person_keys: it must see each kind of unique key."""
    metadata = MetaData()
    Table("person", metadata, Column("id", Integer, primary_key=True))
    Table(
        "badge",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey("person.id")),
        Column("kind", String),
        UniqueConstraint("owner_id", "kind"),
    )
    Table("nickname", metadata, Column("person_id", ForeignKey("person.id"), primary_key=True))
    Table(
        "pin",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("holder", ForeignKey("person.id"), unique=True),
    )
    found = unique_person_keys(metadata)
    assert found == {
        ("badge", frozenset({"owner_id", "kind"})),
        ("nickname", frozenset({"person_id"})),
        ("pin", frozenset({"holder"})),
    }


def test_every_column_named_for_a_person_is_moved_by_the_merge() -> None:
    """A person column without a foreign key (`…_by`, `…person_id`, `actor_id`, `author_id`) must be listed in
    merge.SOFT_REFERENCES, or the merged person's records keep pointing at a deleted person."""
    moved = {(table.name, column.name) for table, column in person_columns(SQLModel.metadata)}
    named = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if re.fullmatch(r"(\w+_)?person_id|\w+_by|actor_id|author_id|requester_id|mediator_id", column.name)
    }
    assert named - moved - NOT_PEOPLE == set()


async def add(session: Any, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def test_merge_folds_every_row_both_people_hold(town: Any) -> None:
    """Both accounts asked for one household (confirmed on the one that goes), used one join link, read one
    alert, gave a ZNS phone and answered one mediation session: one row of each is left, the stronger one."""
    async with town.app.db.session() as session:
        keep = await add(session, Person(display_name="Hùng", consented_at=T0, consent_version="1"))
        gone = await add(session, Person(display_name="Hùng", consented_at=T0, consent_version="1"))
        group = (await session.exec(select(Group).where(Group.name == "Tổ 3"))).first()
        house = (await session.exec(select(Household).where(Household.group_id == group.id))).first()
        session.add(
            HouseholdMember(household_id=house.id, person_id=keep.id, requested_at=T0 + timedelta(days=3))
        )
        session.add(
            HouseholdMember(
                household_id=house.id, person_id=gone.id, requested_at=T0, confirmed_at=T0 + timedelta(days=1)
            )
        )
        invite = await add(
            session,
            Invite(
                code_hash=new_code(),
                role="resident",
                ward_code=DEMO_WARD,
                group_id=group.id,
                expires_at=T0,
                max_uses=50,
            ),
        )
        session.add(
            GroupJoin(
                invite_id=invite.id, person_id=keep.id, group_id=group.id, joined_at=T0 + timedelta(days=2)
            )
        )
        session.add(GroupJoin(invite_id=invite.id, person_id=gone.id, group_id=group.id, joined_at=T0))
        alert = await add(
            session,
            Alert(
                ward_code=DEMO_WARD,
                province_code=1,
                author_role="police",
                issuer="Phường",
                category="scam",
                severity="urgent",
                title="Lừa đảo",
                body="...",
                search_folded="lua dao",
                send_at=T0,
                scope="ward",
            ),
        )
        session.add(AlertAck(alert_id=alert.id, person_id=keep.id, at=T0 + timedelta(hours=5)))
        session.add(AlertAck(alert_id=alert.id, person_id=gone.id, at=T0 + timedelta(hours=1)))
        session.add(ZnsConsent(person_id=keep.id, phone="old", consented_at=T0))
        session.add(ZnsConsent(person_id=gone.id, phone="new", consented_at=T0 + timedelta(days=9)))
        case = await add(
            session,
            MediationCase(
                ward_code=DEMO_WARD,
                requester_id=keep.id,
                requester_name="Hùng",
                kind="noise",
                description="ồn",
            ),
        )
        session.add(MediationParty(case_id=case.id, name="Hùng", name_folded="hung", person_id=gone.id))
        meeting = await add(
            session,
            MediationSession(
                case_id=case.id,
                starts_at=T0 + timedelta(days=20),
                place="Nhà văn hóa",
                responses={
                    str(keep.id): {"answer": "change", "note": "bận", "at": T0.isoformat()},
                    str(gone.id): {"answer": "yes", "at": (T0 + timedelta(days=1)).isoformat()},
                },
            ),
        )
        await session.commit()
        keep_id, gone_id, meeting_id, case_id = keep.id, gone.id, meeting.id, case.id

    async with town.app.db.session() as session:
        keep = await session.get(Person, keep_id)
        gone = await session.get(Person, gone_id)
        await merge_people(session, keep, gone)
        await session.commit()

    async with town.app.db.session() as session:
        (member,) = (await session.exec(select(HouseholdMember))).all()
        assert (member.person_id, member.confirmed_at, member.requested_at) == (
            keep_id,
            T0 + timedelta(days=1),
            T0,
        )
        (joined,) = (await session.exec(select(GroupJoin).where(GroupJoin.invite_id == invite.id))).all()
        assert (joined.person_id, joined.joined_at) == (keep_id, T0)
        (ack,) = (await session.exec(select(AlertAck))).all()
        assert (ack.person_id, ack.at) == (keep_id, T0 + timedelta(hours=1))
        (consent,) = (await session.exec(select(ZnsConsent))).all()
        assert (consent.person_id, consent.phone) == (keep_id, "new")
        meeting = await session.get(MediationSession, meeting_id)
        assert meeting.responses == {
            str(keep_id): {"answer": "yes", "at": (T0 + timedelta(days=1)).isoformat()}
        }
        (party,) = (await session.exec(select(MediationParty).where(MediationParty.case_id == case_id))).all()
        assert party.person_id == keep_id and await session.get(Person, gone_id) is None
