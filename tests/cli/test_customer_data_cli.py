"""`supportbot forget`, `export` and `purge` on a SQLite file: what an operator types for an erasure
request, an access request and retention, and the one-line errors when the customer is not there."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.storage import open_database
from bot.storage.tables import AuditEntry, Customer
from tests.core.test_customer_data import ANA, BEN, every_text, seed


@pytest.fixture(autouse=True)
def _own_logging() -> Iterator[None]:
    """`main` configures the root logger for a process; each test gets the handlers it started with."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SUPPORTBOT_RETENTION_DAYS", raising=False)
    engine = open_database(url)
    now = dt.datetime.now(dt.UTC)
    seed(engine, ANA, at=now - dt.timedelta(days=40))
    seed(engine, BEN, at=now)
    return url


def test_forget_with_yes_erases_and_says_what(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forget", ANA.key, "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Forgot customer #1: 2 messages, 1 tickets, 1 drafts and 1 knowledge gaps blanked")
    texts = " ".join(every_text(open_database(url)))
    assert ANA.secret not in texts and ANA.email not in texts and BEN.secret in texts
    with Session(open_database(url)) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.command == "forget")).one()
    assert entry.actor.startswith("cli:") and entry.platform == "cli"


def test_forget_asks_first_and_a_script_must_say_yes(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["forget", ANA.email]) == 2
    assert "pass --yes" in capsys.readouterr().err

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["forget", ANA.email]) == 2
    captured = capsys.readouterr()
    assert f"#1 {ANA.key} ({ANA.name})" in captured.err and "nothing was erased" in captured.err
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert main(["forget", ANA.email]) == 0
    with Session(open_database(url)) as session:
        assert session.exec(select(Customer.email).order_by(Customer.id)).all() == [None, BEN.email]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("slack:U0NOBODY", "supportbot: error: No customer with platform key slack:U0NOBODY.\n"),
        ("nobody@x.example", "supportbot: error: No customer with e-mail nobody@x.example (any case).\n"),
        ("nobody", "supportbot: error: 'nobody' is neither a platform key nor an e-mail address. Give a platform key"),
    ],
)
def test_an_unknown_customer_is_one_clear_line(url: str, capsys: pytest.CaptureFixture[str], who: str, error: str) -> None:
    for command in (["forget", who, "--yes"], ["export", who]):
        assert main(command) == 2
        captured = capsys.readouterr()
        [line] = [line for line in captured.err.splitlines() if line.startswith("supportbot:")]
        assert line.startswith(error.rstrip("\n")) and captured.out == ""


def test_export_writes_everything_about_them_as_json(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", BEN.email]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer"][0]["platform_user_id"] == BEN.user_id and data["message"][0]["text"] == f"Help: {BEN.secret}"
    dt.datetime.fromisoformat(data["message"][0]["created_at"])
    out = tmp_path / "ben.json"
    assert main(["export", BEN.key, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["ticket"] == data["ticket"]
    assert "rows about 1 customer account(s) to" in capsys.readouterr().err


def test_purge_blanks_old_text_and_needs_to_know_how_old(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["purge"]) == 2
    assert "--older-than DAYS, or set SUPPORTBOT_RETENTION_DAYS" in capsys.readouterr().err
    assert main(["purge", "--older-than", "30"]) == 0
    assert capsys.readouterr().out.startswith("Older than 30 days: 2 messages, 1 tickets")
    texts = " ".join(every_text(open_database(url)))
    assert ANA.secret not in texts and BEN.secret in texts
    monkeypatch.setenv("SUPPORTBOT_RETENTION_DAYS", "1")
    assert main(["purge"]) == 0
    assert BEN.secret in " ".join(every_text(open_database(url)))  # written just now
    with pytest.raises(SystemExit):
        main(["purge", "--older-than", "0"])
