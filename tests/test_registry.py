"""Every extension point comes from an included router, every table that holds a person's id is exported and
erased by someone (/toi, /xoadulieu), and every kind of button has a wire prefix of its own."""

from __future__ import annotations

import dataclasses
import itertools
import re
import typing
from datetime import timedelta

import pytest
from sqlalchemy import Integer
from sqlmodel import SQLModel

import bot.extensions.digest_sections
import bot.extensions.personal_data
import bot.extensions.scam_sources
import bot.extensions.ticks
import models
from bot.core.payloads import Payload, YesNo
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
    every = [each for r in routers for each in r.walk()]  # the features' routers and the ones they include
    declared = {
        "ticks": [t for r in every for t in r.ticks],
        "digest_sections": [s for r in every for s in r.digest_sections],
        "digest_columns": [c for r in every for c in r.digest_columns],
        "scam_sources": [s for r in every for s in r.scam_sources.values()],
        "personal_data": [p for r in every for p in r.providers],
        "year_figures": [f for r in every for f in r.year_figures],
    }
    for kind, items in declared.items():
        found = list(getattr(registry, kind).values())
        assert sorted(map(id, found)) == sorted(map(id, items)), kind
        assert found, f"no {kind} declared at all"
    intents = [i for r in every for i in r.intent_list]
    menu = [e for r in every for e in r.menu_entries]
    assert sorted(map(id, registry.reader.intents)) == sorted(map(id, intents)) and intents
    assert sorted(map(id, registry.menu)) == sorted(map(id, menu)) and menu
    assert {"togiac", "kiemtra", "hoagiai", "camket", "tracuu"} <= {i.command for i in intents}
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
    assert set(registry.personal_data) == {
        "tips",
        "alerts",
        "pledges",
        "mediation",
        "reports",
        "linking",
        "places",
        "problems",
        "review",
        "cameras",
        "firesafety",
        "tip_rewards",
    }

    # Only included routers count: the tips router alone brings no alert, no upkeep tick, no pledge provider.
    tips = next(r for r in routers if r.name == "tips")
    alone = Registry([tips])
    assert set(alone.ticks) == {"tips.clocks", "tips.retention"} and set(alone.scam_sources) == {"tip"}
    assert set(alone.personal_data) == {"tips", "tip_rewards"}
    # No alert's or mediation's words.
    assert {i.command for i in alone.reader.intents} == {"togiac", "tracuu", "tinbao", "rutlai"}
    assert {e.command for e in alone.menu} == {"togiac", "tracuu", "tinbao"}


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


def test_every_extension_point_comes_from_a_router_reachable_from_all_routers() -> None:
    """Features declare on their router.py and include their modules' routers: whatever the registry holds must
    come from a router that all_routers() reaches, and everything those routers declare must be in it."""
    routers = all_routers()
    reachable = [each for router in routers for each in router.walk()]
    assert len(reachable) > len(routers)  # the features' module routers are included, not only the top ones
    registry = Registry(routers)
    declared = {
        "ticks": [t for r in reachable for t in r.ticks],
        "digest_sections": [s for r in reachable for s in r.digest_sections],
        "digest_columns": [c for r in reachable for c in r.digest_columns],
        "scam_sources": [s for r in reachable for s in r.scam_sources.values()],
        "personal_data": [p for r in reachable for p in r.providers],
        "year_figures": [f for r in reachable for f in r.year_figures],
        "flows": [f for r in reachable for f in r.flows.values()],
        "choices": [h for r in reachable for h in r.choice_handlers.values()],
    }
    for kind, items in declared.items():
        found = list(getattr(registry, kind).values())
        assert found, f"no {kind} declared at all"
        assert sorted(map(id, found)) == sorted(map(id, items)), kind
    assert {c.handler for c in registry.commands.values()} == {
        c.handler for r in reachable for c in r.commands
    }
    for flow in declared["flows"]:
        flow.check()  # steps registered after the router declared the flow would show here


def payload_kinds() -> list[type[Payload]]:
    """Every kind of button the features define (the features' modules are imported by all_routers()), and the
    default yes/no question that they may use as it is."""
    all_routers()
    found: list[type[Payload]] = []
    todo: list[type[Payload]] = [Payload]
    while todo:
        for kind in todo.pop().__subclasses__():
            found.append(kind)
            todo.append(kind)
    return [k for k in found if k.__module__.startswith("handlers.") or k is YesNo]


def feature_of(kind: type[Payload]) -> str:
    """handlers.tips.buttons → "tips"; the single-module core handlers (onboarding, forget, …) are one feature."""
    parts = kind.__module__.split(".")
    return parts[1] if len(parts) > 2 else "core"


def samples(kind: type[Payload]) -> list[Payload]:
    """A few buttons of `kind`, one per value of a yes/no, literal or enum field, built from its field types."""
    hints = typing.get_type_hints(kind)
    options: list[list[object]] = []
    for field in dataclasses.fields(kind):
        hint = hints[field.name]
        if hint is bool:
            options.append([True, False])
        elif hint is int:
            options.append([7])
        elif hint is str:
            options.append(["x7"])
        elif typing.get_origin(hint) is typing.Literal:
            options.append(list(typing.get_args(hint)))
        else:
            options.append(list(hint))  # an Enum
    return [kind(*values) for values in itertools.product(*options)]


def test_no_kind_of_button_reads_another_kinds_buttons() -> None:
    """Within a feature, a button of one kind never reads as another kind (an old button of one question would
    answer another); kinds of different features may share a prefix ("cat" of tips and of alerts), since a flow
    takes only the buttons it offered and out-of-flow handlers are keyed by a prefix the registry keeps unique."""
    kinds = payload_kinds()
    assert {"yn", "lang", "consent", "forget", "role", "pushto", "linkgrp", "cat", "tipp:open"} <= {
        k.prefix for k in kinds
    }  # the walk finds them
    confused = []
    for kind in kinds:
        for button in samples(kind):
            packed = button.pack()
            for other in kinds:
                if (
                    other is not kind
                    and feature_of(other) == feature_of(kind)
                    and other.unpack(packed) is not None
                ):
                    confused.append(
                        f"{packed!r}: {kind.__qualname__} read as {other.__module__}.{other.__qualname__}"
                    )
    assert not confused, confused


def test_every_figure_the_default_criteria_measure_is_declared_by_a_feature() -> None:
    """The year's review (handlers/review/criteria.toml) names figures that other features declare: a renamed or
    dropped figure would silently read as "no data" in every ward's file."""
    from handlers.review.criteria import defaults

    declared = set(Registry(all_routers()).year_figures)
    named = {item["figure"] for item in defaults() if item.get("figure")}
    assert named and named <= declared, named - declared


def test_every_form_step_that_reads_files_says_so() -> None:
    """A step that reads a photo or file itself is registered with `files=True`; any other step has a photo sent to
    it kept by its form or said not kept (bot.core.forms.files_beside). A step that reads files without saying so
    would never see them (the alert's photo step did, until this test)."""
    import ast
    from pathlib import Path

    unmarked = []
    for path in Path("handlers").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", None) == "on"):
                    continue
                reads = any(
                    (isinstance(n, ast.Attribute) and (n.attr == "attachments" or (n.attr == "MEDIA")))
                    for n in ast.walk(node)
                )
                marked = any(
                    k.arg == "files" and getattr(k.value, "value", False) is True for k in decorator.keywords
                )
                if reads and not marked:
                    unmarked.append(f"{path}:{node.lineno} {node.name}")
    assert not unmarked, unmarked
