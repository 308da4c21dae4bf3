"""/soancanhbao: the form leaders and police write an alert with.

What it says (category, severity, title, body, photo, link, the scammers' identifiers), then where and when it
goes (scope: ward, areas or groups; now or later), then the preview and the confirmation. A warning written in words
before the offer was pressed ("nhắc bà con khóa cửa xe, dạo này hay mất trộm": bot.core.understand carries them) is
offered as its description, in one press.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import select

from bot import clock
from bot.cleaning.result import Content, Verdict
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import yes_or_no
from bot.delivery.quiet import quiet_until
from bot.directory.geo import areas_of, groups_of, ward_kind_word
from bot.i18n import N_, _, fmt_datetime, zone
from bot.security import new_code
from handlers.alerts.buttons import (
    AreasDone,
    BrowseArea,
    Category,
    Confirm,
    GroupsDone,
    LeadGroup,
    NoLink,
    NoneKnown,
    NoPhoto,
    OtherArea,
    PickArea,
    PickGroup,
    Scope,
    Severity,
    UseWritten,
    WatchDone,
    When,
)
from handlers.alerts.delivery import release, store
from handlers.alerts.flows.told import BODY_MAX, BODY_MIN, written_warning
from handlers.alerts.identifiers import domain_of
from handlers.alerts.places import powers_of, ward_of
from handlers.alerts.render import media, text
from handlers.alerts.texts import CATEGORIES, SEVERITIES
from handlers.common import group_label
from models import Area, Group
from models.alerts import Alert

router = Router("alerts.compose")
flow = Flow(
    "alert_compose",
    steps=(
        "category",
        "severity",
        "title",
        "body",
        "photo",
        "link",
        "watch",
        "scope",
        "areas",
        "groups",
        "when",
        "at",
        "preview",
    ),
)
AUTHORS = {"police", "group_admin"}

TITLE_MAX = 120
WATCH_MAX = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_AHEAD = timedelta(days=60)
_WHEN = re.compile(r"^(?:(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s+)?(\d{1,2})\s*[:hg]\s*(\d{2})?$", re.I)


async def begin(ctx: Context, written: str | None = None) -> None:
    """Start composing, with the author's reach worked out once (and checked again on confirm). `written`: the
    author's own words carried in, offered as the description."""
    powers = powers_of(await ctx.grants())
    if powers is None:
        ctx.reply(_("Only group leaders and the ward police can send alerts."))
        return
    issuer = (await ward_of(ctx.session, powers.ward_code)).name
    if powers.group_ids:
        issuer = await group_label(ctx.session, powers.group_ids[0])
    written = written_warning(written)
    ctx.begin(
        "alert_compose",
        author_role=powers.role,
        ward_code=powers.ward_code,
        issuer=issuer,
        **({"written": written} if written else {}),
    )


@router.command(
    "soancanhbao", "newalert", help=N_("Write an alert for residents (leaders and police)"), roles=AUTHORS
)
async def new_alert(ctx: Context) -> None:
    await begin(ctx, ctx.carried)


@flow.ask("category")
async def ask_category(ctx: Context) -> None:
    ctx.reply(
        _("What is the alert about?"), [Choice(_(label), Category(key)) for key, label in CATEGORIES.items()]
    )


@flow.on("category")
async def on_category(ctx: Context) -> Outcome:
    ctx.data["category"] = Category.expect(ctx).key
    return goto("severity")


@flow.ask("severity")
async def ask_severity(ctx: Context) -> None:
    ctx.reply(
        _(
            "How serious is it? Urgent alerts reach everyone at once, even at night; information-level ones "
            "wait for the morning and can be muted by residents."
        ),
        [Choice(_(label), Severity(key)) for key, label in SEVERITIES.items()],
    )


@flow.on("severity")
async def on_severity(ctx: Context) -> Outcome:
    ctx.data["severity"] = Severity.expect(ctx).key
    return goto("title")


def typed(ctx: Context) -> str | None:
    return ctx.event.text.strip() if ctx.event.kind == Kind.TEXT and ctx.event.text.strip() else None


@flow.ask("title")
async def ask_title(ctx: Context) -> None:
    ctx.reply(_('Type a short title, e.g. "Calls impersonating the police asking for money".'))


@flow.on("title")
async def on_title(ctx: Context) -> Outcome:
    title = typed(ctx)
    if title is None or len(title) < 5:
        return retry(_("Please type a title of at least 5 characters."))
    if len(title) > TITLE_MAX:
        return retry(
            _("The title is too long ({n} characters, at most {max}). Please shorten it.").format(
                n=len(title), max=TITLE_MAX
            )
        )
    ctx.data["title"] = " ".join(title.split())
    return goto("body")


@flow.ask("body")
async def ask_body(ctx: Context) -> None:
    question = _("Now describe how the criminals operate and what residents should do.")
    written = ctx.data.get("written")
    if not written:
        ctx.reply(question)
        return
    ctx.reply(
        question
        + "\n"
        + _("You wrote before: “{words}”. Press below to use it as the description, or type another.").format(
            words=written
        ),
        [Choice(_("Use what I wrote"), UseWritten())],
    )


@flow.on("body")
async def on_body(ctx: Context) -> Outcome:
    written = ctx.data.get("written")
    if written and (UseWritten.read(ctx) is not None or yes_or_no(ctx.event.text) is True):
        # "có" typed under the offer takes it, as the button does (the Zalo OA's leaders type more than they press).
        ctx.data["body"] = written
        return goto("photo")
    body = typed(ctx)
    if body is None or len(body) < BODY_MIN:
        return retry(_("Please describe it in at least 10 characters."))
    if len(body) > BODY_MAX:
        return retry(
            _("The text is too long ({n} characters, at most {max}). Please shorten it.").format(
                n=len(body), max=BODY_MAX
            )
        )
    ctx.data["body"] = body
    return goto("photo")


@flow.ask("photo")
async def ask_photo(ctx: Context) -> None:
    ctx.reply(
        _("Send a photo to go with the alert, or continue without one."),
        [Choice(_("No photo"), NoPhoto())],
    )


@flow.on("photo", files=True)
async def on_photo(ctx: Context) -> Outcome:
    if NoPhoto.read(ctx) is not None:
        ctx.data["photo"] = None
        return goto("link")
    photos = [a for a in ctx.event.attachments if a.kind == "photo"]
    if ctx.event.kind != Kind.MEDIA or not photos:
        return retry(_('Please send a photo, or press "No photo".'))
    attachment = photos[0]
    if (attachment.size or 0) > MAX_PHOTO_BYTES:
        return retry(_("That photo is too large. Please send a smaller one."))
    data = await ctx.download(attachment)
    # Cleaned off the event loop like a tip's photo: a picture too large to decode is refused, and the author's
    # device and position do not go out to every resident.
    cleaned = await ctx.app.cleaner.clean(data)
    if cleaned.verdict is Verdict.TOO_MANY_PIXELS:
        return retry(_("That photo is too large. Please send a smaller one."))
    if cleaned.verdict is Verdict.BUSY:
        return retry(_("Many files are being checked right now. Please send the photo again in a minute."))
    if cleaned.ok and cleaned.content is Content.IMAGE:
        ctx.data["photo"] = await ctx.app.media.put(
            cleaned.data, cleaned.mime_type, f"alert.{cleaned.extension}"
        )
        return goto("link")
    # Never sent on as it came: an unreadable picture could carry the sender's device and position to every
    # resident of the ward.
    return retry(
        _('I could not read that photo. Please send it as a JPEG or PNG picture, or press "No photo".')
    )


@flow.ask("link")
async def ask_link(ctx: Context) -> None:
    ctx.reply(
        _("Type a link for more information (e.g. the police's article), or continue without one."),
        [Choice(_("No link"), NoLink())],
    )


@flow.on("link")
async def on_link(ctx: Context) -> Outcome:
    if NoLink.read(ctx) is not None:
        ctx.data["link"] = None
    else:
        value = typed(ctx)
        if value is None or " " in value or domain_of(value) is None:
            return retry(
                _('That does not look like a link. Type it like https://example.vn/page, or press "No link".')
            )
        ctx.data["link"] = value if re.match(r"^https?://", value, re.I) else "https://" + value
    return goto("watch" if ctx.data["category"] == "scam" else "scope")


@flow.ask("watch")
async def ask_watch(ctx: Context) -> None:
    got = ctx.data.get("watch_for") or []
    if got:
        show_watch(ctx, got)
        return
    ctx.reply(
        _(
            "Which phone numbers, bank accounts, links or Zalo/Facebook names do the scammers use? Type them, "
            "one per line or one per message, then press Done. Residents can then check a suspicious message "
            "with /kiemtra."
        ),
        [Choice(_("None known"), NoneKnown())],
    )


def show_watch(ctx: Context, got: list[str]) -> None:
    """What was understood so far: on a phone, Enter sends, so the list may come in several messages."""
    ctx.reply(
        "\n".join(
            [
                _("Noted so far ({n}):").format(n=len(got)),
                *(f"• {item}" for item in got),
                _("Type more, or press Done."),
            ]
        ),
        [Choice(_("Done"), WatchDone())],
    )


@flow.on("watch")
async def on_watch(ctx: Context) -> Outcome:
    if NoneKnown.read(ctx) is not None:
        ctx.data["watch_for"] = []
        return goto("scope")
    got: list[str] = list(ctx.data.get("watch_for") or [])
    if WatchDone.read(ctx) is not None:
        return goto("scope") if got else retry(_('Please type them, or press "None known".'))
    value = typed(ctx)
    if value is None:
        return retry(_('Please type them, one per line, or press "None known".'))
    lines = [" ".join(part.split()) for part in re.split(r"[\n;]", value) if part.strip()]
    if len(got) + len(lines) > WATCH_MAX or any(len(line) > 100 for line in lines):
        return retry(
            _(
                "Please type at most {max} items, each on its own line. Nothing you sent before is lost."
            ).format(max=WATCH_MAX)
        )
    ctx.data["watch_for"] = got + [line for line in lines if line not in got]
    show_watch(ctx, ctx.data["watch_for"])
    return stay()


@flow.ask("scope")
async def ask_scope(ctx: Context) -> None:
    powers = powers_of(await ctx.grants())
    if powers is None or powers.role != "police":
        groups = powers.group_ids if powers else ()
        choices = [Choice(await group_label(ctx.session, g), LeadGroup(g)) for g in groups]
        ctx.reply(_("The alert goes to the group you lead:"), choices)
        return
    ctx.reply(
        _("Who should receive it?"),
        [
            Choice(
                _("The whole {kind}").format(kind=await ward_kind_word(ctx.session, powers.ward_code)),
                Scope("ward"),
            ),
            Choice(_("Some residential areas"), Scope("areas")),
            Choice(_("Some groups"), Scope("groups")),
        ],
    )


@flow.on("scope")
async def on_scope(ctx: Context) -> Outcome:
    powers = powers_of(await ctx.grants())
    if powers is None:
        ctx.reply(_("Only group leaders and the ward police can send alerts."))
        return finish()
    if powers.role != "police":
        led = LeadGroup.read(ctx)
        if led is None or led.group_id not in powers.group_ids:
            return retry(_("You can send alerts only to the group you lead."))
        group_id = led.group_id
        ctx.data.update(
            scope="groups", group_ids=[group_id], area_ids=[], issuer=await group_label(ctx.session, group_id)
        )
        return goto("when")
    scope = Scope.expect(ctx).kind
    ctx.data.update(scope=scope, area_ids=[], group_ids=[], browse_area=None)
    return goto("when" if scope == "ward" else scope)


def ticked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


@flow.ask("areas")
async def ask_areas(ctx: Context) -> None:
    chosen = set(ctx.data["area_ids"])
    areas = await areas_of(ctx.session, ctx.data["ward_code"])
    choices = [Choice(ticked(a.name, a.id in chosen), PickArea(a.id)) for a in areas[:30] if a.id is not None]
    choices.append(Choice(_("Done ({n} chosen)").format(n=len(chosen)), AreasDone()))
    ctx.reply(_("Choose the areas (press again to remove one), then press Done."), choices)


@flow.on("areas")
async def on_areas(ctx: Context) -> Outcome:
    if AreasDone.read(ctx) is not None:
        return goto("when") if ctx.data["area_ids"] else retry(_("Please choose at least one area."))
    area = await ctx.session.get(Area, PickArea.expect(ctx).area_id)
    if area is None or area.ward_code != ctx.data["ward_code"]:
        raise NotChosen()
    ids = ctx.data["area_ids"]
    ctx.data["area_ids"] = [i for i in ids if i != area.id] if area.id in ids else [*ids, area.id]
    return retry("")


@flow.ask("groups")
async def ask_groups(ctx: Context) -> None:
    chosen = set(ctx.data["group_ids"])
    done = Choice(_("Done ({n} chosen)").format(n=len(chosen)), GroupsDone())
    if ctx.data.get("browse_area") is None:
        areas = await areas_of(ctx.session, ctx.data["ward_code"])
        ctx.reply(
            _("In which area are the groups?"),
            [*(Choice(a.name, BrowseArea(a.id)) for a in areas[:30] if a.id is not None), done],
        )
        return
    groups = await groups_of(ctx.session, ctx.data["browse_area"])
    choices = [
        Choice(ticked(g.name, g.id in chosen), PickGroup(g.id)) for g in groups[:40] if g.id is not None
    ]
    ctx.reply(
        _("Choose the groups (press again to remove one), then press Done."),
        [*choices, Choice(_("Another area"), OtherArea()), done],
    )


@flow.on("groups")
async def on_groups(ctx: Context) -> Outcome:
    match read_any(ctx, GroupsDone, OtherArea, BrowseArea, PickGroup):
        case GroupsDone():
            return goto("when") if ctx.data["group_ids"] else retry(_("Please choose at least one group."))
        case OtherArea():
            ctx.data["browse_area"] = None
            return retry("")
        case BrowseArea(area_id=area_id):
            area = await ctx.session.get(Area, area_id)
            if area is None or area.ward_code != ctx.data["ward_code"]:
                raise NotChosen()
            ctx.data["browse_area"] = area.id
            return retry("")
        case PickGroup(group_id=group_id):
            group = await ctx.session.get(Group, group_id)
            if group is None or group.ward_code != ctx.data["ward_code"]:
                raise NotChosen()
            ids = ctx.data["group_ids"]
            ctx.data["group_ids"] = [i for i in ids if i != group.id] if group.id in ids else [*ids, group.id]
            return retry("")
    raise NotChosen()


@flow.ask("when")
async def ask_when(ctx: Context) -> None:
    ctx.reply(
        _("Send it now, or at a time you choose?"),
        [Choice(_("Send now"), When("now")), Choice(_("Schedule"), When("later"))],
    )


@flow.on("when")
async def on_when(ctx: Context) -> Outcome:
    if When.expect(ctx).moment == "later":
        return goto("at")
    ctx.data["send_at"] = None
    return goto("preview")


def parse_when(typed: str, now: datetime) -> datetime | None:
    """ "25/11 18:30", "25/11/2026 18h30" or "18:30" (today, or tomorrow once past), in local time."""
    match = _WHEN.match(typed.strip())
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    here = now.astimezone(zone())
    try:
        year_n = int(year) + (2000 if len(year) == 2 else 0) if year else here.year
        base = here.replace(year=year_n, month=int(month), day=int(day)) if day else here
        moment = base.replace(hour=int(hour), minute=int(minute or 0), second=0, microsecond=0)
    except ValueError:
        return None
    if not day and moment <= here:
        moment += timedelta(days=1)
    elif day and not year and moment < here:
        moment = moment.replace(year=moment.year + 1)
    return moment.astimezone(now.tzinfo)


@flow.ask("at")
async def ask_at(ctx: Context) -> None:
    ctx.reply(_("Type the date and time to send it, e.g. 25/11 18:30 (or just 18:30 for the next one)."))


@flow.on("at")
async def on_at(ctx: Context) -> Outcome:
    now = clock.now()
    moment = parse_when(ctx.event.text, now)
    if moment is None:
        return retry(_("I could not read that time. Please type it like 25/11 18:30."))
    if moment <= now or moment > now + MAX_AHEAD:
        return retry(_("Please choose a time in the future, within 60 days."))
    ctx.data["send_at"] = moment.isoformat()
    return goto("preview")


async def scope_label(ctx: Context) -> str:
    data = ctx.data
    if data["scope"] == "ward":
        return _("the whole {kind}").format(kind=await ward_kind_word(ctx.session, data["ward_code"]))
    if data["scope"] == "areas":
        names = (await ctx.session.exec(select(Area.name).where(Area.id.in_(data["area_ids"])))).all()  # type: ignore[union-attr]
        return ", ".join(sorted(names))
    return "; ".join([await group_label(ctx.session, g) for g in data["group_ids"]])


@flow.ask("preview")
async def ask_preview(ctx: Context) -> None:
    if ctx.data["author_role"] == "police" and not ctx.data.get("code"):
        code = new_code(groups=1, size=6)
        while (await ctx.session.exec(select(Alert.id).where(Alert.verification_code == code))).first():
            code = new_code(groups=1, size=6)
        ctx.data["code"] = code
    ctx.reply(text(ctx.data), media=media(ctx.data))
    when = (
        _("now") if not ctx.data.get("send_at") else fmt_datetime(datetime.fromisoformat(ctx.data["send_at"]))
    )
    if (held := held_until(ctx)) is not None:
        when = _("at {when}, when the night's quiet hours end (only urgent alerts wake people)").format(
            when=fmt_datetime(held)
        )
    ctx.reply(
        _(
            'Above is exactly what residents will see, with an "I have read this" button. '
            "It goes to {scope}, {when}. Send it?"
        ).format(scope=await scope_label(ctx), when=when),
        [Choice(_("Send"), Confirm("send")), Choice(_("Don't send"), Confirm("drop"))],
    )


@flow.on("preview")
async def on_preview(ctx: Context) -> Outcome:
    if Confirm.expect(ctx).answer == "drop":
        ctx.reply(_("Nothing was sent."))
        return finish()
    powers = powers_of(await ctx.grants())  # roles may have changed while the form was open
    allowed = (
        powers is not None
        and powers.role == ctx.data["author_role"]
        and powers.ward_code == ctx.data["ward_code"]
    )
    if powers is not None and powers.role != "police":
        allowed = allowed and set(ctx.data["group_ids"]) <= set(powers.group_ids)
    if not allowed:
        ctx.reply(_("You may no longer send alerts there. Nothing was sent."))
        return finish()
    send_at = datetime.fromisoformat(ctx.data["send_at"]) if ctx.data.get("send_at") else clock.now()
    alert = await store(ctx.session, ctx.data, ctx.person_id, send_at)
    ctx.audit(
        "alert.created", "alert", str(alert.id), alert.ward_code, scope=alert.scope, severity=alert.severity
    )
    held = held_until(ctx)
    if ctx.data.get("send_at"):
        ctx.reply(
            _("Scheduled for {when}. You can follow it or cancel it with /canhbao.").format(
                when=fmt_datetime(held or send_at)
            )
        )
        return finish()
    people, chats = await release(ctx.session, ctx.app.settings, alert)
    if held is not None:
        ctx.reply(
            _(
                "Queued for {people} people and {chats} group chats: it goes out at {when}, when the night's "
                "quiet hours end. Follow the deliveries with /canhbao."
            ).format(people=people, chats=chats, when=fmt_datetime(held))
        )
        return finish()
    ctx.reply(
        _("Sent to {people} people and {chats} group chats. Follow the deliveries with /canhbao.").format(
            people=people, chats=chats
        )
    )
    return finish()


def held_until(ctx: Context) -> datetime | None:
    """When a non-urgent alert sent at its moment (now, or the time chosen) waits for quiet hours to end: the
    author is told so rather than "sent" (handlers/alerts/delivery.py holds it)."""
    if ctx.data.get("severity") == "urgent":
        return None
    moment = datetime.fromisoformat(ctx.data["send_at"]) if ctx.data.get("send_at") else clock.now()
    return quiet_until(moment, ctx.app.settings.quiet_hours)
