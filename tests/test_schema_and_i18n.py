"""The schema and the catalogs stay honest: migrations match the models, every string has Vietnamese."""

from __future__ import annotations

from bot.db import Database
from bot.migrate import pending_differences, upgrade
from bot.tools.catalogs import check_placeholders, conflicts, english_stale, missing
from bot.tools.english_commands import in_english


async def test_models_and_migrations_agree(db_url: str, sqlite_templates, postgres_templates) -> None:  # type: ignore[no-untyped-def]
    templates = postgres_templates if "postgresql" in db_url else sqlite_templates
    empty = await templates.new_url(empty=True)
    db = Database(empty)
    try:
        await upgrade(db)
        differences = await pending_differences(db)
    finally:
        await db.dispose()
        await templates.drop(empty)
    assert differences == [], f"models differ from migrations (write a migration): {differences}"


def test_every_user_facing_string_has_a_vietnamese_translation() -> None:
    gaps = missing("vi")
    assert gaps == {}, "run `make i18n` and translate: " + repr(gaps)


def test_translations_keep_their_placeholders() -> None:
    assert check_placeholders("vi") == []


def test_a_message_has_one_translation_across_features() -> None:
    assert conflicts("vi") == []


def test_english_texts_name_the_commands_by_their_english_names() -> None:
    """An English reader was told to type /trogiup, /huy, "/bantin tat": the English catalog names them /help,
    /cancel, "/digest off" (bot.tools.english_commands, written by `make i18n`)."""
    names = {"trogiup": "help", "bantin": "digest", "camket": "pledge"}
    assert in_english("Everything you can do: /trogiup", names) == "Everything you can do: /help"
    assert in_english("type /bantin tat to stop it", names) == "type /digest off to stop it"
    assert (
        in_english("(/camket) or /camket rut to withdraw", names)
        == "(/pledge) or /pledge withdraw to withdraw"
    )
    assert in_english("see https://x.vn/trogiup and /start", names) == "see https://x.vn/trogiup and /start"
    assert english_stale() == []
