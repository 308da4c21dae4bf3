"""/kiemtra: a resident pastes a suspicious message, number or link; we say what the ward and province know about it.

Every registered source (alerts here, scam tips elsewhere) is asked with the same normalised query; a police
alert's verification code found in the text is confirmed or denied.
"""

from __future__ import annotations

from sqlmodel import select

from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.router import Router
from bot.extensions.scam_sources import Match, Query
from bot.i18n import N_, _, fmt_date
from bot.textnorm import fold
from handlers.alerts.identifiers import CODE_LENGTH, accounts_in, codes_in, domains_in, phones_in
from handlers.alerts.places import place_of, ward_of
from models.alerts import Alert, AlertStatus

router = Router("alerts.scamcheck")
flow = Flow("scam_check", steps=("paste",))

SHOWN = 5
CODE_WORDS = ("ma xac minh", "verification code")


@router.command("kiemtra", "check", help=N_("Check a suspicious message, phone number or link"))
async def check(ctx: Context) -> None:
    if ctx.event.args.strip():
        await answer(ctx, ctx.event.args)
        return
    ctx.begin("scam_check")


@flow.ask("paste")
async def ask_paste(ctx: Context) -> None:
    ctx.reply(
        _(
            "Paste the suspicious message, phone number, link or verification code here. I will tell you "
            "whether the police or your neighbours have warned about it."
        )
    )


@flow.on("paste")
async def on_paste(ctx: Context) -> Outcome:
    if ctx.event.kind != Kind.TEXT or not ctx.event.text.strip():
        return retry(_("Please paste the text of the message (copy it, then paste it here)."))
    await answer(ctx, ctx.event.text)
    return finish()


async def verify_codes(ctx: Context, text: str) -> list[str]:
    """Lines confirming or denying the verification codes found in the text."""
    lines: list[str] = []
    codes = codes_in(text)
    alone = len(text.strip()) == CODE_LENGTH
    claims = alone or any(word in fold(text) for word in CODE_WORDS)
    for code in codes:
        alert = (
            await ctx.session.exec(
                select(Alert).where(Alert.verification_code == code, Alert.status == AlertStatus.SENT)
            )
        ).first()
        if alert is not None:
            lines.append(
                _(
                    '✅ {code} is the code of a genuine alert from the police of {place}: "{title}", sent on '
                    "{date}."
                ).format(
                    code=code,
                    place=alert.issuer,
                    title=alert.title,
                    date=fmt_date(alert.released_at or alert.send_at),
                )
            )
        elif claims:
            lines.append(
                _(
                    "❌ No police alert has the code {code}. A message showing it did not come from the ward "
                    "police through An Dân: do not follow its instructions."
                ).format(code=code)
            )
    return lines


def as_typed(text: str, matched: str) -> str:
    """What matched, in the words of the pasted text ("công an phường", not the folded "cong an phuong")."""
    wanted = set(fold(matched).split())
    typed = [w.strip(",.;:!?\"'()") for w in text.split()]
    kept = [w for w in typed if w and fold(w) in wanted]
    return " ".join(dict.fromkeys(kept)) if kept and "+" not in matched else matched


async def answer(ctx: Context, text: str) -> None:
    place = await place_of(ctx.session, await ctx.grants())
    if place is None:
        ctx.reply(_("Join your group first (type /start) so I know which ward's warnings to check."))
        return
    ward = await ward_of(ctx.session, place.ward_code)
    query = Query(
        ward_code=ward.code,
        province_code=ward.province_code,
        words=tuple(fold(text).split()),
        phones=tuple(phones_in(text)),
        domains=tuple(domains_in(text)),
        accounts=tuple(accounts_in(text)),
    )
    lines = await verify_codes(ctx, text)
    found: list[Match] = []
    for search in ctx.app.registry.scam_sources.values():
        found += await search(ctx.session, query)
    found.sort(key=lambda m: -m.score)
    if found:
        lines.append(_("⚠️ This matches what is known in your ward and province:"))
        for m in found[:SHOWN]:
            # Outside any f-string, so the catalogs see it; the words as the person typed them, accents kept.
            lines.append(
                "• "
                + _("{summary} (matched: {what})").format(summary=m.summary, what=as_typed(text, m.matched))
            )
        lines.append(
            _(
                "Treat it as a scam: do not call back, do not click the link, never transfer money or share "
                "an OTP code. If you have already done so, call your bank at once, then 113 or the ward "
                "police."
            )
        )
    elif not lines:
        lines.append(
            _(
                "I found nothing about this in the alerts and tips of your ward and province. That does not "
                "mean it is safe."
            )
        )
    if not found:
        lines.append(
            _(
                "Remember: never transfer money or share an OTP code with someone who calls or messages "
                "you, even if they say they are police, a bank or an official: the police never ask for "
                "money over the phone. If in doubt, call 113 or the ward police, and report it with /togiac."
            )
        )
    ctx.reply("\n\n".join(lines))
