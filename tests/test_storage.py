"""Migrations on real SQLite and PostgreSQL: the migrated schema is exactly the models' schema."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

import bot.storage.tables as tables
from bot.storage import describe, make_engine, open_database
from bot.storage.migrate import downgrade, upgrade
from tests.databases import database_url  # noqa: F401  (fixture)


def test_migrations_create_exactly_the_modelled_schema(database_url: str) -> None:  # noqa: F811
    engine = open_database(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    expected = {"customer", "conversation", "message", "decision", "ticket", "draft", "csatrating", "audit_log", "knowledge_gap"}
    assert expected <= set(sa.inspect(engine).get_table_names())
    upgrade(database_url)  # idempotent
    downgrade(database_url, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def delivery(conversation_id: int | None) -> tables.Message:
    """The same inbound Slack message, as a re-delivered event would store it."""
    return tables.Message(
        conversation_id=conversation_id,
        platform="slack",
        platform_message_id="1.001",
        direction="inbound",
        author="customer",
        text="hi",
    )


def test_round_trip_and_platform_message_ids_are_unique(database_url: str) -> None:  # noqa: F811
    engine = open_database(database_url)
    with Session(engine) as session:
        customer = tables.Customer(platform="slack", platform_user_id="U1", tier="enterprise", account_value=48000)
        session.add(customer)
        session.commit()
        conversation = tables.Conversation(customer_id=customer.id, platform="slack", channel_id="D1")
        session.add(conversation)
        session.commit()
        session.add(delivery(conversation.id))
        session.commit()
        session.add(delivery(conversation.id))
        with pytest.raises(sa.exc.IntegrityError):  # a re-delivered platform message id is refused
            session.commit()
        session.rollback()
        assert [m.text for m in session.exec(select(tables.Message)).all()] == ["hi"]
    engine.dispose()


def test_a_database_from_before_migrations_upgrades(tmp_path: Path) -> None:
    from knowledge.gaps import GapLog

    url = f"sqlite:///{tmp_path / 'old.db'}"
    GapLog(make_engine(url)).record("unanswered", "kept across the upgrade")
    engine = open_database(url)
    assert [e.text for e in GapLog(engine).since(None)] == ["kept across the upgrade"]


def test_passwords_are_hidden_in_descriptions() -> None:
    assert "s3cret" not in describe("postgresql+psycopg://bot:s3cret@db:5432/supportbot")
