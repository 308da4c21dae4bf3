"""/camket: a household member reads the pledge, confirms the household, types the signer's name and signs."""

from __future__ import annotations

from sqlmodel import select

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.names import person_name
from bot.core.payloads import read_any
from bot.core.replies import Choice, split_text
from bot.core.router import Router
from bot.core.typed import read_it, yes_or_no
from bot.i18n import N_, _, fmt_date, fmt_time
from bot.textnorm import fold
from handlers.common import yes_no
from handlers.firesafety.offer import offer_checklist
from handlers.pledges import verify
from handlers.pledges.buttons import (
    ConfirmWithdraw,
    KeepSignature,
    NotMyHousehold,
    ReadPledge,
    SignForHousehold,
    SignPledge,
    Withdraw,
)
from handlers.pledges.flows.membership import settle_move, start_join
from handlers.pledges.store import (
    active_signature,
    add_signature,
    current_version,
    home_group,
    is_open,
    my_households,
    next_campaign_for_group,
    open_campaign_for_group,
)
from handlers.pledges.texts import household_label
from models import Group, Household
from models.pledges import PledgeCampaign, PledgeSignature, PledgeVersion

router = Router("pledges.signing")
flow = Flow("pledge_sign", steps=("read", "household", "name", "confirm"))
PART = 1200  # a pledge is read on phones: paragraphs, a screen at a time
MAX_NAME = 80
CHECK = {"kiemtra", "check"}
WITHDRAW = {"rut", "ruttlai", "withdraw"}


@router.command("camket", "pledge", help=N_("Sign your household's yearly safety pledge"), needs_person=False)
async def pledge(ctx: Context) -> None:
    head, _sep, rest = ctx.event.args.strip().partition(" ")
    if fold(head) in CHECK:
        await check(ctx, rest.strip())
        return
    if ctx.person is None:
        ctx.reply(_("First, let's get you set up. It takes a minute."))
        ctx.begin("onboarding")
        return
    await settle_move(ctx)  # a household of the group they left is no longer theirs to sign for
    group = await home_group(ctx.session, await ctx.grants())
    campaign = await open_campaign_for_group(ctx.session, group) if group else None
    upcoming = await next_campaign_for_group(ctx.session, group) if group and campaign is None else None
    if upcoming is not None and group is not None:
        # Opened ahead (in November for the next year): when to come back, and what can be done already.
        text = _("“{title}” opens on {date}: come back then and sign with /camket.").format(
            title=upcoming.title, date=fmt_date(upcoming.starts_on)
        )
        if not [h for h in await my_households(ctx.session, ctx.person_id) if h.group_id == group.id]:
            text += "\n" + _(
                "Meanwhile, find your household with /hocuatoi, so that you can sign on the first day."
            )
        ctx.reply(text)
        return
    if campaign is None:
        ctx.reply(
            _(
                "There is no pledge campaign open for your area right now. Anyone can check a pledge code with "
                "/camket kiemtra <code>."
            )
        )
        return
    households = await my_households(ctx.session, ctx.person_id)
    households = [h for h in households if h.group_id == group.id]  # type: ignore[union-attr]
    if not households:
        if await my_households(ctx.session, ctx.person_id, confirmed=False):
            ctx.reply(
                _(
                    "Your group leader has not yet confirmed the household you asked to join. You can sign "
                    "once they do."
                )
            )
            return
        ctx.reply(_("To sign, you must first be linked to your household."))
        await start_join(ctx)
        return
    unsigned: list[Household] = []
    for household in households:
        signature = await active_signature(ctx.session, campaign.id or 0, household.id or 0)
        if signature is None:
            unsigned.append(household)
            continue
        ctx.reply(
            already_signed(household, signature),
            [Choice(_("Withdraw this signature"), Withdraw(signature.id or 0))]
            if fold(head) in WITHDRAW
            else [],
        )
    if not unsigned:
        if fold(head) not in WITHDRAW:
            ctx.reply(_("To withdraw the signature and sign again, type /camket rut."))
        return
    if fold(head) in WITHDRAW:
        ctx.reply(_("Your household has not signed, so there is nothing to withdraw."))
        return
    ctx.begin("pledge_sign", campaign_id=campaign.id, households=[h.id for h in unsigned])


def already_signed(household: Household, signature: PledgeSignature) -> str:
    return _(
        "The household {household} already signed on {date} at {time}; the signature was given by {name}. "
        "Verification code: {code}."
    ).format(
        household=household_label(household),
        date=fmt_date(signature.signed_at),
        time=fmt_time(signature.signed_at),
        name=signature.signer_name,
        code=verify.shown(signature.code),
    )


async def check(ctx: Context, code: str) -> None:
    if not code:
        ctx.reply(_("Type the code after the command, for example: /camket kiemtra ABCD-2345"))
        return
    ctx.reply(verify.describe(await verify.lookup(ctx.session, code), code))


async def campaign_and_version(ctx: Context) -> tuple[PledgeCampaign | None, PledgeVersion | None]:
    campaign = await ctx.session.get(PledgeCampaign, ctx.data["campaign_id"])
    if campaign is None:
        return None, None
    return campaign, await current_version(ctx.session, campaign.id or 0)


@flow.ask("read")
async def ask_read(ctx: Context) -> None:
    campaign, version = await campaign_and_version(ctx)
    assert campaign is not None and version is not None
    ctx.data["version_id"] = version.id
    parts = split_text(version.text, PART)
    ctx.reply(_("“{title}” — please read the pledge ({n} parts):").format(title=campaign.title, n=len(parts)))
    for part in parts[:-1]:
        ctx.reply(part)
    ctx.reply(parts[-1], yes_no(_("I have read it"), _("Not now"), ReadPledge))


@flow.on("read")
async def on_read(ctx: Context) -> Outcome:
    if not ReadPledge.expect(ctx).yes:
        ctx.reply(_("Nothing was signed. Come back with /camket when you are ready."))
        return finish()
    return goto("household")


@flow.ask("household")
async def ask_household(ctx: Context) -> None:
    rows = [await ctx.session.get(Household, hid) for hid in ctx.data["households"]]
    choices = [Choice(household_label(h)[:60], SignForHousehold(h.id or 0)) for h in rows if h is not None]
    ctx.reply(
        _("You sign for this household — please check the address and the head of household:"),
        [*choices, Choice(_("This is not my household"), NotMyHousehold())],
    )


@flow.on("household")
async def on_household(ctx: Context) -> Outcome:
    pressed = read_any(ctx, NotMyHousehold, SignForHousehold)
    households = ctx.data["households"]
    if pressed is None and ctx.event.kind == Kind.TEXT and len(households) == 1:
        # "Is this your household?" answered in words: "đồng ý", "đúng rồi", "ok" sign for the one shown (its
        # button says the address, which no word of agreement matches), "không" says it is not theirs.
        if read_it(ctx.event.text):  # a yes, an assent
            pressed = SignForHousehold(households[0])
        elif yes_or_no(ctx.event.text) is False:
            pressed = NotMyHousehold()
    match pressed:
        case NotMyHousehold():
            ctx.reply(
                _(
                    "Nothing was signed. Ask your group leader to correct the household list (/hocuatoi shows "
                    "yours)."
                )
            )
            return finish()
        case SignForHousehold(household_id=household_id) if household_id in ctx.data["households"]:
            ctx.data["household_id"] = household_id
            return goto("name")
    raise NotChosen()


@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    ctx.reply(
        _(
            "As your signature, type the full name of the person signing for the household (for example "
            "Nguyễn Văn An)."
        )
    )


@flow.on("name", names=True)
async def on_name(ctx: Context) -> Outcome:
    name = None if ctx.event.choice else person_name(ctx.event.text, full=True, longest=MAX_NAME)
    if name is None:
        return retry(
            _("Please type a full name of at least two words, letters only (for example Nguyễn Văn An).")
        )
    ctx.data["name"] = name
    return goto("confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    campaign, _version = await campaign_and_version(ctx)
    household = await ctx.session.get(Household, ctx.data["household_id"])
    assert campaign is not None and household is not None
    ctx.reply(
        _("{name} signs “{title}” on behalf of the household {household}. Sign now?").format(
            name=ctx.data["name"], title=campaign.title, household=household_label(household)
        ),
        yes_no(_("Sign the pledge"), _("Cancel"), SignPledge),
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not SignPledge.expect(ctx).yes:
        ctx.reply(_("Nothing was signed."))
        return finish()
    campaign, version = await campaign_and_version(ctx)
    household = await ctx.session.get(Household, ctx.data["household_id"])
    if campaign is None or household is None or not is_open(campaign):
        ctx.reply(await closed_meanwhile(ctx, campaign, household))
        return finish()
    existing = await active_signature(ctx.session, campaign.id or 0, household.id or 0)
    if existing is not None:  # another member signed while this one was reading
        ctx.reply(already_signed(household, existing))
        return finish()
    assert version is not None
    code = verify.new_code()
    while (await ctx.session.exec(select(PledgeSignature.id).where(PledgeSignature.code == code))).first():
        code = verify.new_code()
    signature = await add_signature(
        ctx.session,
        PledgeSignature(
            campaign_id=campaign.id or 0,
            version_id=version.id or 0,
            household_id=household.id,
            group_id=household.group_id,
            address=household.address,
            person_id=ctx.person_id,
            signer_name=ctx.data["name"],
            code=code,
            signed_at=clock.now(),
            active_key=f"{campaign.id}:{household.id}",
        ),
        sqlite=ctx.app.db.is_sqlite,
    )
    if signature is None:  # another member signed it in these same seconds, from another chat
        existing = await active_signature(ctx.session, campaign.id or 0, household.id or 0)
        ctx.reply(
            already_signed(household, existing)
            if existing is not None
            else _("Nothing was signed. Come back with /camket when you are ready.")  # and withdrew it since
        )
        return finish()
    ctx.reply(
        _(
            "Signed. Thank you! Your household's pledge is recorded (text version {version}, {date}).\n"
            "Verification code: {code}\nAnyone can check it with /camket kiemtra {code}; it shows no personal "
            "data. While the campaign is open you can withdraw with /camket rut."
        ).format(version=version.number, date=fmt_date(signature.signed_at), code=verify.shown(code))
    )
    await offer_checklist(ctx, household)  # the fire-safety checklist, in the same sitting
    return finish()


async def closed_meanwhile(ctx: Context, campaign: PledgeCampaign | None, household: Household | None) -> str:
    """Nothing was signed: the campaign closed while they read (at midnight on its last day). When the next one is
    open by now (1 January: the new year's), they are sent to it rather than left thinking signing is over."""
    group = await ctx.session.get(Group, household.group_id) if household is not None else None
    now_open = await open_campaign_for_group(ctx.session, group) if group is not None else None
    if campaign is None or now_open is None or now_open.id == campaign.id:
        return _("The campaign is closed, so nothing was signed.")
    return _(
        "“{title}” closed at the end of {date}, so nothing was signed. “{new}” is open now: sign it with /camket."
    ).format(title=campaign.title, date=fmt_date(campaign.ends_on), new=now_open.title)


@router.choice(SignPledge)
async def sign_pressed_again(ctx: Context) -> None:
    """ "Ký cam kết" of a /camket form that is over: pressed twice because the phone was slow, after another member
    of the household signed, or after the campaign closed. The answer is where the household stands, as /camket
    says it, and nothing is signed by an old button (an unsigned household is taken through the form again).
    Before, "this button belongs to an old message": whether the pledge was signed was left unsaid."""
    pressed = SignPledge.read(ctx)
    if pressed is None or ctx.state.flow:
        raise NotChosen()  # within another form, that form's question stays the one to answer
    if not pressed.yes:
        ctx.reply(_("Nothing was signed."))
        return
    await pledge(ctx)
    if not ctx.stays_in_form():  # not signed yet: the form again, from the pledge's text
        ctx.reply(
            _("That button belonged to a form that is over, so nothing was signed. Here is the pledge again:")
        )


@router.choice(Withdraw)
async def on_withdraw(ctx: Context) -> None:
    pressed = Withdraw.read(ctx)
    if pressed is None:
        raise NotChosen()
    signature = await owned_signature(ctx, pressed.signature_id)
    if signature is None:
        return
    ctx.reply(
        _(
            "Withdraw the signature given by {name} on {date}? The household can sign again while the campaign "
            "is open."
        ).format(name=signature.signer_name, date=fmt_date(signature.signed_at)),
        [Choice(_("Yes, withdraw"), ConfirmWithdraw(signature.id or 0)), Choice(_("No"), KeepSignature())],
    )


@router.choice(ConfirmWithdraw)
async def on_withdraw_confirmed(ctx: Context) -> None:
    if KeepSignature.read(ctx) is not None:
        ctx.reply(_("Nothing was changed."))
        return
    pressed = ConfirmWithdraw.read(ctx)
    if pressed is None:
        raise NotChosen()
    signature = await owned_signature(ctx, pressed.signature_id)
    if signature is None:
        return
    signature.withdrawn_at, signature.active_key = clock.now(), None
    ctx.session.add(signature)
    ctx.audit("pledge.withdrawn", "pledge_signature", str(signature.id), None)
    ctx.reply(_("The signature was withdrawn. Type /camket to sign again."))


async def owned_signature(ctx: Context, signature_id: int) -> PledgeSignature | None:
    """The pressed signature, if the person belongs to its household and the campaign is still open."""
    if ctx.person is not None:
        await settle_move(ctx)  # an old button of a household they moved away from
    signature = await ctx.session.get(PledgeSignature, signature_id) if ctx.person else None
    mine = {h.id for h in await my_households(ctx.session, ctx.person_id)} if ctx.person else set()
    if signature is None or signature.household_id not in mine or signature.withdrawn_at is not None:
        ctx.reply(_("That signature cannot be withdrawn by you, or was already withdrawn."))
        return None
    campaign = await ctx.session.get(PledgeCampaign, signature.campaign_id)
    if campaign is None or not is_open(campaign):
        ctx.reply(_("The campaign is closed: its signatures can no longer be withdrawn."))
        return None
    return signature
