"""Run Alembic from the app: upgrade to head, or compare models with migrations (used by tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import models  # noqa: F401
from bot.db import Database, make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    engine = _transactional_sqlite(db.url) if db.is_sqlite else db.engine
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        if engine is not db.engine:
            await engine.dispose()


def _transactional_sqlite(url: str) -> AsyncEngine:
    """An engine whose transactions are real SQLite transactions, DDL included (SQLAlchemy's pysqlite recipe).

    The sqlite3 module begins a transaction only before INSERT/UPDATE/DELETE, so every CREATE or ALTER of a
    migration would commit on its own: a process killed during an upgrade left half a schema behind, and every
    later start failed on "table ... already exists". In one transaction an upgrade happens entirely or not at all.
    """
    engine = make_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_transactions(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def pending_differences(db: Database) -> list[Any]:
    """What autogenerate would still write: empty when models and migrations agree."""

    def run(connection: Connection) -> list[Any]:
        ctx = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))

    async with db.engine.connect() as conn:
        return await conn.run_sync(run)
