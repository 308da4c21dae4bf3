"""/diaban, importing a file: the ward's areas and groups (with their leaders) from a spreadsheet, all or nothing,
with the lines to fix when any has a problem."""

from __future__ import annotations

import asyncio

from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Outcome, finish, goto, retry, stay
from bot.i18n import _
from handlers.places import importer, sheet
from handlers.places.flows.places import flow, still_admin
from handlers.places.texts import share_links, zalo_file_text

MAX_PROBLEMS_SHOWN = 25


@flow.ask("import")
async def ask_import(ctx: Context) -> None:
    if ctx.event.channel.startswith("zalo"):
        ctx.reply(
            zalo_file_text(
                ctx,
                _("There, type /diaban, choose “{entry}” and send the file.").format(
                    entry=_("Import a file")
                ),
            )
        )
        return
    ctx.reply(
        _(
            "Send the spreadsheet (CSV or Excel .xlsx) of the ward's areas and groups: one line per group. The "
            "first row names the columns “area” and “group” (or “Khu vực/Tổ dân phố” and “Tổ”); “leader_name” "
            "and “leader_phone” are optional, and each group with a leader gets a leader invite. Areas and groups "
            "that already exist are left as they are. If any line has a problem, nothing is imported and I list "
            "the lines to fix."
        )
    )


@flow.on("import", files=True)
async def on_import(ctx: Context) -> Outcome:
    event = ctx.event
    if event.kind != Kind.MEDIA or not event.attachments:
        return retry(_("Please send the file itself (CSV or .xlsx), or type /huy to stop."))
    if not await still_admin(ctx):
        return finish()
    data = await ctx.download(event.attachments[0])
    ward = ctx.data["ward"]
    # Parsing a workbook is CPU work: off the event loop, so other conversations do not wait for it.
    parsed = await asyncio.to_thread(sheet.parse, data, sheet.Limits.of(ctx.app.settings), ward)
    if not parsed.problems:
        await importer.check(ctx.session, parsed, allowed_wards={ward})
    if parsed.problems:
        shown = parsed.problems[:MAX_PROBLEMS_SHOWN]
        lines = [importer.refused()]
        lines += [f"• {p.text()}" for p in shown]
        if len(parsed.problems) > len(shown):
            lines.append(_("… and {n} more problems.").format(n=len(parsed.problems) - len(shown)))
        ctx.reply("\n".join(lines))
        return stay()
    outcome = await importer.apply(
        ctx.session, ctx.app.keyring, ctx.app.settings, parsed.rows, actor=ctx.person_id
    )
    ctx.reply("\n".join(importer.summary(outcome)))
    for leader in outcome.leaders:
        assert leader.code is not None
        ctx.reply("\n".join([*importer.leader_lines(leader), *share_links(ctx, leader.code)]))
    return goto("menu")
