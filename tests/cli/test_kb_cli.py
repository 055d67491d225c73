"""`supportbot kb …` as a knowledge-base writer runs it."""

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import make_engine
from knowledge.gaps import GapLog
from tests.knowledge.conftest import write_article


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUPPORTBOT_KB_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


def test_check_reports_file_and_line_and_fails_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    write_article(kb, "reset", "Reset", "password_reset", "x", "y")
    (kb / "bad.md").write_text(
        "---\nid: bad\ntitle: Bad\nintents: [no_such_intent]\naudience: customer\nlast_reviewed: 2020-01-01\nowner: x\n---\n# Bad\n\ntext\n"
    )
    assert main(["kb", "check", "--kb-dir", str(kb), "--stale-days", "365"]) == 1
    out = capsys.readouterr().out
    assert f"{kb / 'bad.md'}:4: unknown intent(s) no_such_intent" in out
    assert f"{kb / 'bad.md'}:6: not reviewed for" in out
    assert "2 articles checked" in out and "1 error(s), 1 warning(s)" in out


def test_bundled_kb_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_index_then_search_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    write_article(kb, "reset-your-password", "Reset your password", "password_reset", "Forgot it?", "Open the reset email.")
    write_article(kb, "download-invoices", "Download invoices", "invoice_copy", "PDF invoices.", "Open Billing > Invoices.")
    assert main(["kb", "index", "--kb-dir", str(kb)]) == 0
    assert "2 added, 0 changed, 0 deleted, 0 unchanged" in capsys.readouterr().out
    assert main(["kb", "index", "--kb-dir", str(kb)]) == 0
    assert "0 added, 0 changed, 0 deleted, 2 unchanged; 0 sections embedded" in capsys.readouterr().out
    assert main(["kb", "search", "where are my invoices", "--kb-dir", str(kb), "--json", "-k", "1"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["article_id"] == "download-invoices" and {"heading", "score", "snippet"} <= set(hits[0])


def test_broken_kb_dir_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "x.md").write_text("")
    assert main(["kb", "search", "hi", "--kb-dir", str(tmp_path / "kb")]) == 2
    assert "x.md: the file is empty" in capsys.readouterr().err


def test_gaps_lists_groups_by_volume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = GapLog(make_engine(f"sqlite:///{tmp_path / 'bot.db'}"))
    for text in ["is there a gantt view", "can I see tasks as a gantt chart", "do you have gantt charts"]:
        log.record("unanswered", text, "howto_reports")
    log.record("negative_rating", "how do I change the app language to french", "notification_settings")
    assert main(["kb", "gaps", "--since", "7"]) == 0
    out = capsys.readouterr().out
    assert "4 events in the last 7 days, 2 groups" in out
    assert out.index("1. 3 × [unanswered 3]") < out.index("2. 1 × [negative_rating 1]")
    assert main(["kb", "gaps", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["size"] == 3
