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
        env={
            "PATH": "/usr/bin:/bin",
            "SUPPORTBOT_TORCH_THREADS": "1",
            "PYTHONPATH": str(Path(__file__).parents[2]),
            "SUPPORTBOT_KB_INDEX_DIR": str(tmp_path / "index"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        },
    )
    assert completed.returncode == 0, completed.stderr
    turns = completed.stdout.split("you> ")[1:]
    assert len(turns) == 4  # three messages, then end of input
    assert "top-3:" in turns[0] and "bot> " in turns[0]
    assert "out_of_scope" in turns[1] and "knowledge gap" not in turns[1]  # an empty message is not a gap
    assert all("bot> " in turn for turn in turns[:3])
