"""The request form: kind, description (screened for police matters), the requester's and the other parties'
names, urgency, preferred times, privacy; then a case number, and the area's mediation group is told."""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry, stay
from bot.core.names import person_name
from bot.core.replies import Choice
from bot.core.typed import guessed_first, numbers_shown, read_it
from bot.i18n import _, local
from bot.textnorm import fold
from handlers.common import home, yes_no
from handlers.mediation import screen, store
from handlers.mediation.buttons import (
    AnyTime,
    AssignMenu,
    DisputeKind,
    KnownName,
    OpenCase,
    PartiesDone,
    PoliceAnswer,
    Private,
    SendRequest,
    TakeCase,
    Urgent,
)
from handlers.mediation.notify import push
from handlers.mediation.texts import KINDS, guess_kind, kind_label
from handlers.mediation.typed import no_name, said_done, split_parties, typed_urgency
from models import Group, Priority, Role, RoleGrant
from models.mediation import MediationCase, MediationParty

flow = Flow(
    "mediation_request",
    steps=(
        "kind",
        "description",
        "police",
        "name",
        "parties",
        "urgent",
        "times",
        "private",
        "confirm",
    ),
)
MAX_PARTIES = 10


@flow.ask("kind")
async def ask_kind(ctx: Context) -> None:
    choices = [Choice(_(label), DisputeKind(key)) for key, label in KINDS.items()]
    guess = guess_kind(ctx.data.get("carried") or "")
    if guess is None:
        ctx.reply(_("What is the dispute about?"), choices)
        return
    # Guessed from the words written before asking: offered first where there are buttons, for the person to
    # confirm (a press, or "có") or change. Numbered lines keep their order (bot.core.typed.guessed_first), so
    # there the guess is named with its number: "1" is not the guess unless it is the first kind.
    if numbers_shown(ctx):
        ctx.reply(
            _(
                'From what you wrote, the dispute seems to be about "{kind}" (number {n} below): type "yes" or {n} to '
                "confirm, or the number of another kind."
            ).format(kind=kind_label(guess), n=list(KINDS).index(guess) + 1),
            choices,
        )
        return
    ctx.reply(
        _(
            'From what you wrote, the dispute seems to be about "{kind}": press it to confirm, or choose another.'
        ).format(kind=kind_label(guess)),
        guessed_first(ctx, choices, DisputeKind(guess).pack()),
    )


@flow.on("kind")
async def on_kind(ctx: Context) -> Outcome:
    guess = guess_kind(ctx.data.get("carried") or "")
    said_yes = ctx.event.kind == Kind.TEXT and read_it(ctx.event.text)  # "dạ", "vâng", "ok": the guess
    told = ctx.event.text.strip()
    if DisputeKind.read(ctx) is None and not said_yes and ctx.event.kind == Kind.TEXT and len(told) >= 15:
        # Someone who starts telling straight away (or a photo's caption): the words are the description, and
        # the kind is guessed from them. Before, they got "please choose" and were lost.
        ctx.data["carried"] = ((ctx.data.get("carried") or "") + "\n" + told).strip()[:1500]
        return retry(_("Noted: your words will be the description. First, please choose what it is about:"))
    kind = guess if guess is not None and said_yes else DisputeKind.expect(ctx).key
    if kind not in KINDS:
        raise NotChosen()
    ctx.data["kind"] = kind
    carried = ctx.data.pop("carried", None)
    if carried:
        # The words the person wrote before asking for mediation: taken as the description when they would be.
        outcome = describe(ctx, carried)
        if outcome.action == "goto":
            return outcome
    return goto("description")


@flow.ask("description")
async def ask_description(ctx: Context) -> None:
    ctx.reply(
        _(
            "Describe the dispute in a few sentences: what happened, since when, and what you would like "
            "to agree on."
        )
    )


@flow.on("description", files=True)
async def on_description(ctx: Context) -> Outcome:
    if ctx.event.kind == Kind.MEDIA:
        # A photo of the fence or the noise is what people send first: it is said plainly that it was not kept
        # (a request is words only), rather than "write a little more" as if nothing had come.
        note = _(
            "A mediation request keeps words only, so your file was not kept: please show it to the mediator "
            "when you meet."
        )
        if len(ctx.event.text.strip()) < 15:
            return retry(note + "\n" + _("Please describe the dispute in words."))
        ctx.reply(note)
    return describe(ctx, ctx.event.text)


def describe(ctx: Context, typed: str) -> Outcome:
    text = typed.strip()
    if len(text) < 15:
        return retry(_("Please write a little more (at least a full sentence) so the mediator understands."))
    if len(text) > 1500:
        return retry(
            _("Please keep it under 1,500 characters; the mediator will hear the details in person.")
        )
    ctx.data["description"] = text
    found = screen.police_matters(text)
    if found:
        ctx.data["police"] = found
        return goto("police")
    return goto("name")


@flow.ask("police")
async def ask_police(ctx: Context) -> None:
    what = ", ".join(_(label) for label in screen.labels(ctx.data.get("police", [])))
    text = _(
        "Your description mentions {what}. Under article 3 of the Law on Grassroots Mediation (2013), acts "
        "that must be prosecuted or fined cannot be settled by mediation: the police must handle them, and "
        "a mediator may not make them go away.\n\nIf anyone is in danger now, call 113."
    ).format(what=what)
    choices = [
        Choice(_("Tell the police"), PoliceAnswer("tip")),
        Choice(_("I described it wrongly: write again"), PoliceAnswer("rewrite")),
        Choice(_("Stop here"), PoliceAnswer("stop")),
    ]
    ctx.reply(text, choices)


@flow.on("police")
async def on_police(ctx: Context) -> Outcome:
    answer = PoliceAnswer.expect(ctx).answer
    if answer == "rewrite":
        return goto("description")
    if answer == "stop":
        ctx.reply(_("Nothing was saved."))
        return finish()
    if "tip" not in ctx.app.registry.flows:
        ctx.reply(
            _(
                "Please use /togiac to send the ward police a tip (you may stay anonymous). In an emergency, "
                "call 113. Nothing from this mediation request was saved."
            )
        )
        return finish()
    # The description goes along, so nothing the person wrote is lost on the way to the police, with the category
    # the screen saw offered as the tip form's guess (before, "có" there was "please choose", and a "1" typed from
    # habit filed a knife under drugs). The form is begun here rather than through /togiac (as the problem form
    # hands a crime over): the police question above already said to call 113, and /togiac takes either that or a
    # guess, so words of danger ("cầm dao dọa chém") would lose the guess behind a second emergency screen.
    ctx.begin(
        "tip",
        text=ctx.data.get("description", ""),
        files=[],
        emergency_seen=True,
        guess=screen.tip_category(ctx.data.get("police", [])),
    )
    return finish()


@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    known = ctx.person.display_name if ctx.person else None
    choices = [Choice(known[:60], KnownName())] if known else []
    ctx.reply(_("Your full name, as it will stand in the mediation book:"), choices)


@flow.on("name", names=True)
async def on_name(ctx: Context) -> Outcome:
    known = ctx.person.display_name if ctx.person else None
    name = known if KnownName.read(ctx) is not None and known else person_name(ctx.event.text)
    if name is None:
        return retry(_("Please type your name (2 to 80 characters)."))
    ctx.data["name"] = name
    return goto("parties")


@flow.ask("parties")
async def ask_parties(ctx: Context) -> None:
    got = ctx.data.get("parties") or []
    if got:
        show_parties(ctx, got)
        return
    ctx.reply(
        _(
            "Who is the dispute with? One person per line, or one per message: the name and, if you know it, how "
            "to reach them. Then press Done. For example:\nNguyễn Văn Ba - 0912 345 678\nBà Tư, house 12"
        )
    )


def show_parties(ctx: Context, got: list[list[str | None]]) -> None:
    """Who was understood so far: on a phone, Enter sends, so the people may come in several messages."""
    ctx.reply(
        "\n".join(
            [
                _("Noted so far ({n}):").format(n=len(got)),
                *(f"• {name} ({contact})" if contact else f"• {name}" for name, contact in got),
                _("Type the next person, or press Done."),
            ]
        ),
        [Choice(_("Done"), PartiesDone())],
    )


@flow.on("parties", names=True)
async def on_parties(ctx: Context) -> Outcome:
    got: list[list[str | None]] = list(ctx.data.get("parties") or [])
    if PartiesDone.read(ctx) is not None:
        return goto("urgent") if got else retry(_("Please type at least one name, one person per line."))
    if no_name(ctx.event.text):
        return retry(
            _(
                "If you don't know their name, write who they are so the mediator can find them, for example: "
                "“the neighbour at house 12” or “the karaoke shop at the corner of alley 5”."
            )
        )
    if said_done(ctx.event.text):
        # "ok", "gửi", "có", "hết rồi" after the names: the list is done (they were saved as people before).
        return goto("urgent") if got else retry(_("Please type at least one name, one person per line."))
    found = split_parties(ctx.event.text)
    if not found or any(len(fold(name)) < 2 for name, _contact in found):
        return retry(_("Please type at least one name, one person per line."))
    if len(got) + len(found) > MAX_PARTIES:
        return retry(
            _("Please list at most {n} people; the mediator can add others later.").format(n=MAX_PARTIES)
        )
    ctx.data["parties"] = got + [[name, contact] for name, contact in found]
    show_parties(ctx, ctx.data["parties"])
    return stay()


@flow.ask("urgent")
async def ask_urgent(ctx: Context) -> None:
    ctx.reply(
        _("Is it urgent (the dispute is getting worse day by day)?"),
        yes_no(_("Yes, urgent"), _("No"), Urgent),
    )


@flow.on("urgent")
async def on_urgent(ctx: Context) -> Outcome:
    pressed = Urgent.read(ctx)
    typed = typed_urgency(ctx.event.text) if pressed is None and ctx.event.kind == Kind.TEXT else None
    ctx.data["urgent"] = typed if typed is not None else Urgent.expect(ctx).yes
    return goto("times")


@flow.ask("times")
async def ask_times(ctx: Context) -> None:
    ctx.reply(
        _("When could you meet? For example: weekday evenings after 19:00, Sunday morning."),
        [Choice(_("Any time"), AnyTime())],
    )


@flow.on("times")
async def on_times(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if AnyTime.read(ctx) is not None:
        text = ""
    elif not text or len(text) > 300:
        return retry(_('Please type when you are free (up to 300 characters), or choose "Any time".'))
    ctx.data["times"] = text
    return goto("private")


@flow.ask("private")
async def ask_private(ctx: Context) -> None:
    ctx.reply(
        _(
            "Should it be handled in private? Then only the mediator in charge, the head of the mediation "
            "group and the parties will see it; group leaders will not."
        ),
        yes_no(_("Yes, in private"), _("No, it can be open"), Private),
    )


@flow.on("private")
async def on_private(ctx: Context) -> Outcome:
    ctx.data["private"] = Private.expect(ctx).yes
    return goto("confirm")


@flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    d = ctx.data
    lines = [
        _("Please check your request:"),
        _("Kind: {kind}").format(kind=kind_label(d["kind"])),
        _("Description: {text}").format(text=d["description"]),
        _("Your name: {name}").format(name=d["name"]),
        _("Other parties: {names}").format(
            names="; ".join(f"{n} ({c})" if c else n for n, c in d["parties"])
        ),
        _("Urgent: {answer}").format(answer=_("yes") if d["urgent"] else _("no")),
        _("Preferred times: {times}").format(times=d["times"] or _("any time")),
        _("In private: {answer}").format(answer=_("yes") if d["private"] else _("no")),
    ]
    ctx.reply(
        "\n".join(lines),
        [Choice(_("Send the request"), SendRequest("send")), Choice(_("Cancel"), SendRequest("cancel"))],
    )


@flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if SendRequest.expect(ctx).answer == "cancel":
        ctx.reply(_("Cancelled. Nothing from that form was saved."))
        return finish()
    case = await create_case(ctx)
    ctx.reply(
        _(
            "Your request was received. Its number is {number}. The mediation group of your area will "
            "contact you; you can follow it with /hoagiai."
        ).format(number=case.number)
    )
    return finish()


async def place_of(ctx: Context) -> RoleGrant:
    grant = await home(ctx)
    if grant is None:
        raise RuntimeError("a registered person always holds a grant")
    return grant


async def create_case(ctx: Context) -> MediationCase:
    d = ctx.data
    place = await place_of(ctx)
    area_id = place.area_id
    if area_id is None and place.group_id is not None:
        group = await ctx.session.get(Group, place.group_id)
        area_id = group.area_id if group else None
    case = MediationCase(
        ward_code=place.ward_code,
        area_id=area_id,
        group_id=place.group_id,
        requester_id=ctx.person_id,
        requester_name=d["name"],
        kind=d["kind"],
        description=d["description"],
        urgent=d["urgent"],
        preferred_times=d["times"] or None,
        private=d["private"],
        created_at=clock.now(),
    )
    ctx.session.add(case)
    await ctx.session.flush()
    assert case.id is not None
    case.number = f"HG-{local(case.created_at).year}-{case.id:04d}"  # the year of the book it is in
    ctx.session.add(
        MediationParty(
            case_id=case.id,
            role="requester",
            name=d["name"],
            name_folded=fold(d["name"]),
            person_id=ctx.person_id,
        )
    )
    for name, contact in d["parties"]:
        ctx.session.add(MediationParty(case_id=case.id, name=name, name_folded=fold(name), contact=contact))
    store.log(ctx.session, case, "received", ctx.person_id)
    ctx.audit("mediation.requested", "mediation_case", str(case.id), case.ward_code, private=case.private)
    await tell_mediators(ctx, case)
    return case


async def tell_mediators(ctx: Context, case: MediationCase) -> None:
    priority = Priority.IMPORTANT if case.urgent else Priority.NOTICE
    heads = {p.id for p in await store.mediators_of(ctx.session, case, Role.MEDIATION_HEAD.value)}
    everyone = [p.id for p in await store.mediators_of(ctx.session, case) if p.id != ctx.person_id]
    urgent = (lambda: _("URGENT") + " · ") if case.urgent else (lambda: "")

    def detail() -> str:
        return _("New mediation request {number}: {kind}.").format(
            number=case.number, kind=kind_label(case.kind)
        )

    await push(
        ctx.session,
        [p for p in everyone if p in heads],
        case,
        "new",
        lambda: urgent() + detail(),
        lambda: [
            Choice(_("Open the case"), OpenCase(case.id or 0)),
            Choice(_("Assign a mediator"), AssignMenu(case.id or 0)),
        ],
        priority=priority,
    )
    if case.private:
        await push(
            ctx.session,
            [p for p in everyone if p not in heads],
            case,
            "new",
            lambda: (
                urgent()
                + _(
                    "A new private mediation request ({number}) arrived in your area; the head of the mediation group "
                    "will assign it."
                ).format(number=case.number)
            ),
            priority=priority,
        )
    else:
        await push(
            ctx.session,
            [p for p in everyone if p not in heads],
            case,
            "new",
            lambda: urgent() + detail(),
            lambda: [
                Choice(_("Open the case"), OpenCase(case.id or 0)),
                Choice(_("Take this case"), TakeCase(case.id or 0)),
            ],
            priority=priority,
        )
    if not everyone:
        ctx.reply(
            _(
                "Note: no mediator of your area uses An Dân yet. Your request is kept and the ward is told, "
                "so that the mediation group can take it up."
            )
        )
        admins = await ward_admins(ctx, case)
        await push(
            ctx.session,
            admins,
            case,
            "no_mediator",
            lambda: _(
                "Mediation request {number} arrived, but no mediator of its area uses An Dân. Please invite the "
                "mediation group (/moi)."
            ).format(number=case.number),
        )


async def ward_admins(ctx: Context, case: MediationCase) -> list[int]:
    from sqlmodel import col, select

    rows = await ctx.session.exec(
        select(RoleGrant.person_id).where(
            RoleGrant.role == Role.WARD_ADMIN,
            RoleGrant.ward_code == case.ward_code,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return list(rows.all())
