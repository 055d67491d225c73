"""`supportbot chat` in a real child process, typed into like a person would."""

import subprocess
import sys
from pathlib import Path

from models.training import TrainResult


def test_chat_answers_each_line_and_quits_on_eof(tiny_model: TrainResult, tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--model", str(tiny_model.directory)],
        input="reset my password please\n\nhello there\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "SUPPORTBOT_TORCH_THREADS": "1", "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert completed.returncode == 0, completed.stderr
    answers = [line for line in completed.stdout.split("you> ") if line.startswith("bot> ")]
    assert len(answers) == 3
    assert "top-3:" in answers[0]
    assert answers[1].startswith("bot> out_of_scope")
