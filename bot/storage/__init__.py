"""Database engines from a URL: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlmodel import create_engine


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    file_sqlite = parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:"
    if file_sqlite:
        Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)  # errors never quote a row's values
    if file_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    """WAL lets readers run beside the writer and, with synchronous=NORMAL, commits stop waiting on
    an fsync each (still durable across application crashes); foreign keys are enforced as on PostgreSQL."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def open_database(url: str) -> Engine:
    """An engine on a database migrated to the current schema."""
    from bot.storage.migrate import upgrade

    engine = make_engine(url)
    upgrade(url)
    return engine


def database_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (a restart, a fail-over, a locked
    SQLite file): worth trying again shortly, unlike a constraint or a bug."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def decided_elsewhere(exc: BaseException) -> bool:
    """The turn's decision was written by another process first (the unique index on decision.message_id):
    it lost its lock when the database restarted, or a duplicate raced it."""
    if not isinstance(exc, IntegrityError):
        return False
    detail = str(exc.orig)
    return "decision" in detail and "message_id" in detail


def describe(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
