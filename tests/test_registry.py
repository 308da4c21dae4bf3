"""Every extension point comes from an included router, and every table that holds a person's id is exported and
erased by someone (/toi, /xoadulieu)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Integer
from sqlmodel import SQLModel

import bot.extensions.digest_sections
import bot.extensions.personal_data
import bot.extensions.scam_sources
import bot.extensions.ticks
import models
from bot.core.router import Registry, Router
from handlers import all_routers
from handlers.forget import ACCOUNT_TABLES

# Columns that record a person without a foreign key (who created, confirmed, granted, proposed, wrote).
ACTOR_COLUMN = re.compile(r"(person_id|_by|author_id|actor_id)$")


def person_tables() -> set[str]:
    """Every table with a column that holds a person's id."""
    found = set()
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if any(fk.column.table.name == "person" for fk in column.foreign_keys) or (
                isinstance(column.type, Integer) and ACTOR_COLUMN.search(column.name)
            ):
                found.add(table.name)
    return found | {"person"}


def test_every_table_holding_a_person_is_covered_by_a_personal_data_provider() -> None:
    assert models  # every table is defined
    registry = Registry(all_routers())
    covered = {t.__tablename__ for p in registry.personal_data.values() for t in p.tables}  # type: ignore[attr-defined]
    covered |= {t.__tablename__ for t in ACCOUNT_TABLES}  # type: ignore[attr-defined]
    missing = person_tables() - covered
    assert not missing, f"tables holding a person's id without a personal-data provider: {sorted(missing)}"
    # A provider names only tables that really hold a person (a stale declaration hides a missing one).
    assert covered <= person_tables(), sorted(covered - person_tables())


def test_the_registry_holds_what_the_included_routers_declare_and_nothing_else() -> None:
    routers = all_routers()
    registry = Registry(routers)
    declared = {
        "ticks": [t for r in routers for t in r.ticks],
        "digest_sections": [s for r in routers for s in r.digest_sections],
        "digest_columns": [c for r in routers for c in r.digest_columns],
        "scam_sources": [s for r in routers for s in r.scam_sources.values()],
        "personal_data": [p for r in routers for p in r.providers],
    }
    for kind, items in declared.items():
        found = list(getattr(registry, kind).values())
        assert sorted(map(id, found)) == sorted(map(id, items)), kind
        assert found, f"no {kind} declared at all"
    # The features' extension points are all there (a router that forgot to declare one shows here).
    assert {
        "tips.clocks",
        "digest.weekly",
        "core.processed_updates",
        "pledge_reminders",
        "reports.reminders",
        "mediation_reminders",
        "alerts.release",
        "linking.purge_codes",
    } <= set(registry.ticks)
    assert set(registry.scam_sources) == {"alert", "tip"}
    assert set(registry.personal_data) == {"tips", "alerts", "pledges", "mediation", "reports", "linking"}

    # Only included routers count: the tips router alone brings no alert, no upkeep tick, no pledge provider.
    tips = next(r for r in routers if r.name == "tips")
    alone = Registry([tips])
    assert set(alone.ticks) == {"tips.clocks", "tips.retention"} and set(alone.scam_sources) == {"tip"}
    assert set(alone.personal_data) == {"tips"}


def test_nothing_registers_itself_by_being_imported() -> None:
    """The module-level registries are gone: a feature's extension points exist only on its router."""
    for module, name in [
        (bot.extensions.ticks, "TICKS"),
        (bot.extensions.digest_sections, "SECTIONS"),
        (bot.extensions.digest_sections, "COLUMNS"),
        (bot.extensions.scam_sources, "SOURCES"),
        (bot.extensions.personal_data, "PROVIDERS"),
    ]:
        assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_a_name_declared_twice_is_refused() -> None:
    async def job(_app: object) -> None:
        return None

    first, second = Router("one"), Router("two")
    first.tick("same", every=timedelta(hours=1))(job)
    second.tick("same", every=timedelta(hours=1))(job)
    with pytest.raises(ValueError, match="tick same declared twice"):
        Registry([first, second])


def test_a_flow_whose_named_steps_and_functions_disagree_is_refused() -> None:
    from bot.core.flow import Flow, finish

    form = Flow("form", steps=("first", "second"))

    @form.ask("first")
    async def ask_first(_ctx: object) -> None:
        return None

    @form.on("first")
    async def on_first(_ctx: object):  # type: ignore[no-untyped-def]
        return finish()

    with pytest.raises(ValueError, match=r"\['second'\]"):  # named, but nothing asks or handles it
        Router("r").flow(form)

    @form.ask("third")  # registered, but not named
    async def ask_third(_ctx: object) -> None:
        return None

    with pytest.raises(ValueError, match="third"):
        Router("r").flow(form)
    with pytest.raises(ValueError, match="named once each"):
        Flow("twice", steps=("a", "a"))
