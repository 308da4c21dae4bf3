"""/soancanhbao: what an alert says (category, severity, title, body, photo, link, the scammers' identifiers)."""

from __future__ import annotations

import re

from bot.cleaning.result import Content, Verdict
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Outcome, goto, retry
from bot.core.replies import Choice
from bot.i18n import N_, _
from handlers.alerts.base import AUTHORS, compose, router
from handlers.alerts.identifiers import domain_of
from handlers.alerts.places import powers_of, ward_of
from handlers.alerts.render import CATEGORIES, SEVERITIES
from handlers.common import group_label, pick_reason, picked

TITLE_MAX = 120
BODY_MAX = 2500
WATCH_MAX = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024


async def begin(ctx: Context) -> None:
    """Start composing, with the author's reach worked out once (and checked again on confirm)."""
    powers = powers_of(await ctx.grants())
    if powers is None:
        ctx.reply(_("Only group leaders and the ward police can send alerts."))
        return
    issuer = (await ward_of(ctx.session, powers.ward_code)).name
    if powers.group_ids:
        issuer = await group_label(ctx.session, powers.group_ids[0])
    ctx.begin("alert_compose", author_role=powers.role, ward_code=powers.ward_code, issuer=issuer)


@router.command(
    "soancanhbao", "newalert", help=N_("Write an alert for residents (leaders and police)"), roles=AUTHORS
)
async def new_alert(ctx: Context) -> None:
    await begin(ctx)


@compose.ask("category")
async def ask_category(ctx: Context) -> None:
    ctx.reply(
        _("What is the alert about?"), [Choice(_(label), f"cat:{key}") for key, label in CATEGORIES.items()]
    )


@compose.on("category")
async def on_category(ctx: Context) -> Outcome:
    value = picked(ctx, "cat")
    if value not in CATEGORIES:
        return retry(pick_reason())
    ctx.data["category"] = value
    return goto("severity")


@compose.ask("severity")
async def ask_severity(ctx: Context) -> None:
    ctx.reply(
        _(
            "How serious is it? Urgent alerts reach everyone at once, even at night; information-level ones "
            "wait for the morning and can be muted by residents."
        ),
        [Choice(_(label), f"sev:{key}") for key, label in SEVERITIES.items()],
    )


@compose.on("severity")
async def on_severity(ctx: Context) -> Outcome:
    value = picked(ctx, "sev")
    if value not in SEVERITIES:
        return retry(pick_reason())
    ctx.data["severity"] = value
    return goto("title")


def typed(ctx: Context) -> str | None:
    return ctx.event.text.strip() if ctx.event.kind == Kind.TEXT and ctx.event.text.strip() else None


@compose.ask("title")
async def ask_title(ctx: Context) -> None:
    ctx.reply(_('Type a short title, e.g. "Calls impersonating the police asking for money".'))


@compose.on("title")
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


@compose.ask("body")
async def ask_body(ctx: Context) -> None:
    ctx.reply(_("Now describe how the criminals operate and what residents should do."))


@compose.on("body")
async def on_body(ctx: Context) -> Outcome:
    body = typed(ctx)
    if body is None or len(body) < 10:
        return retry(_("Please describe it in at least 10 characters."))
    if len(body) > BODY_MAX:
        return retry(
            _("The text is too long ({n} characters, at most {max}). Please shorten it.").format(
                n=len(body), max=BODY_MAX
            )
        )
    ctx.data["body"] = body
    return goto("photo")


@compose.ask("photo")
async def ask_photo(ctx: Context) -> None:
    ctx.reply(
        _("Send a photo to go with the alert, or continue without one."),
        [Choice(_("No photo"), "photo:none")],
    )


@compose.on("photo")
async def on_photo(ctx: Context) -> Outcome:
    if picked(ctx, "photo") == "none":
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


@compose.ask("link")
async def ask_link(ctx: Context) -> None:
    ctx.reply(
        _("Type a link for more information (e.g. the police's article), or continue without one."),
        [Choice(_("No link"), "link:none")],
    )


@compose.on("link")
async def on_link(ctx: Context) -> Outcome:
    if picked(ctx, "link") == "none":
        ctx.data["link"] = None
    else:
        value = typed(ctx)
        if value is None or " " in value or domain_of(value) is None:
            return retry(
                _('That does not look like a link. Type it like https://example.vn/page, or press "No link".')
            )
        ctx.data["link"] = value if re.match(r"^https?://", value, re.I) else "https://" + value
    return goto("watch" if ctx.data["category"] == "scam" else "scope")


@compose.ask("watch")
async def ask_watch(ctx: Context) -> None:
    ctx.reply(
        _(
            "Which phone numbers, bank accounts, links or Zalo/Facebook names do the scammers use? Type them, "
            "one per line, so residents can check a suspicious message with /kiemtra."
        ),
        [Choice(_("None known"), "watch:none")],
    )


@compose.on("watch")
async def on_watch(ctx: Context) -> Outcome:
    if picked(ctx, "watch") == "none":
        ctx.data["watch_for"] = []
        return goto("scope")
    value = typed(ctx)
    if value is None:
        return retry(_('Please type them, one per line, or press "None known".'))
    lines = [" ".join(part.split()) for part in re.split(r"[\n;]", value) if part.strip()]
    if len(lines) > WATCH_MAX or any(len(line) > 100 for line in lines):
        return retry(_("Please type at most {max} items, each on its own line.").format(max=WATCH_MAX))
    ctx.data["watch_for"] = lines
    return goto("scope")
