"""Per-feature routers: the commands, flows and choice handlers one handler module declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.flow import Flow

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.core.context import Context

Handler = Callable[["Context"], Awaitable[None]]


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

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass
class Router:
    name: str
    commands: list[Command] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    choice_handlers: dict[str, Handler] = field(default_factory=dict)
    # Web pages a feature serves beside the chat (e.g. checking a pledge code), mounted by bot/server.py.
    http_routes: Callable[[App], list[web.RouteDef]] | None = None

    def command(
        self,
        *names: str,
        help: str,
        roles: Iterable[str] | None = None,
        needs_person: bool = True,
        private_only: bool = True,
        in_menu: bool = True,
        private: bool = False,
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
                )
            )
            return fn

        return register

    def flow(self, flow: Flow) -> Flow:
        flow.check()
        self.flows[flow.name] = flow
        return flow

    def choice(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handle a pressed choice whose payload starts with "prefix:" outside any flow (e.g. "ack:42")."""

        def register(fn: Handler) -> Handler:
            self.choice_handlers[prefix] = fn
            return fn

        return register


class Registry:
    """All routers of the app, indexed for dispatch."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.routers = list(routers)
        self.commands: dict[str, Command] = {}
        self.flows: dict[str, Flow] = {}
        self.choices: dict[str, Handler] = {}
        for router in self.routers:
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

    def unique_commands(self) -> list[Command]:
        seen: dict[str, Command] = {}
        for cmd in self.commands.values():
            seen.setdefault(cmd.name, cmd)
        return list(seen.values())
