"""`supportbot audit` as a user runs it: the shipped sample end to end (text, JSON and an HTML report a real
browser draws), JSON on standard output, skipped rows listed, and bad input as one line with exit 2."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.audit.result import AuditResult
from bot.cli import main
from tests.audit.fixture_export import write_export
from tests.browser import screenshot

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "history" / "orbitask_tickets.csv"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    folder: Path


def run(*argv: str, folder: Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["audit", *argv])
    return Run(code, out.getvalue(), err.getvalue(), folder)


@pytest.fixture(scope="module")
def sample_run(bundled_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The shipped sample audited once (the slowest step of these tests) for the checks that read it."""
    folder = tmp_path_factory.mktemp("audit-cli")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPORTBOT_MODEL_DIR", str(bundled_model_dir))
        return run(
            str(SAMPLE), "--html", str(folder / "report.html"), "--json", str(folder / "audit.json"), "--quiet", folder=folder
        )


def test_the_sample_is_audited_end_to_end(sample_run: Run) -> None:
    assert sample_run.code == 0, sample_run.err
    assert sample_run.err == ""  # --quiet: no progress bars
    text = sample_run.out
    assert "573 tickets" in text and "model vs your labels" in text and "New topics" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    result = AuditResult.from_json((sample_run.folder / "audit.json").read_text(encoding="utf-8"))
    assert result.tickets == 573 and result.categorised + result.unknown == 573
    assert result.topics and any("slack" in t.words for t in result.topics)
    assert result.agreement is not None and result.agreement.compared > 300


def test_the_html_report_is_drawn_by_a_real_browser(sample_run: Run) -> None:
    page = sample_run.folder / "report.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3 and "<script" not in html
    shot = screenshot(page, sample_run.folder / "report.png", height=2400)
    assert shot.chart_pixels > 20_000 and shot.colours > 100


def test_json_to_standard_output_and_skipped_rows_on_standard_error(bundled_model_dir: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "tickets.csv")
    bad_line = len(export.read_text(encoding="utf-8").splitlines()) + 1
    with export.open("a", encoding="utf-8") as out:
        out.write("2000,yesterday-ish,,,Broken row,text,,,,,\n")
    result = run(str(export), "--json", "-", "--min-cluster", "3", "--quiet", "--model", str(bundled_model_dir), folder=tmp_path)
    assert result.code == 0, result.err
    assert json.loads(result.out)["tickets"] == 26
    assert f"{export}:{bad_line}: created_at" in result.err and "not a date" in result.err


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("supportbot: error:") and "nope.csv" in err and len(err.splitlines()) == 1


def test_missing_columns_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.csv"
    export.write_text("message,when\nhello,2026-06-01\n", encoding="utf-8")
    assert main(["audit", str(export)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("supportbot: error:") and "missing required field" in err and len(err.splitlines()) == 1
