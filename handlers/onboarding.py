"""Onboarding: language, informed consent, then ward → residential area → group, or straight in by invite code."""

from __future__ import annotations

from bot import clock
from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import Payload, YesNo
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.understand import after_joining
from bot.directory.geo import areas_of, groups_of, pick_by_name
from bot.directory.invites import RedeemError, redeem
from bot.directory.people import grant, register
from bot.guard import ratelimit
from bot.i18n import N_, _
from handlers.common import place_label, search_ward_step, yes_no
from handlers.language import Lang
from models import ChannelIdentity, ConsentRecord, Person, Role, Ward
from models.base import pk

CONSENT_VERSION = "2026-01"
MAX_BUTTONS = 20

router = Router("onboarding")
# Menu words are answers here (a ward search for "menu" finds nothing and says so): there is no menu before it.
flow = Flow(
    "onboarding", steps=("language", "consent", "ward", "ward_pick", "area", "group"), menu_words=False
)


# Buttons (the language step uses handlers.language's Lang) ---------------------------------------------
class Consent(YesNo, prefix="consent"):
    """Agreeing, or not, to the data notice."""


class PickWard(Payload, prefix="ward"):
    """One of the wards found by the name typed."""

    code: int


class SearchAgain(Payload, prefix="ward:again"):
    """None of the wards found: type another name."""


class PickArea(Payload, prefix="area"):
    """A residential area of the chosen ward."""

    area_id: int


class PickGroup(Payload, prefix="group"):
    """A self-managed group of the chosen area."""

    group_id: int


def consent_notice() -> str:
    return _(
        "Before we start, please read how An Dân handles your data.\n\n"
        "What we store: your language, the ward, area and group you choose, the chat accounts you use with "
        "this bot, and what you send through its forms (tips, pledges, mediation requests, reports).\n"
        "Why: to deliver warnings for your neighbourhood, to let you sign your household's pledge, ask for "
        "mediation and tip off the ward police.\n"
        "Who sees it: your group leader sees that you belong to the group; mediators see the cases you take "
        "part in; the ward police see tips. Anonymous tips are never linked to you.\n"
        "Your rights: /me shows everything we hold about you; /forget exports it and erases it. "
        "Records already handed to the police cannot be erased by us.\n\n"
        "Nothing is stored until you agree."
    )


@router.command("batdau", "start", help=N_("Start, or join with an invite code"), needs_person=False)
async def start(ctx: Context) -> None:
    code = ctx.event.args.strip()
    if ctx.person is None:
        ctx.begin("onboarding", invite=code or None)
        return
    if code:
        await redeem_and_welcome(ctx, code)
        return
    if not await ctx.grants():
        # Registered, but left before choosing a ward (another command in the middle, a long pause): every
        # feature sends them here, so here they find their ward, not a menu whose entries all ask for one.
        ctx.reply(_("You have not chosen your ward yet: let's do it now."))
        ctx.begin("onboarding")
        return
    await menu.show(ctx, _("Welcome back! What would you like to do? Press a button or type its number."))


@router.command(
    "thamgia", "join", help=N_("Join a group or take a role with an invite code"), needs_person=False
)
async def join(ctx: Context) -> None:
    code = ctx.event.args.strip()
    if not code:
        ctx.reply(_("Please type the invite code after the command, for example: /thamgia ABCD-EFGH-JKMN"))
        return
    if ctx.person is None:
        ctx.begin("onboarding", invite=code)
        return
    await redeem_and_welcome(ctx, code)


async def redeem_and_welcome(ctx: Context, code: str) -> bool:
    result = await redeem(ctx.session, ctx.app.keyring, code, ctx.person_id)
    if isinstance(result, RedeemError):
        ctx.reply(
            {
                RedeemError.UNKNOWN: _(
                    "That invite code is not valid. Please check it with the person who gave it."
                ),
                RedeemError.USED: _("That invite code has already been used. Please ask for a new one."),
                RedeemError.EXPIRED: _("That invite code has expired. Please ask for a new one."),
                RedeemError.REVOKED: _("That invite code was withdrawn. Please ask for a new one."),
                RedeemError.FULL: _(
                    "That group link has been used by as many people as it allows. Please ask your group "
                    "leader for a new link."
                ),
            }[result]
        )
        return False
    ctx.forget_grants()
    ctx.audit("role.granted_by_invite", "role_grant", str(result.id), result.ward_code, role=result.role)
    welcome_line = _("Welcome! You are now {role} of {place}.").format(
        role=role_name(result.role), place=await place_label(ctx.session, result)
    )
    await menu.show(ctx, lead=welcome_line)
    return True


def role_name(role: str) -> str:
    names: dict[str, str] = {
        Role.RESIDENT: N_("a resident"),
        Role.GROUP_ADMIN: N_("the group leader"),
        Role.AREA_LEADER: N_("the area leader"),
        Role.MEDIATOR: N_("a mediator"),
        Role.MEDIATION_HEAD: N_("the head of the mediation group"),
        Role.POLICE: N_("a police officer"),
        Role.WARD_ADMIN: N_("a ward administrator"),
    }
    return _(names.get(role, role))


# Language ----------------------------------------------------------------------------------------------
@flow.ask("language")
async def ask_language(ctx: Context) -> None:
    if ctx.person is not None:  # back to find their ward: language and consent were given already
        ctx.state.step = "ward"
        await ask_ward(ctx)
        return
    ctx.reply(
        "Xin chào! Tôi là An Dân, trợ lý an ninh khu phố.\nHello! I am An Dân, your neighbourhood safety "
        "assistant.\n\nChọn ngôn ngữ / Choose your language:",
        [Choice("Tiếng Việt", Lang("vi")), Choice("English", Lang("en"))],
    )


@flow.on("language")
async def on_language(ctx: Context) -> Outcome:
    ctx.set_locale(Lang.expect(ctx).code)
    return goto("consent")


# Consent -----------------------------------------------------------------------------------------------
def consent_choices() -> list[Choice]:
    return yes_no(_("I agree"), _("I do not agree"), Consent)


@flow.ask("consent")
async def ask_consent(ctx: Context) -> None:
    ctx.reply(consent_notice(), consent_choices())


@flow.on("consent")
async def on_consent(ctx: Context) -> Outcome:
    if not Consent.expect(ctx).yes:
        ctx.state.locale = None  # keep nothing at all
        ctx.reply(_("Understood: nothing has been stored. If you change your mind, type /start."))
        return finish()
    client = ctx.event.client_key
    if client is not None:
        # A web person costs only a cookie: each client network may create so many an hour (bot.guard.ratelimit).
        verdict = await ratelimit.take(ctx.app, ctx.session, ratelimit.WEB_PEOPLE, client)
        if not verdict.allowed:
            ctx.reply(
                _(
                    "Many people have registered from your network in the last hour, so new registrations "
                    'from it are paused for a while. Nothing has been stored. Please press "I agree" again '
                    "after {time}."
                ).format(time=verdict.retry_time()),
                consent_choices(),
            )
            return stay()
    await create_person(ctx)
    invite = ctx.data.get("invite")
    if invite:
        if await redeem_and_welcome(ctx, invite):
            return finish(keep=await after_joining(ctx))
        ctx.reply(_("You can still find your group yourself."))
    return goto("ward")


async def create_person(ctx: Context) -> None:
    now = clock.now()
    locale = ctx.state.locale or ctx.app.settings.default_locale
    person = Person(
        locale=locale,
        consented_at=now,
        consent_version=CONSENT_VERSION,
        display_name=(ctx.event.display_name or None),
    )
    identity = ChannelIdentity(
        person_id=0,  # given by register
        channel=ctx.event.channel,
        external_user_id=ctx.event.user_id,
        chat_id=ctx.event.chat_id,
        last_interaction_at=now,
    )
    consent = ConsentRecord(person_id=0, version=CONSENT_VERSION, locale=locale, given_at=now)
    await register(ctx.session, person, identity, consent, postgres=not ctx.app.db.is_sqlite)
    ctx.person, ctx.identity = person, identity
    ctx.state.locale = None  # now kept on the person


# Ward --------------------------------------------------------------------------------------------------
@flow.ask("ward")
async def ask_ward(ctx: Context) -> None:
    ctx.reply(
        _(
            "Which commune or ward (xã/phường) do you live in? Type its name; accents are optional, "
            "for example: cao lanh"
        )
    )


@flow.on("ward")
async def on_ward(ctx: Context) -> Outcome:
    return await search_ward_step(ctx, "ward_pick")


@flow.ask("ward_pick")
async def ask_ward_pick(ctx: Context) -> None:
    choices = [Choice(label, PickWard(code)) for code, label in ctx.data.get("wards", [])]
    choices.append(Choice(_("Search again"), SearchAgain()))
    ctx.reply(_("Is it one of these?"), choices)


@flow.on("ward_pick")
async def on_ward_pick(ctx: Context) -> Outcome:
    if SearchAgain.read(ctx) is not None:
        return goto("ward")
    pressed = PickWard.read(ctx)
    if pressed is None and ctx.event.text.strip():
        return await search_ward_step(ctx, "ward_pick")  # typing another name is a new search
    offered = {code for code, _label in ctx.data.get("wards", [])}
    if pressed is None or pressed.code not in offered:
        raise NotChosen()
    ward_code = pressed.code
    ctx.data["ward"] = ward_code
    if not await areas_of(ctx.session, ward_code):
        ward = await ctx.session.get(Ward, ward_code)
        await grant(ctx.session, ctx.person_id, Role.RESIDENT, ward_code)
        ctx.forget_grants()
        ctx.reply(
            _(
                "{ward} has not set up its residential areas in An Dân yet. You are registered as a resident of "
                "the ward, and everything that needs no group works already: tips to the police, warnings, "
                "checking a suspicious message, mediation. Once the ward sets up its groups, I will ask you to "
                "choose yours."
            ).format(ward=ward.name if ward else ward_code)
        )
        await welcome(ctx)
        return finish()
    return goto("area")


# Area and group ----------------------------------------------------------------------------------------
@flow.ask("area")
async def ask_area(ctx: Context) -> None:
    areas = await areas_of(ctx.session, ctx.data["ward"])
    filtered = ctx.data.get("area_filter")
    if filtered:
        areas = [a for a in areas if a.id in filtered]
    if len(areas) <= MAX_BUTTONS:
        ctx.reply(
            _("Which residential area (thôn, tổ dân phố, khóm, ấp)?"),
            [Choice(a.name, PickArea(pk(a))) for a in areas],
        )
    else:
        ctx.reply(_("Which residential area (thôn, tổ dân phố, khóm, ấp)? Type its name or number."))


@flow.on("area")
async def on_area(ctx: Context) -> Outcome:
    areas = await areas_of(ctx.session, ctx.data["ward"])
    pressed = PickArea.read(ctx)
    chosen = next((a for a in areas if pressed and a.id == pressed.area_id), None)
    if chosen is None and ctx.event.text.strip():
        hits = pick_by_name(areas, ctx.event.text)
        if len(hits) == 1:
            chosen = hits[0]
        elif hits:
            ctx.data["area_filter"] = [a.id for a in hits]
            return retry(_("Several areas match; please choose one."))
        else:
            return retry(
                _('No area of this ward matches "{query}".').format(query=ctx.event.text.strip()[:60])
            )
    if chosen is None:
        raise NotChosen()
    ctx.data.pop("area_filter", None)
    ctx.data.pop("group_filter", None)  # a shortlist of another area's groups
    ctx.data["area"] = chosen.id
    return goto("group")


@flow.ask("group")
async def ask_group(ctx: Context) -> None:
    groups = await groups_of(ctx.session, ctx.data["area"])
    filtered = ctx.data.get("group_filter")
    if filtered:
        groups = [g for g in groups if g.id in filtered]
    if len(groups) <= MAX_BUTTONS:
        ctx.reply(_("And your self-managed group (tổ)?"), [Choice(g.name, PickGroup(pk(g))) for g in groups])
    else:
        ctx.reply(_("And your self-managed group (tổ)? Type its name or number."))


@flow.on("group")
async def on_group(ctx: Context) -> Outcome:
    groups = await groups_of(ctx.session, ctx.data["area"])
    pressed = PickGroup.read(ctx)
    chosen = next((g for g in groups if pressed and g.id == pressed.group_id), None)
    if chosen is None and ctx.event.text.strip():
        hits = pick_by_name(groups, ctx.event.text)
        if len(hits) == 1:
            chosen = hits[0]
        elif hits:
            # Several match ("tổ 1" in an area with Tổ 1 and Tổ 1A): the matching ones, one press each. Before,
            # a list too long for buttons left "please choose from the list" with no list shown.
            ctx.data["group_filter"] = [g.id for g in hits[:MAX_BUTTONS]]
            return retry(_("Several groups match; please choose one."))
        else:
            return retry(
                _('No group of this area matches "{query}".').format(query=ctx.event.text.strip()[:60])
            )
    if chosen is None:
        raise NotChosen()
    ctx.data.pop("group_filter", None)
    registered = await grant(
        ctx.session, ctx.person_id, Role.RESIDENT, chosen.ward_code, chosen.area_id, chosen.id
    )
    ctx.forget_grants()
    done = _("Done! You are registered as a resident of {place}.").format(
        place=await place_label(ctx.session, registered)
    )
    await welcome(ctx, done)
    return finish(keep=await after_joining(ctx))


async def welcome(ctx: Context, lead: str | None = None) -> None:
    """The main menu: a few things, one press each (the full list stays behind /trogiup), under `lead`."""
    await menu.show(ctx, lead=lead)


router.flow(flow)
