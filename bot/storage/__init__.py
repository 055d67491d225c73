"""Database engines from a URL: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import create_engine


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, pool_pre_ping=True)


def open_database(url: str) -> Engine:
    """An engine on a database migrated to the current schema."""
    from bot.storage.migrate import upgrade

    engine = make_engine(url)
    upgrade(url)
    return engine


def describe(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
