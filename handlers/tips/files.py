"""A tipster's files: downloaded, cleaned off the event loop and kept encrypted as they arrive; those that may
identify an anonymous tipster (a voice, a file whose hidden details could not be removed) await their decision
to keep or remove them, and are named again in the summary before the tip is sent."""

from __future__ import annotations

from bot.cleaning import Verdict
from bot.core.context import Context
from bot.core.payloads import Payload
from bot.core.replies import Choice
from bot.i18n import _
from handlers.tips.store import RISK_VOICE, Refused, Stored, keep_file, remove_files

MAX_FILES = 10


async def take_files(ctx: Context, files: list[list], warn: bool) -> list[str]:
    """Download, clean and keep the event's attachments into `files` (at most MAX_FILES in all); returns what
    to tell the tipster. With `warn`, a file that may identify them awaits their decision (ctx.data["pending"])."""
    notes: list[str] = []
    pending = ctx.data.setdefault("pending", [])
    for attachment in ctx.event.attachments:
        if len(files) >= MAX_FILES:
            notes.append(
                _("At most {n} files can go with one tip; the others were not kept.").format(n=MAX_FILES)
            )
            break
        data = await ctx.download(attachment)
        kept = await keep_file(ctx.app, data, attachment.kind, attachment.mime_type)
        if isinstance(kept, Refused):
            notes.append(refusal_text(ctx, kept))
            continue
        files.append(kept.as_json())
        if kept.risk and warn:
            notes.append(risk_text(kept, len(files)))
            pending.append(kept.original_ref)
    return notes


def refusal_text(ctx: Context, refused: Refused) -> str:
    if refused.verdict is Verdict.TOO_MANY_PIXELS:
        return _(
            "That picture has too many pixels to be handled safely (at most {n} million), so it was not kept. "
            "Please send a smaller copy, for example a screenshot of it."
        ).format(n=max(1, ctx.app.settings.files_max_pixels // 1_000_000))
    return _(
        "Many files are being checked right now, so this one was not kept. Please send it again in a "
        "minute; what you sent before is safe."
    )


def risk_text(stored: Stored, number: int) -> str:
    if stored.risk == RISK_VOICE:
        return _(
            "File {n} is a voice recording: the police will hear your voice, and a voice can identify you "
            "even in an anonymous tip. You may keep it, or remove it and type what you said instead."
        ).format(n=number)
    return _(
        "File {n}: we could not remove its hidden details (such as author, device or the place it was made), "
        "so the police would receive it exactly as you sent it, and it may identify you. Keep it as sent, "
        "or remove it?"
    ).format(n=number)


def _pending(ctx: Context) -> list[Stored]:
    refs = set(ctx.data.get("pending", []))
    return [s for v in ctx.data.get("files", []) if (s := Stored.from_json(v)).original_ref in refs]


def decide_choices(ctx: Context, keep: Payload, drop: Payload) -> list[Choice]:
    """Keep or remove the files awaiting a decision (none when nothing awaits one), as the form's own buttons."""
    waiting = _pending(ctx)
    if not waiting:
        return []
    if all(s.risk == RISK_VOICE for s in waiting):
        return [
            Choice(_("Keep the voice recording"), keep),
            Choice(_("Remove it, I will type"), drop),
        ]
    return [Choice(_("Keep it as sent"), keep), Choice(_("Remove it"), drop)]


async def decide_files(ctx: Context, answer: str) -> str:
    """Keep or remove (media deleted) the files awaiting a decision; returns what to tell the tipster."""
    waiting = _pending(ctx)
    ctx.data.pop("pending", None)
    if answer != "drop":
        return _("Kept: it will go with your tip.")
    ctx.data["files"] = await remove_files(
        ctx.app, ctx.data.get("files", []), {s.original_ref for s in waiting}
    )
    if any(s.risk == RISK_VOICE for s in waiting):
        return _("Removed; nothing of it was kept. Please type what you wanted to say.")
    return _("Removed; nothing of it was kept.")


def risk_summary(data: dict) -> str | None:
    """For the summary of an anonymous tip: a reminder of the files that may identify the tipster, or None."""
    risky = [s for v in data.get("files", []) if (s := Stored.from_json(v)).risk]
    if not risky:
        return None
    return _(
        "Before you send: {n} of your files may identify you. In a voice recording the police hear your "
        "voice; a file whose hidden details could not be removed goes exactly as you sent it. You may remove "
        "them first."
    ).format(n=len(risky))


async def drop_risky_files(ctx: Context) -> str:
    """Remove every file that may identify the tipster (their media deleted); returns what to tell them."""
    files = ctx.data.get("files", [])
    refs = {s.original_ref for v in files if (s := Stored.from_json(v)).risk}
    ctx.data["files"] = await remove_files(ctx.app, files, refs)
    ctx.data.pop("pending", None)
    return _("Removed {n} files; nothing of them was kept.").format(n=len(refs))
