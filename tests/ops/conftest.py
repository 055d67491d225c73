"""The conversation-core fixtures (a real bot on SQLite and PostgreSQL, the bundled model) for the
operations tests."""

from tests.core.conftest import chat, new_bot  # noqa: F401  (fixtures)
from tests.databases import database_url  # noqa: F401  (fixture)
