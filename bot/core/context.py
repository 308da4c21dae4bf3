"""What a handler works with: the event, the database session, the person, the flow state, and its replies."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.core.errors import Refusal
from bot.core.events import Attachment, Incoming
from bot.core.replies import Choice, Media, Reply
from bot.i18n import _
from models import ChannelIdentity, ConversationState, Person, RoleGrant

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App


class Context:
    def __init__(
        self,
        app: App,
        session: AsyncSession,
        event: Incoming,
        state: ConversationState,
        person: Person | None,
        identity: ChannelIdentity | None,
    ) -> None:
        self.app = app
        self.session = session
        self.event = event
        self.state = state
        self.person = person
        self.identity = identity
        self.replies: list[Reply] = []
        # A deep copy: a handler may change nested lists and dicts in place, and the loaded row must keep the
        # value it was loaded with, so the change is seen and saved (and nothing leaks past a rollback).
        self.data: dict[str, Any] = copy.deepcopy(state.data or {})
        self._grants: list[RoleGrant] | None = None
        self._next_flow: tuple[str, dict[str, Any]] | None = None
        self._end_flow = False
        # A form set aside by a command typed beside it (/ngonngu) came back: its question is asked again.
        self.resumed = False
        # Set when this update belongs to a private flow or command: nothing about it may be linked to the person.
        self.private = False
        self.choice_label: str | None = None
        # An offer pressed after free words (bot.core.understand): the words, for the form it opens to start
        # from, and what they suggest it preselect (a tip's category); None for any other update.
        self.carried: str | None = None
        self.hint: str | None = None
        # Cleaned photos (media ref, mime type, size) a form hands to the form it opens (a problem report that is
        # a crime opens the tip form): the opened form owns them from then on, and deletes them if not sent.
        self.carried_photos: list[tuple[str, str, int]] = []
        # The replies of this update leave the conversation's offered choices as they were (see the dispatcher).
        self.keep_choices: tuple[str | None, str | None] | None = None
        # Choices of messages pushed during the open form, kept beside its question once another pushed one was
        # used (bot.core.offers EARLIER): their labels can still be typed.
        self.pushed_left: list[dict[str, str]] = []

    # Replies -------------------------------------------------------------------------------------------
    def reply(
        self, text: str, choices: list[Choice] | tuple[Choice, ...] = (), media: tuple[Media, ...] = ()
    ) -> None:
        self.replies.append(Reply(text=text, choices=tuple(choices), media=tuple(media)))

    def can_share_location(self) -> bool:
        """Whether the person's chat app can share a location here (the Zalo Bot cannot): a question asks for one
        only where it can, and asks for the address alone elsewhere."""
        channel = self.app.channels.get(self.event.channel)
        return channel is None or channel.reads_locations

    def can_send(self, kind: str) -> bool:
        """Whether the person can send this kind of file ("voice", "file", …) from this chat (Channel.takes_media)."""
        channel = self.app.channels.get(self.event.channel)
        return channel is None or kind in channel.takes_media

    # Files the person sent ------------------------------------------------------------------------------
    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of a photo, file or voice note of this event. A download that fails (the platform's file
        server, a refused address, the size limit) becomes a polite Refusal: nothing of the update is kept."""
        from bot.channels.base import DeliveryError

        try:
            return await self.app.channels[self.event.channel].download(attachment)
        except DeliveryError as error:
            raise Refusal(
                error.user_text
                or _(
                    "I could not receive that file. Please send it again; if it keeps "
                    "failing, describe it in words instead."
                ),
                reason=f"download failed: {type(error).__name__}",
            ) from None

    # People and roles ----------------------------------------------------------------------------------
    @property
    def person_id(self) -> int:
        if self.person is None or self.person.id is None:
            raise RuntimeError("handler needs a registered person")
        return self.person.id

    async def grants(self) -> list[RoleGrant]:
        """Active role grants of the person (cached for this update)."""
        if self._grants is None:
            from bot.directory.people import active_grants

            self._grants = await active_grants(self.session, self.person.id) if self.person else []
        return self._grants

    async def roles(self) -> set[str]:
        return {g.role for g in await self.grants()}

    def forget_grants(self) -> None:
        self._grants = None

    async def role_ended(self, roles: frozenset[str] | set[str]) -> datetime | None:
        """When the person's last grant of one of `roles` ended, if they held one and hold none now."""
        if self.person is None or (await self.roles()) & roles:
            return None
        ended = await self.session.exec(
            select(func.max(RoleGrant.revoked_at)).where(
                RoleGrant.person_id == self.person.id,
                col(RoleGrant.role).in_(roles),
                col(RoleGrant.revoked_at).is_not(None),
            )
        )
        return ended.one()

    def set_locale(self, locale: str) -> None:
        """Switch this person's language, effective for the rest of this update too."""
        from bot.i18n import _current, normalize_locale

        locale = normalize_locale(locale)
        _current.set(locale)  # the dispatcher's use_locale block restores the outer value afterwards
        if self.person is not None:
            self.person.locale = locale
            self.session.add(self.person)
        else:
            self.state.locale = locale

    # Flows ---------------------------------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.state.flow

    def begin(self, flow: str, **data: Any) -> None:
        """Start a flow once the current handler returns (its first question is asked then)."""
        self._next_flow = (flow, data)

    def end(self) -> None:
        """Leave the current flow once the handler returns."""
        self._end_flow = True

    def stays_in_form(self) -> bool:
        """Whether the open form (if any) is still the one when the handler returns: none began, none ended."""
        return self._next_flow is None and not self._end_flow

    def audit(
        self,
        action: str,
        target_kind: str,
        target_id: str | None = None,
        ward_code: int | None = None,
        **detail: Any,
    ) -> None:
        from models import AuditEntry

        self.session.add(
            AuditEntry(
                actor_person_id=self.person.id if self.person else None,
                action=action,
                target_kind=target_kind,
                target_id=target_id,
                ward_code=ward_code,
                detail=detail,
            )
        )
