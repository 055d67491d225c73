"""Learning from agents, outside the chat: the feedback CSV, the retraining decision, and a retrain on
a tiny model where a confirmed example changes the prediction and a worse model is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.cli import main
from bot.core import feedback
from bot.feedback_csv import FeedbackFileError, read_csv, write_csv
from bot.retrain import judge, merge, replace_model, with_feedback
from bot.storage import open_database
from bot.storage.tables import Conversation, Customer, Message
from models.classifier import IntentClassifier
from models.evaluation import EvalReport
from models.training import train_model
from tests.conftest import make_data, tiny_config

KNOWN = ["password_reset", "invoice_copy", "greeting"]


def stored_examples(url: str) -> list[int]:
    """Three customer messages: confirmed by a choice, by an approved draft, and a rejected draft."""
    engine = open_database(url)
    with Session(engine) as session:
        customer = Customer(platform="test", platform_user_id="alice")
        session.add(customer)
        session.flush()
        conversation = Conversation(customer_id=customer.id or 0, platform="test", channel_id="dm")
        session.add(conversation)
        session.flush()
        ids = []
        for n, text in enumerate(["where's my receipt from june", "cant get into my acount", "hello"]):
            message = Message(
                conversation_id=conversation.id or 0, platform="test", direction="inbound", author="customer", text=text
            )
            message.platform_message_id = f"m{n}"
            session.add(message)
            session.flush()
            ids.append(message.id or 0)
        feedback.record(session, ids[0], "customer_choice", "invoice_copy", "download-invoices-and-receipts")
        feedback.record(session, ids[1], "draft_approved", "password_reset", None, "test:sam")
        feedback.record(session, ids[2], "draft_rejected", "greeting", None, "test:sam", "rejected")
        feedback.record(session, ids[1], "draft_approved", "password_reset", "reset-your-password", "test:kim")  # relabel
        session.commit()
    return ids


def test_feedback_is_stored_once_per_source_and_exported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fb.db"
    stored_examples(url)
    with Session(open_database(url)) as session:
        rows = feedback.confirmed(session, include_rejected=True)
        assert [(r.source, r.verdict, r.confirmed_by) for r in rows] == [
            ("customer_choice", "confirmed", None),
            ("draft_approved", "confirmed", "test:kim"),
            ("draft_rejected", "rejected", "test:sam"),
        ]
        assert len(feedback.confirmed(session)) == 2
        out = io.StringIO()
        write_csv(rows, out)
    exported = tmp_path / "feedback.csv"
    exported.write_text(out.getvalue(), encoding="utf-8")
    assert read_csv(exported, KNOWN) == [
        ("where's my receipt from june", "invoice_copy", "customer_choice"),
        ("cant get into my acount", "password_reset", "draft_approved"),
    ]


def test_the_cli_exports_what_the_database_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/fb.db"
    stored_examples(url)
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", url)
    assert main(["feedback", "export", "--confirmed-only"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("id,created_at,source,verdict,intent") and len(lines) == 3


def test_bad_feedback_rows_are_all_named_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.csv"
    path.write_text(
        "verdict,intent,text\nconfirmed,password_reset,forgot it\nconfirmed,pasword_reset,typo in intent\n"
        "maybe,greeting,hi\nconfirmed,greeting,\nrejected,whatever,skipped\n",
        encoding="utf-8",
    )
    with pytest.raises(FeedbackFileError) as error:
        read_csv(path, KNOWN)
    message = str(error.value)
    assert f"{path}:3: unknown intent 'pasword_reset'" in message
    assert f"{path}:4: verdict must be confirmed or rejected, not 'maybe'" in message
    assert f"{path}:5: empty text" in message
    assert ":2:" not in message and ":6:" not in message
    path.write_text("text,label\nhi,greeting\n", encoding="utf-8")
    with pytest.raises(FeedbackFileError, match=r"reviewed.csv:1: missing column\(s\) verdict, intent"):
        read_csv(path, KNOWN)


def test_a_bad_reviewed_file_stops_training_before_it_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reviewed.csv"
    path.write_text("verdict,intent,text\nconfirmed,no_such_intent,hello\n", encoding="utf-8")
    assert main(["train", "--with-feedback", "--feedback", str(path), "--quiet", "--out", str(tmp_path / "m")]) == 2
    assert f"{path}:2: unknown intent 'no_such_intent'" in capsys.readouterr().err
    assert not (tmp_path / "m.candidate").exists()


def report(macro_f1: float, accuracy: float) -> EvalReport:
    return EvalReport(n=10, n_in_scope=10, n_out_of_scope=0, in_scope_accuracy=accuracy, closed_set_accuracy=accuracy,
                      macro_f1=macro_f1, calibration_error=0.0)  # fmt: skip


def test_a_worse_model_is_refused_and_noise_is_tolerated() -> None:
    assert judge(None, report(0.5, 0.5)).accepted
    assert judge(report(0.90, 0.90), report(0.898, 0.91)).accepted  # within the 0.005 tolerance
    refused = judge(report(0.90, 0.90), report(0.85, 0.91))
    assert not refused.accepted and "macro-F1 0.900 → 0.850" in refused.reason


def test_merge_keeps_known_new_examples_once() -> None:
    data = make_data(per_label=4)
    rows = [
        ("need the receipt thing", "invoice_copy", "customer_choice"),
        ("need the receipt thing", "invoice_copy", "agent_label"),
        (data.examples[0].text, data.examples[0].label, "draft_approved"),
        ("book a table", "restaurant", "agent_label"),
        ("   ", "greeting", "agent_label"),
    ]
    extra = merge(data, rows)
    assert [e.text for e in extra.examples] == ["need the receipt thing"]
    assert extra.by_source == {"customer_choice": 1}
    assert extra.skipped == {"already an example": 2, "intent not in the intents file": 1, "empty text": 1}


def test_confirmed_examples_change_the_prediction(tiny_base: Path, tmp_path: Path) -> None:
    """A phrase the tiny model has never seen is taught by confirmed examples, through the same path
    `supportbot train --with-feedback` takes; the candidate replaces the serving directory."""
    data = make_data()
    config = tiny_config(tiny_base, epochs=12)
    phrase = "zorp the blorf"
    before = train_model(data, tmp_path / "serving", config, progress=False)
    assert before.classifier.classify(phrase).best_intent != "greeting"
    taught = [(f"{phrase}{suffix}", "greeting", "agent_label") for suffix in ("", " please", " now", " again", "!!", " pls")]
    extra = merge(data, taught)
    assert len(extra.examples) == len(taught)
    train_model(with_feedback(data, extra), tmp_path / "candidate", config, progress=False)
    previous = replace_model(tmp_path / "serving", tmp_path / "candidate")
    assert previous.name == "serving.previous" and not (tmp_path / "candidate").exists()
    after = IntentClassifier.load(tmp_path / "serving")
    assert after.classify(phrase).best_intent == "greeting"
    assert IntentClassifier.load(previous).manifest.labels == after.manifest.labels  # the old one is kept, loadable
