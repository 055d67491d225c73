"""The command line as a user runs it: real files in, real model directories and output out."""

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from models.training import TrainResult
from tests.conftest import OUT_OF_SCOPE_PHRASES, PHRASES


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUPPORTBOT_MODEL_DIR", str(tmp_path / "default-model"))
    monkeypatch.setenv("SUPPORTBOT_TORCH_THREADS", "1")
    monkeypatch.setenv("SUPPORTBOT_SIGNALS_DATA", "")  # intents only, unless a test trains signals


def write_export(path: Path) -> Path:
    rows = ["message,category"]
    for label, phrases in [*PHRASES.items(), ("oos", OUT_OF_SCOPE_PHRASES)]:
        rows += [f"{phrase} {suffix},{label}" for phrase in phrases for suffix in ("", "please", "now")]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_train_from_a_csv_export_then_predict_and_eval(
    tiny_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_export(tmp_path / "export.csv")
    out = tmp_path / "model"
    code = main(
        [
            "train",
            "--data",
            str(export),
            "--text-column",
            "message",
            "--label-column",
            "category",
            "--out",
            str(out),
            "--base-model",
            str(tiny_base),
            "--epochs",
            "2",
            "--quiet",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "saved model to" in printed and "out-of-scope: recall" in printed

    assert main(["predict", "--model", str(out), "--json", "reset my password"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"intent", "confidence", "out_of_scope", "alternatives"}
    assert len(result["alternatives"]) == 3

    chart = tmp_path / "cm.png"
    assert (
        main(
            [
                "eval",
                "--model",
                str(out),
                "--data",
                str(export),
                "--text-column",
                "message",
                "--label-column",
                "category",
                "--json",
                "--chart",
                str(chart),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 48 and report["oos_recall"] is not None and report["per_intent"]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_reads_one_text_per_line_from_stdin(
    tiny_model: TrainResult, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("reset my password\n\nhello there\n"))
    assert main(["predict", "--model", str(tiny_model.directory)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "top-3:" in lines[0]
    assert lines[1].startswith("out_of_scope")  # the empty line


def test_eval_prints_a_readable_report(tiny_model: TrainResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export.csv")
    assert (
        main(
            [
                "eval",
                "--model",
                str(tiny_model.directory),
                "--data",
                str(export),
                "--text-column",
                "message",
                "--label-column",
                "category",
                "--no-chart",
                "--no-answers",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "in-scope accuracy" in printed and "out-of-scope recall" in printed and "password_reset" in printed


def test_data_errors_exit_2_with_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,greeting\nbye,\n")
    assert main(["train", "--data", str(bad), "--quiet"]) == 2
    assert f"{bad}:3: empty label in column 'label'" in capsys.readouterr().err


def test_missing_model_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--model", str(tmp_path / "none"), "hi"]) == 2
    assert "does not exist; train one with `supportbot train`" in capsys.readouterr().err


def test_bad_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUPPORTBOT_TORCH_THREADS", "lots")
    assert main(["predict", "hi"]) == 2
    assert "SUPPORTBOT_TORCH_THREADS" in capsys.readouterr().err


SIGNALS = """signals: [frustrated, closing]
conversations:
""" + "".join(
    f"""  - id: c{i}
    turns:
      - {{text: "reset my password {i}", signals: [], bot: answered}}
      - {{text: "{"still broken, useless" if i % 2 else "thanks, that fixed it"} {i}", signals: [{"frustrated" if i % 2 else "closing"}]}}
"""
    for i in range(40)
)


def test_train_predict_and_eval_with_signals(tiny_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export.csv")
    signals = tmp_path / "signals.yaml"
    signals.write_text(SIGNALS)
    out = tmp_path / "model"
    common = ["--text-column", "message", "--label-column", "category"]
    train = ["train", "--data", str(export), *common, "--signals", str(signals), "--out", str(out)]
    assert main([*train, "--base-model", str(tiny_base), "--epochs", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "signals from" in printed and "signal frustrated: precision" in printed

    assert main(["predict", "--model", str(out), "--json", "--after", "not-quite", "still broken"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in result["signals"]] == ["frustrated", "closing"]
    assert all(0 <= s["probability"] <= 1 and 0 < s["threshold"] < 1 for s in result["signals"])
    assert main(["predict", "--model", str(out), "still broken"]) == 0
    assert "signals: frustrated 0." in capsys.readouterr().out

    evaluate = [
        "eval",
        "--model",
        str(out),
        "--data",
        str(export),
        *common,
        "--signals",
        str(signals),
        "--no-chart",
        "--no-answers",
    ]
    assert main(evaluate) == 0
    printed = capsys.readouterr().out
    assert "conversation signals per turn (80 turns, read in context)" in printed and "frustrated" in printed
    assert main([*evaluate, "--json"]) == 0
    assert {row["name"] for row in json.loads(capsys.readouterr().out)["signals"]} == {"frustrated", "closing"}


def test_bad_signal_data_exits_2_naming_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export.csv")
    signals = tmp_path / "signals.yaml"
    signals.write_text(SIGNALS.replace("signals: [closing]", "signals: [closed]", 1))
    args = ["train", "--data", str(export), "--text-column", "message", "--label-column", "category", "--quiet"]
    assert main([*args, "--signals", str(signals)]) == 2
    assert "conversation c0, turn 2: unknown signal 'closed'" in capsys.readouterr().err
