"""The conversation engine under stress: expiry, crashes mid-update, forged and concurrent presses, splitting.

The tests run on the event loop production runs on (bot.app.loop; see tests/conftest.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from bot import clock
from bot.app import App, loop
from bot.core.context import Context
from bot.core.events import Incoming, Kind, parse_text
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice, split_text
from bot.core.router import Router
from bot.textnorm import fold, matches
from handlers import all_routers
from models import ConversationState, Invite


def test_fold_and_match_ignore_accents_case_and_punctuation() -> None:
    assert fold("Phường Cao Lãnh, Đồng Tháp!") == "phuong cao lanh dong thap"
    assert matches("cao lanh", fold("Phường Cao Lãnh"))
    assert matches("p cao", fold("Phường Cao Lãnh"))
    assert not matches("cao bang", fold("Phường Cao Lãnh"))


def test_split_text_prefers_paragraphs_and_never_exceeds_the_limit() -> None:
    text = ("Đoạn một. " * 30 + "\n\n") * 10
    parts = split_text(text, 500)
    assert all(len(p) <= 500 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert split_text("x" * 1001, 500) == ["x" * 500, "x" * 500, "x"]
    assert split_text("short", 500) == ["short"]


def test_commands_parse_with_bot_suffix_and_arguments() -> None:
    event = parse_text("telegram", "1", "1", "/Start@andan_bot ABCD-EFGH")
    assert event.kind == Kind.COMMAND and event.command == "start" and event.args == "ABCD-EFGH"


# A tiny feature used only here: two steps, the second can be told to crash.
probe = Router("probe")
probe_flow = Flow("probe", steps=("first", "second"))


@probe.command("thu", "probe", help="probe", needs_person=False)
async def start_probe(ctx: Context) -> None:
    ctx.begin("probe")


@probe_flow.ask("first")
async def ask_first(ctx: Context) -> None:
    ctx.reply("first?", [Choice("A", "probe:a"), Choice("B", "probe:b")])


@probe_flow.on("first")
async def on_first(ctx: Context) -> Outcome:
    if ctx.event.choice not in ("probe:a", "probe:b"):
        return retry("pick A or B")
    ctx.data["first"] = ctx.event.choice
    return goto("second")


@probe_flow.ask("second")
async def ask_second(ctx: Context) -> None:
    ctx.reply("second?")


@probe_flow.on("second")
async def on_second(ctx: Context) -> Outcome:
    ctx.session.add(
        Invite(code_hash="should-roll-back", role="resident", ward_code=29869, expires_at=clock.now())
    )
    if ctx.event.text == "crash":
        raise RuntimeError("worker died here")
    return finish()


probe.flow(probe_flow)


@pytest.fixture
async def app(db_url: str, settings_for):  # type: ignore[no-untyped-def]
    application = App(settings_for(db_url, flow_idle_minutes=5), routers=[*all_routers(), probe])
    yield application
    await application.db.dispose()


def text(event_text: str, user: str = "u1") -> Incoming:
    return parse_text("web", user, user, event_text)


def press(payload: str, user: str = "u1") -> Incoming:
    return Incoming("web", user, user, Kind.CHOICE, choice=payload)


async def state_of(app: App, user: str = "u1") -> ConversationState | None:
    async with app.db.session() as session:
        return await session.get(ConversationState, app.dispatcher.state_key("web", user, user))


async def test_a_crash_mid_update_rolls_back_and_answers_politely(app: App) -> None:
    await app.dispatcher.handle(text("/probe"))
    await app.dispatcher.handle(text("a"))  # the label typed resolves to the button
    result = await app.dispatcher.handle(text("crash"))
    assert "nothing was saved" in result.replies[0].text or "chưa lưu được gì" in result.replies[0].text
    state = await state_of(app)
    assert state is not None and state.step == "second" and state.data == {"first": "probe:a"}
    async with app.db.session() as session:
        assert (await session.exec(select(Invite))).all() == []
    done = await app.dispatcher.handle(text("fine"))
    assert done.replies == [] and await state_of(app) is None


async def test_an_idle_form_expires(app: App, manual_clock) -> None:  # type: ignore[no-untyped-def]
    await app.dispatcher.handle(text("/probe"))
    manual_clock.advance(timedelta(minutes=6))
    result = await app.dispatcher.handle(text("b"))
    assert any("expired" in r.text or "hết hạn" in r.text for r in result.replies)
    assert (await state_of(app)) is None or (await state_of(app)).flow is None  # type: ignore[union-attr]


async def test_a_forged_or_stale_payload_is_refused(app: App) -> None:
    await app.dispatcher.handle(text("/probe"))
    result = await app.dispatcher.handle(press("probe:z"))
    assert "earlier question" in result.replies[0].text or "câu hỏi trước" in result.replies[0].text
    assert result.replies[1].text == "first?"
    assert (await state_of(app)).step == "first"  # type: ignore[union-attr]
    stray = await app.dispatcher.handle(press("nothing:1", user="u2"))
    assert "no longer active" in stray.replies[0].text or "không còn dùng được" in stray.replies[0].text


async def test_two_quick_presses_are_handled_one_after_the_other(app: App) -> None:
    await app.dispatcher.handle(text("/probe"))
    first, second = await asyncio.gather(
        app.dispatcher.handle(press("probe:a")), app.dispatcher.handle(press("probe:b"))
    )
    # Exactly one press moved the form on; the other met the next question, was refused, and it was asked again.
    assert [r.text for r in first.replies + second.replies].count("second?") == 2
    state = await state_of(app)
    assert state is not None and state.step == "second" and state.data["first"] in ("probe:a", "probe:b")


async def test_a_redelivered_update_is_handled_once(app: App) -> None:
    once = Incoming("web", "u1", "u1", Kind.COMMAND, text="/probe", command="probe", update_key="42")
    assert (await app.dispatcher.handle(once)).replies
    again = await app.dispatcher.handle(once)
    assert again.duplicate and again.replies == []


async def test_an_update_another_process_handled_meanwhile_is_a_duplicate_and_takes_no_lock_while_running(
    app: App,
) -> None:
    """The handled-update mark is written with the handler's changes, not before: a handler that takes long (a
    file being fetched and cleaned) holds no write lock meanwhile. If another process (SQLite has no advisory lock)
    handles the same redelivered update in that time, its result stands and this one is dropped whole."""
    from models import ProcessedUpdate

    await app.dispatcher.handle(text("/probe"))
    event = Incoming("web", "u1", "u1", Kind.TEXT, text="a", update_key="77")
    hashed = app.keyring.keyed_hash("update", "77")
    original = probe_flow.handlers["first"]

    async def meanwhile(ctx: Context) -> Outcome:
        async with app.db.session() as other:  # a write while the handler runs: no lock held by this update
            other.add(ProcessedUpdate(channel="web", update_key=hashed))
            await other.commit()
        return await original(ctx)

    probe_flow.handlers["first"] = meanwhile
    try:
        result = await app.dispatcher.handle(event)
    finally:
        probe_flow.handlers["first"] = original
    assert result.duplicate and result.replies == []
    state = await state_of(app)
    assert state is not None and state.step == "first"  # nothing of the dropped run was kept


async def test_in_a_group_help_reveals_no_place_and_strangers_are_sent_to_a_private_chat(app: App) -> None:
    from bot.core.events import ChatType

    registered = parse_text("web", "u1", "u1", "/start")
    await app.dispatcher.handle(registered)
    group_help = await app.dispatcher.handle(
        parse_text("web", "u1", "-100", "/help", chat_type=ChatType.GROUP)
    )
    assert "/trogiup" in group_help.replies[0].text and "Tổ" not in group_help.replies[0].text
    stranger = await app.dispatcher.handle(parse_text("web", "u9", "-100", "/toi", chat_type=ChatType.GROUP))
    assert len(stranger.replies) == 1 and "/toi" in stranger.replies[0].text
    assert "Tiếng Việt" not in stranger.replies[0].text  # no onboarding in the group


async def test_handled_updates_are_remembered_hashed_and_forgotten_after_two_days(
    app: App, manual_clock
) -> None:  # type: ignore[no-untyped-def]
    from bot.app.housekeeping import forget_old_updates
    from models import ProcessedUpdate

    await app.dispatcher.handle(
        Incoming("web", "u1", "u1", Kind.COMMAND, text="/probe", command="probe", update_key="u1:visible-key")
    )
    async with app.db.session() as session:
        (row,) = (await session.exec(select(ProcessedUpdate))).all()
    assert "visible-key" not in row.update_key
    manual_clock.advance(timedelta(days=3))
    await forget_old_updates(app)
    async with app.db.session() as session:
        assert (await session.exec(select(ProcessedUpdate))).all() == []


async def test_the_suite_runs_on_the_event_loop_that_andan_run_uses() -> None:
    production = (loop.factory() or asyncio.new_event_loop)()
    try:
        assert type(asyncio.get_running_loop()) is type(production)
    finally:
        production.close()


def postgres_only(app: App) -> None:
    if app.db.is_sqlite:
        pytest.skip("andan_lock_and_read is PostgreSQL's: SQLite has no advisory locks")


async def test_on_postgresql_the_lock_and_read_function_reads_what_the_plain_read_reads(app: App) -> None:
    """rows._locked_read() (the lock and the read in one round trip) returns exactly the columns, values and
    Python types of rows._read(): for a registered person with a conversation, for a new conversation, and for an
    update already handled."""
    from bot.core import conversation_rows as rows
    from models import ChannelIdentity, Person

    postgres_only(app)
    async with app.db.session() as session:
        person = Person(display_name="Lan", locale="en", consented_at=clock.now(), consent_version="1")
        session.add(person)
        await session.flush()
        session.add(ChannelIdentity(person_id=person.id, channel="web", external_user_id="u1", chat_id="u1"))
        await session.commit()
    await app.dispatcher.handle(
        Incoming("web", "u1", "u1", Kind.COMMAND, text="/probe", command="probe", update_key="u1-1")
    )
    handled = ("web", app.keyring.keyed_hash("update", "u1-1"))

    async def both(user: str, update_key: str | None) -> tuple[dict[str, object], dict[str, object]]:
        params = {
            "channel": "web",
            "user_id": user,
            "key": app.dispatcher.state_key("web", user, user),
            "update_channel": "web",
            "update_key": update_key,
        }
        async with app.db.session() as session:
            connection = await session.connection()
            plain = (await connection.execute(rows._read(), params)).one()
            locked = (
                await connection.execute(rows._locked_read(), {**params, "keys": [params["key"]]})
            ).one()
            assert list(plain._fields) == list(locked._fields)
            return plain._asdict(), locked._asdict()

    plain, locked = await both("u1", "not-handled")  # registered, with a conversation in a form
    assert plain == locked and {k: type(v) for k, v in plain.items()} == {
        k: type(v) for k, v in locked.items()
    }
    assert plain["seen"] is False and plain["person_display_name"] == "Lan" and plain["state_step"] == "first"
    assert plain["state_data"] == {} and plain["state_updated_at"].tzinfo is not None  # type: ignore[attr-defined]
    plain, locked = await both("u2", None)  # nobody: a new conversation
    assert plain == locked and plain.pop("seen") is False and set(plain.values()) == {None}
    plain, locked = await both("u1", handled[1])
    assert plain == locked and plain["seen"] is True

    async with app.db.session() as session:  # and through rows.read, as the dispatcher calls it
        key = app.dispatcher.state_key("web", "u1", "u1")
        loaded = await rows.read(session, channel="web", user_id="u1", key=key, claim=None, lock=True)
        assert loaded is not None and loaded.existed and loaded.state.step == "first"
        assert loaded.person is not None and loaded.person.display_name == "Lan"
        assert loaded.identity is not None and loaded.identity.person_id == loaded.person.id
        assert (
            await rows.read(session, channel="web", user_id="u1", key=key, claim=handled, lock=True) is None
        )


async def test_on_postgresql_another_process_updating_the_same_conversation_waits_and_sees_the_first_writes(
    app: App,
) -> None:
    """A second process (another Dispatcher: its own in-process locks, its own connections) pressing in the same
    conversation while the first is in its handler waits for the first's lock, then reads the state the first
    wrote: its press meets the next question. The conversation lock taken elsewhere (rows.lock, as offer_choices
    takes it) holds the update back too."""
    from bot.core import conversation_rows as rows
    from bot.core.dispatcher import Dispatcher

    postgres_only(app)
    await app.dispatcher.handle(text("/probe"))
    entered, release = asyncio.Event(), asyncio.Event()
    original = probe_flow.handlers["first"]

    async def slow(ctx: Context) -> Outcome:
        entered.set()
        await release.wait()
        return await original(ctx)

    probe_flow.handlers["first"] = slow
    try:
        first = asyncio.ensure_future(app.dispatcher.handle(press("probe:a")))
        await entered.wait()
        probe_flow.handlers["first"] = original
        second = asyncio.ensure_future(Dispatcher(app).handle(press("probe:b")))
        await asyncio.sleep(0.5)
        assert not second.done()  # waiting for the first's lock
        release.set()
        await first
        later = await second
    finally:
        probe_flow.handlers["first"] = original
        release.set()
    assert "second?" in [r.text for r in later.replies]  # it saw the first's step, not the one it had pressed
    state = await state_of(app)
    assert state is not None and state.step == "second" and state.data == {"first": "probe:a"}

    async with app.db.session() as holder:
        await rows.lock(holder, [app.dispatcher.state_key("web", "u1", "u1")])
        waiting = asyncio.ensure_future(Dispatcher(app).handle(text("fine")))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        await holder.rollback()
    assert (await waiting).replies == [] and await state_of(app) is None
