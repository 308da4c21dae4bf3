"""The schema and the catalogs stay honest: migrations match the models, every string has Vietnamese."""

from __future__ import annotations

from bot.db import Database
from bot.migrate import pending_differences, upgrade
from bot.tools.catalogs import check_placeholders, conflicts, missing


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
