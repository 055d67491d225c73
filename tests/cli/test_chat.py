"""`supportbot chat` in a real child process with the bundled model: a newcomer's first minute,
typed line by line — answers, a draft approved by the agent, an escalation with its summary, agent
relay and admin commands."""

import subprocess
import sys
from pathlib import Path

SCRIPT = """\
hi
how do I export a project to csv
#1
#5
how do I set up SAML SSO with Okta
:agent
approve 1
:customer
I was charged $900 twice on INV-2231 and I want to talk to a person
:agent
reply 1 Hi Casey, I have refunded the duplicate charge.
note 1 refund issued in the billing console
resolve 1
:customer
/tier sso_setup auto
:admin
/tier sso_setup auto
/tier sso_stup auto
:help
"""


def test_the_console_runs_the_whole_bot(bundled_model_dir: Path, tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--model", str(bundled_model_dir)],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(Path(__file__).parents[2]),
            "SUPPORTBOT_KB_INDEX_DIR": str(tmp_path / "index"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        },
    )
    out = completed.stdout
    assert completed.returncode == 0, completed.stderr
    assert "Export projects and tasks to CSV or JSON" in out and "[#1 That solved it]" in out
    assert "Thanks for rating us 5/5!" in out
    assert "Draft #1 for review · sso_setup" in out and "Sam approved draft #1 (sso_setup)." in out
    # high or urgent: the risk signal reads a double charge as a risk (0.45, just over its 0.40; BENCHMARKS.md)
    assert (
        ("Ticket #1 · HIGH · billing_dispute" in out or "Ticket #1 · URGENT · billing_dispute" in out)
        and "• amount: “$900”" in out
        and "• invoice: “INV-2231”" in out
    )
    assert "Sam (agent)> Hi Casey, I have refunded the duplicate charge." in out
    assert "Note from Sam (internal): refund issued in the billing console" in out
    assert "/tier is for admins only" in out  # the customer tried
    assert "sso_setup: assisted → auto" in out and "Unknown intent 'sso_stup'. Did you mean sso_setup" in out
    assert ":customer / :agent / :admin" in out
    assert "INFO" not in out  # logs go to the log file, not between the chat lines
    assert "escalation.created" in (tmp_path / "cache" / "supportbot" / "chat.log").read_text()


def test_a_second_console_run_on_the_same_database_is_answered(bundled_model_dir: Path, tmp_path: Path) -> None:
    """Console message ids restart with each run; the database must not take a new run's first message for a re-delivery."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(Path(__file__).parents[2]),
        "SUPPORTBOT_KB_INDEX_DIR": str(tmp_path / "index"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    outputs = []
    for _ in range(2):
        completed = subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--model", str(bundled_model_dir)],
            input="how do I export a project to csv\n",
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            env=env,
        )
        assert completed.returncode == 0, completed.stderr
        outputs.append(completed.stdout)
    assert all("Export projects and tasks to CSV or JSON" in out for out in outputs)
