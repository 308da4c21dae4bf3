"""Per-feature routers: everything one feature plugs into the app, declared in one place.

A router carries the feature's commands, flows and choice handlers, and its other extension points: scheduled
ticks, weekly-digest sections and group columns, scam-check sources, personal-data providers (what /toi shows and
/xoadulieu erases), figures for the year's review and web pages. The registry collects them from the routers the
app includes and from nowhere else: nothing registers itself by being imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.flow import Flow
from bot.core.intent_data import Detector, Intent, load
from bot.core.intents import Reader
from bot.core.menu import MenuEntry
from bot.core.payloads import Payload
from bot.extensions.digest_sections import Column, GroupColumnFn, Registered, SectionFn
from bot.extensions.personal_data import EraseFn, ExportFn, ForgetChatsFn, Provider, SummaryFn
from bot.extensions.scam_sources import SourceFn
from bot.extensions.ticks import Tick, TickFn
from bot.extensions.year_figures import FigureFn, Unit, YearFigure

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.core.context import Context

Handler = Callable[["Context"], Awaitable[None]]
# Says whether it took "I have read it" typed with no button on offer (bot.core.understand).
ReadSaid = Callable[["Context"], Awaitable[bool]]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]  # Vietnamese-without-accents name first, then aliases
    handler: Handler
    help: str  # an N_() marked string, translated when shown
    roles: frozenset[str] | None  # None: anyone; otherwise any of these roles
    needs_person: bool
    private_only: bool
    in_menu: bool
    private: bool = False  # its messages are kept unlinkable to the person's account (see Flow.private)
    # Typed in the middle of a form, it does not replace the form: the form is set aside while its own flow runs
    # (/ngonngu: switching language to read a question better) and taken up again at the same question.
    beside_form: bool = False

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass
class Router:
    name: str
    commands: list[Command] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    choice_handlers: dict[str, Handler] = field(default_factory=dict)
    # Web pages a feature serves beside the chat (e.g. checking a pledge code), mounted by bot/app/server.py.
    http_routes: Callable[[App], list[web.RouteDef]] | None = None
    ticks: list[Tick] = field(default_factory=list)
    digest_sections: list[Registered] = field(default_factory=list)
    digest_columns: list[Column] = field(default_factory=list)
    scam_sources: dict[str, SourceFn] = field(default_factory=dict)
    providers: list[Provider] = field(default_factory=list)
    menu_entries: list[MenuEntry] = field(default_factory=list)
    year_figures: list[YearFigure] = field(default_factory=list)
    intent_list: list[Intent] = field(default_factory=list)
    outside_photos: list[Handler] = field(default_factory=list)
    read_outside: list[ReadSaid] = field(default_factory=list)
    children: list[Router] = field(default_factory=list)

    def include(self, *routers: Router) -> Router:
        """Make the routers of a feature's modules part of this one (like aiogram's `include_router`): a module
        declares its commands and buttons on its own router, and the feature's router.py includes it."""
        for router in routers:
            if router is self or router in self.children:
                raise ValueError(f"router {router.name} included twice in {self.name}")
            self.children.append(router)
        return self

    def walk(self) -> Iterator[Router]:
        """This router and every router it includes, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def command(
        self,
        *names: str,
        help: str,
        roles: Iterable[str] | None = None,
        needs_person: bool = True,
        private_only: bool = True,
        in_menu: bool = True,
        private: bool = False,
        beside_form: bool = False,
    ) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.commands.append(
                Command(
                    names=tuple(n.lower() for n in names),
                    handler=fn,
                    help=help,
                    roles=frozenset(roles) if roles is not None else None,
                    needs_person=needs_person,
                    private_only=private_only,
                    in_menu=in_menu,
                    private=private,
                    beside_form=beside_form,
                )
            )
            return fn

        return register

    def flow(self, flow: Flow) -> Flow:
        flow.check()
        self.flows[flow.name] = flow
        return flow

    def choice(self, prefix: str | type[Payload]) -> Callable[[Handler], Handler]:
        """Handle a pressed button outside any flow: every payload whose first word is `prefix` (or the first word
        of a Payload class's prefix, e.g. OpenTip's "tipp" of "tipp:open"), read in the handler with
        `Kind.read(ctx)`; a handler that raises NotChosen tells the person the button is no longer valid."""
        word = (prefix if isinstance(prefix, str) else prefix.prefix).split(":", 1)[0]

        def register(fn: Handler) -> Handler:
            if self.choice_handlers.get(word, fn) is not fn:
                raise ValueError(f"router {self.name}: buttons {word!r} already have a handler")
            self.choice_handlers[word] = fn
            return fn

        return register

    def tick(self, name: str, every: timedelta) -> Callable[[TickFn], TickFn]:
        """A job the scheduler runs once per `every` across all processes (see bot/extensions/ticks.py)."""
        return _collect(lambda fn: self.ticks.append(Tick(name, every, fn)))

    def digest_section(self, name: str, order: int) -> Callable[[SectionFn], SectionFn]:
        """What the feature adds to the weekly digest (see bot/extensions/digest_sections.py), in `order`."""
        return _collect(lambda fn: self.digest_sections.append(Registered(name, order, fn)))

    def digest_column(self, name: str, order: int, header: str) -> Callable[[GroupColumnFn], GroupColumnFn]:
        """One figure per group for the police's weekly table; `header` is an N_() string."""
        return _collect(lambda fn: self.digest_columns.append(Column(name, order, header, fn)))

    def year_figure(self, name: str, *, label: str, unit: Unit, order: int) -> Callable[[FigureFn], FigureFn]:
        """A figure per place for the year's review (see bot/extensions/year_figures.py); `label` is an N_()
        string, `name` is "<feature>.<measure>" and is what the review's criteria refer to."""
        return _collect(lambda fn: self.year_figures.append(YearFigure(name, label, unit, order, fn)))

    def scam_source(self, name: str) -> Callable[[SourceFn], SourceFn]:
        """Where /kiemtra also looks for known scam phones, links, accounts and words (see bot/extensions/scam_sources.py)."""
        return _collect(lambda fn: self.scam_sources.__setitem__(name, fn))

    def photos_outside(self, fn: Handler) -> Handler:
        """Register what a photo sent outside any form leads to (one router of the app may); without one, the
        person is told it was not kept."""
        self.outside_photos.append(fn)
        return fn

    def read_said(self, fn: ReadSaid) -> ReadSaid:
        """Register what "đã đọc" typed with no button on offer may acknowledge (the latest warning the person was
        sent, after other messages took its button's place); it returns whether it took the words."""
        self.read_outside.append(fn)
        return fn

    def menu(self, command: str, *, label: str, order: int, roles: Iterable[str] | None = None) -> None:
        """An entry of the main menu (bot/core/menu.py) opening `command`; `label` is an N_() string; `roles`
        None puts it in every registered person's menu, otherwise in the menu of those roles."""
        self.menu_entries.append(
            MenuEntry(command, label, order, frozenset(roles) if roles is not None else None)
        )

    def intents(
        self, path: Path, detectors: Mapping[str, Detector] | None = None, examples: Path | None = None
    ) -> None:
        """What people write when they want this feature's commands (a data file, the format: bot/core/intent_data.py),
        functions that add to an intent's score by looking at the text (a phone number, a receipt code), and
        messages as residents write them, labelled with the intent they mean (the model learns from them)."""
        self.intent_list.extend(load(path, detectors, examples))

    def personal_data(
        self,
        name: str,
        *,
        tables: Iterable[type],
        export: ExportFn,
        erase: EraseFn,
        summary: SummaryFn | None = None,
        forget_chats: ForgetChatsFn | None = None,
    ) -> None:
        """How the feature shows (/toi, in translated sentences: `summary`) and erases (/xoadulieu) what it holds
        about a person. `tables` names every table of the feature that holds a person's id; a test checks that each
        such table has a provider. `forget_chats` drops what leads to the person's chats without naming them."""
        self.providers.append(Provider(name, export, erase, tuple(tables), summary, forget_chats))


def _collect(store: Callable[[Any], None]) -> Callable[[F], F]:
    def register(fn: F) -> F:
        store(fn)
        return fn

    return register


class Registry:
    """All routers of the app, indexed for dispatch."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.included = list(routers)
        self.routers = [each for router in self.included for each in router.walk()]
        if len({id(r) for r in self.routers}) != len(self.routers):
            raise ValueError("a router is included twice")
        self.commands: dict[str, Command] = {}
        self.flows: dict[str, Flow] = {}
        self.choices: dict[str, Handler] = {}
        self.ticks: dict[str, Tick] = {}
        self.digest_sections: dict[str, Registered] = {}
        self.digest_columns: dict[str, Column] = {}
        self.scam_sources: dict[str, SourceFn] = {}
        self.personal_data: dict[str, Provider] = {}
        self.year_figures: dict[str, YearFigure] = {}
        self.menu: list[MenuEntry] = []
        intents: list[Intent] = []
        for router in self.routers:
            _add(self.ticks, "tick", [(t.name, t) for t in router.ticks])
            _add(self.digest_sections, "digest section", [(s.name, s) for s in router.digest_sections])
            _add(self.digest_columns, "digest column", [(c.name, c) for c in router.digest_columns])
            _add(self.scam_sources, "scam source", list(router.scam_sources.items()))
            _add(self.personal_data, "personal-data provider", [(p.name, p) for p in router.providers])
            _add(self.year_figures, "year figure", [(f.name, f) for f in router.year_figures])
            self.menu.extend(router.menu_entries)
            intents.extend(router.intent_list)
            for cmd in router.commands:
                for name in cmd.names:
                    if name in self.commands:
                        raise ValueError(f"command /{name} declared twice")
                    self.commands[name] = cmd
            for name, flow in router.flows.items():
                if name in self.flows:
                    raise ValueError(f"flow {name} declared twice")
                self.flows[name] = flow
            for prefix, handler in router.choice_handlers.items():
                if prefix in self.choices:
                    raise ValueError(f"choice prefix {prefix} declared twice")
                self.choices[prefix] = handler

        photos = [fn for router in self.routers for fn in router.outside_photos]
        if len(photos) > 1:
            raise ValueError("what a photo outside a form leads to is declared twice")
        self.photos_outside: Handler | None = photos[0] if photos else None
        self.read_said_hooks: list[ReadSaid] = [fn for router in self.routers for fn in router.read_outside]
        self.reader = Reader(intents)
        for command in [e.command for e in self.menu] + [i.command for i in intents]:
            if command not in self.commands:
                raise ValueError(f"a menu entry or intent opens /{command}, which no router declares")

    def sections_in_order(self) -> list[Registered]:
        return sorted(self.digest_sections.values(), key=lambda r: (r.order, r.name))

    def year_figures_in_order(self) -> list[YearFigure]:
        return sorted(self.year_figures.values(), key=lambda f: (f.order, f.name))

    def columns_in_order(self) -> list[Column]:
        return sorted(self.digest_columns.values(), key=lambda c: (c.order, c.name))

    def unique_commands(self) -> list[Command]:
        """Every command once (a command has several names), in the order declared."""
        return list(self._unique)

    @cached_property
    def _unique(self) -> tuple[Command, ...]:
        # Asked on every /trogiup (about 45 µs each time it was built again); the registry never changes.
        seen: dict[str, Command] = {}
        for cmd in self.commands.values():
            seen.setdefault(cmd.name, cmd)
        return tuple(seen.values())


V = TypeVar("V")


def _add(into: dict[str, V], kind: str, found: list[tuple[str, V]]) -> None:
    for name, value in found:
        if name in into:
            raise ValueError(f"{kind} {name} declared twice")
        into[name] = value
