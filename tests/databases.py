"""Real databases for tests: a SQLite file and a throwaway PostgreSQL database on 127.0.0.1:5432.

PostgreSQL tests are skipped on a developer machine without the server, but never in CI (CI=true),
where a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.common import PG_ADMIN_URL, scratch_postgres


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    try:
        psycopg.connect(PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with scratch_postgres("supportbot_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'supportbot.db'}"
    else:
        with postgres_database() as url:
            yield url
