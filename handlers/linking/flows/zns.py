"""/sdtzalo (/zalophone): a person gives a phone number so that urgent alerts and "a new reply to your tip" reach
them by ZNS (Zalo's notification by phone number) when no chat can. Sending the number, with the command or typed
under the notice that says exactly what it is used for, is the agreement; the number is sealed, used for nothing
else, shown by /toi and erased by /xoadulieu or by `/sdtzalo xoa`. Offered only where ZNS is configured."""

from __future__ import annotations

import phonenumbers

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.router import Router
from bot.delivery.reach import PHONE_PURPOSE
from bot.i18n import N_, _
from models.zalo import ZnsConsent

router = Router("linking.zns")
# The notice, then the number typed alone: people who do not type commands (on the Zalo Bot, numbered lines and
# words) answer the question asked; the number sent alone outside it would be checked as a stranger's.
flow = Flow("zns_phone", steps=("number",))
REMOVE_WORDS = {"xoa", "xóa", "huy", "hủy", "remove", "delete", "stop"}


def zns_on(ctx: Context) -> bool:
    settings = ctx.app.settings
    return bool(
        settings.zalo_oa_app_id
        and (settings.zalo_zns_urgent_alert_template or settings.zalo_zns_tip_reply_template)
    )


def for_zns(raw: str) -> str | None:
    """A Vietnamese mobile number in any spelling as ZNS wants it: "84xxxxxxxxx"; None if it is not one."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 84:
        return None
    return f"84{number.national_number}"


def masked(phone: str) -> str:
    """ "84912345678" → "0••••••678": enough for the person to recognise, nothing for a shoulder to read."""
    return "0" + "•" * max(len(phone) - 5, 0) + phone[-3:]


@router.command(
    "sdtzalo", "zalophone", help=N_("Get urgent alerts by your phone number on Zalo, even without a chat")
)
async def zalo_phone(ctx: Context) -> None:
    assert ctx.person is not None
    typed = ctx.event.args.strip()
    if typed.lower() in REMOVE_WORDS:
        await remove(ctx)
        return
    if not zns_on(ctx):
        ctx.reply(_("Notifications by phone number on Zalo are not turned on here."))
        return
    if not typed:
        ctx.begin("zns_phone")
        return
    if not await keep(ctx, typed):
        ctx.reply(_("That does not look like a Vietnamese mobile number. Please check it and send it again."))


@flow.ask("number")
async def ask_number(ctx: Context) -> None:
    lines = [
        _(
            "When no chat can reach you, I can send a short Zalo notification to your phone number: only "
            'for urgent alerts and for "you have a new reply to your tip, open An Dân" (never what your tip '
            "says). Your number is used for nothing else, and /xoadulieu or /sdtzalo xoa erases it."
        ),
        _("To agree, type your phone number here, for example 0912 345 678 (/huy to leave it)."),
    ]
    current = await ctx.session.get(ZnsConsent, ctx.person_id)
    if current is not None:
        kept = ctx.app.keyring.unseal(PHONE_PURPOSE, current.phone)
        lines.append(
            _("Now in use: {phone}. To stop, send /sdtzalo xoa").format(
                phone=masked(kept.decode()) if kept else "?"
            )
        )
    ctx.reply("\n\n".join(lines))


@flow.on("number", numbers=True)
async def on_number(ctx: Context) -> Outcome:
    typed = ctx.event.text.strip()
    if typed.lower() in REMOVE_WORDS:
        await remove(ctx)
        return finish()
    if not await keep(ctx, typed):
        return retry(
            _(
                "That does not look like a Vietnamese mobile number. Please type it again, for example "
                "0912 345 678, or /huy to leave it."
            )
        )
    return finish()


async def remove(ctx: Context) -> None:
    current = await ctx.session.get(ZnsConsent, ctx.person_id)
    if current is None:
        ctx.reply(_("I do not keep a phone number of yours for Zalo notifications."))
        return
    await ctx.session.delete(current)
    ctx.audit("zns.consent_withdrawn", "person", str(ctx.person_id))
    ctx.reply(_("Done: your phone number is erased and no longer used for Zalo notifications."))


async def keep(ctx: Context, typed: str) -> bool:
    """Seal and keep the number typed, and say where notifications will go; False if it is no mobile number."""
    phone = for_zns(typed)
    if phone is None:
        return False
    sealed = ctx.app.keyring.seal(PHONE_PURPOSE, phone.encode())
    current = await ctx.session.get(ZnsConsent, ctx.person_id)
    if current is None:
        current = ZnsConsent(person_id=ctx.person_id, phone=sealed, consented_at=clock.now())
    current.phone, current.consented_at = sealed, clock.now()
    ctx.session.add(current)
    ctx.audit("zns.consent_given", "person", str(ctx.person_id))
    ctx.reply(
        _(
            "Thank you. Urgent alerts and news of your tips will reach {phone} by Zalo notification when no "
            "chat can. To stop, send /sdtzalo xoa"
        ).format(phone=masked(phone))
    )
    return True


router.flow(flow)
