"""`supportbot report` end to end on a seeded SQLite file: text, JSON and HTML, and the HTML drawn by a
real headless browser with its charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.cli import main
from bot.storage import open_database
from bot.storage.tables import utcnow
from tests.browser import screenshot
from tests.reporting.seed import scenario


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = open_database(url)
    with Session(engine) as session:
        scenario(session, utcnow())
    engine.dispose()
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", url)
    return tmp_path


def test_text_json_and_html_from_the_database(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html, data = seeded / "out" / "report.html", seeded / "out" / "report.json"
    assert main(["report", "--since", "30d", "--html", str(html), "--json", str(data)]) == 0
    text = capsys.readouterr().out
    # 30 days take in the older conversation too: 8 started, its ticket makes 4 escalated.
    assert "automation 40.0% (4 of 10 turns) · deflection 25.0% (2 of 8 conversations) · escalation 50.0% (4)" in text
    assert "sso_setup: promote to auto (/tier sso_setup auto)" in text and "Definitions:" in text
    figures = json.loads(data.read_text(encoding="utf-8"))
    assert figures["conversations"]["started"] == 8 and figures["turns"]["automation_rate"] == pytest.approx(0.4)
    assert figures["quality"]["accuracy"] == 0.5 and figures["drift"]["judged"] is False
    assert figures["drift"]["training"]["out_of_scope"] > 0  # the bundled training data's labels, read without the model
    page = html.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 5 and "this is useless ???" in page


def test_json_to_standard_output_and_a_bad_since(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--json", "-", "--no-training"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["conversations"]["started"] == 7 and figures["drift"]["training"] is None
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--since", "next week"])
    assert exit_.value.code == 2 and "expected a span such as 7d" in capsys.readouterr().err


def test_a_real_browser_draws_the_report_with_its_charts(seeded: Path) -> None:
    page = seeded / "report.html"
    assert main(["report", "--since", "30d", "--html", str(page)]) == 0
    shot = screenshot(page, seeded / "report.png", height=5200)
    assert shot.size == (1280, 5200)
    assert shot.chart_pixels > 5000 and shot.colours > 100  # the charts were decoded and drawn
