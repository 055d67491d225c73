"""`supportbot kb import`, then `kb check`, as a support-operations lead runs them."""

import re
from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).parents[1] / "knowledge" / "fixtures"
OFFLINE = "working-offline-in-the-desktop-app"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUPPORTBOT_KB_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


def test_import_then_check_suggests_intents_from_the_model(
    tmp_path: Path, bundled_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kb"
    assert main(["kb", "import", str(FIXTURES / "zendesk_articles.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"zendesk export {FIXTURES / 'zendesk_articles.json'} → {out}" in printed
    assert f"imported: 3 ({OFFLINE}, sync-conflicts-and-how-to-resolve-them, calendar-feed-ical-subscriptions)" in printed
    assert "skipped: 1" in printed and "draft (--include-drafts imports drafts)" in printed
    assert "links: 2 rewritten to articles here, 2 external kept" in printed
    assert "images noted (not downloaded): 1" in printed
    assert f"next: `supportbot kb check --kb-dir {out}`" in printed

    assert main(["kb", "check", "--kb-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{out / (OFFLINE + '.md')}:4: no intents: answered through retrieval only (warning)" in printed
    assert "3 articles checked" in printed and "0 error(s), 3 warning(s)" in printed
    suggestion = next(line for line in printed.splitlines() if line.startswith(f"{OFFLINE}: "))
    assert re.fullmatch(
        rf"{OFFLINE}: no intents \(answered through retrieval only\); the model suggests: \w+ \(\d\.\d\d\)(, \w+ \(\d\.\d\d\))*( — none fits well: perhaps a new intent)?",
        suggestion,
    ), suggestion

    assert main(["kb", "import", str(FIXTURES / "zendesk_articles.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "imported: 0" in printed and "unchanged: 3" in printed and "next:" not in printed


def test_check_without_a_model_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kb"
    assert main(["kb", "import", str(FIXTURES / "help_folder"), "--out", str(out)]) == 0
    monkeypatch.setenv("SUPPORTBOT_MODEL_DIR", str(tmp_path / "no-model"))
    capsys.readouterr()
    assert main(["kb", "check", "--kb-dir", str(out)]) == 0
    assert f"no intent suggestions: model directory {tmp_path / 'no-model'}: does not exist" in capsys.readouterr().out
    assert main(["kb", "check", "--kb-dir", str(out), "--no-suggestions"]) == 0
    assert "suggest" not in capsys.readouterr().out


def test_dry_run_and_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kb"
    source = str(FIXTURES / "intercom_articles.json")
    assert main(["kb", "import", source, "--out", str(out), "--dry-run"]) == 0
    assert "(dry run: nothing written)" in capsys.readouterr().out and not out.exists()
    assert main(["kb", "import", source, "--from", "intercom", "--out", str(out), "--index"]) == 0
    assert "indexed 2 articles: 2 added, 0 changed" in capsys.readouterr().out
    assert main(["kb", "search", "repeat a task every week", "--kb-dir", str(out), "-k", "1"]) == 0
    assert "1. set-up-a-recurring-task" in capsys.readouterr().out


def test_a_bad_export_is_one_clear_line_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "export.json"
    broken.write_text('{"articles": [')
    out = tmp_path / "kb"
    assert main(["kb", "import", str(broken), "--from", "zendesk", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"supportbot: error: {broken}: not JSON (") and error.endswith("(nothing imported)\n")
    assert not out.exists()
    assert main(["kb", "import", str(FIXTURES / "zendesk_articles.json"), "--from", "intercom", "--out", str(out)]) == 2
    assert "expected an object with a 'data' list" in capsys.readouterr().err
    broken.write_text('{"articles": [{"id": 1, "body": "<p>x</p>"}, {"id": 2, "title": "Fine", "body": "<p>y</p>"}]}')
    assert main(["kb", "import", str(broken), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "imported: 1 (fine)" in printed and "articles[0] (article 1): no title: skipped" in printed
