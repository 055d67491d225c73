"""`supportbot replay` end to end on the first 40 tickets of the sample history, as a support lead runs it:
the terminal report, the JSON and the HTML page, which a real browser draws."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.browser import screenshot

SAMPLE = Path(__file__).parents[2] / "examples" / "history" / "orbitask_tickets.csv"


@dataclass(frozen=True)
class Run:
    printed: str
    data: dict
    html: Path


@pytest.fixture(scope="module")
def run(bundled_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("replay")
    args = [
        "replay", str(SAMPLE), "--limit", "40", "--quiet", "--json", str(out / "replay.json"), "--html", str(out / "replay.html"),
        "--tier", "sso_setup=auto", "--sweep", "low_confidence.threshold=0.35:0.45:0.1",
    ]  # fmt: skip
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(args) == 0
    return Run(buffer.getvalue(), json.loads((out / "replay.json").read_text(encoding="utf-8")), out / "replay.html")


def test_the_terminal_report(run: Run) -> None:
    text = run.printed
    assert f"{SAMPLE}: 40 tickets replayed (0 rows skipped) through the bot, nothing sent" in text
    assert "variant (tier sso_setup assisted → auto)" in text
    for heading in ("outcome", "per intent (variant", "against the history's labels", "sweep of low_confidence.threshold"):
        assert heading in text
    assert "missed escalations" in text and "needless escalations" in text and "← current" in text
    assert "rule: needed real agent work: an agent replied" in text


def test_the_json_adds_up(run: Run) -> None:
    data = run.data
    assert data["format"] == 1 and data["tickets"] == 40 and len(data["rows"]) == 40
    for summary in (data["baseline"], data["variant"]):
        assert sum(b["tickets"] for b in summary["buckets"]) == 40
        escalated = next(b["tickets"] for b in summary["buckets"] if b["name"] == "escalated")
        assert sum(c["tickets"] for c in summary["escalated_by"]) == escalated
        assert sum(r["tickets"] for r in summary["intents"]) == 40
    changed = [r for r in data["rows"] if r["baseline"] != r["variant"]]
    assert len(changed) == data["changed"]
    assert all(r["intent"] == "sso_setup" for r in changed)  # the only change was the SSO tier
    sweep = data["sweep"]
    assert [p["value"] for p in sweep["points"]] == [0.35, 0.45] and [p["current"] for p in sweep["points"]] == [False, True]
    assert data["timing"]["batched"] is True and data["timing"]["replays"] == 3
    assert data["definition"].startswith("needed real agent work")


def test_the_html_in_a_real_browser(run: Run, tmp_path: Path) -> None:
    text = run.html.read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 3  # outcome mix, per intent, sweep
    for heading in ("Outcome mix", "Per intent (variant)", "Against the history", "Sweep of low_confidence.threshold"):
        assert heading in text
    shot = screenshot(run.html, tmp_path / "replay.png", height=2600)
    assert shot.chart_pixels > 2000 and shot.colours > 50  # the charts were decoded and drawn
