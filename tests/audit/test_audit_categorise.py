"""Tickets read the way the bot reads a first message: known questions get their intent, topics no intent
covers come out unknown, and the bot's own triggers say which tickets would escalate anyway."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.audit.categorise import categorise, is_unsure
from bot.core.policy import Policy
from bot.history.reader import load_history
from bot.history.tickets import HistoricalTicket
from models.classifier import IntentClassifier, IntentScore, Prediction


def ticket(text: str, plan: str | None = None) -> HistoricalTicket:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    return HistoricalTicket("1", now, None, None, "", text, "", None, (), plan, None, None, 2)


def prediction(confidence: float, out_of_scope: bool = False) -> Prediction:
    best = IntentScore("password_reset", confidence)
    return Prediction(
        "text", "out_of_scope" if out_of_scope else "password_reset", "password_reset", confidence, out_of_scope, 0.5, (best,)
    )


def test_known_questions_get_their_intent_and_uncovered_topics_are_unknown(
    export: Path, classifier: IntentClassifier, policy: Policy
) -> None:
    tickets = load_history(export).tickets
    readings = categorise(tickets, classifier, policy)
    by_label: dict[str, list[str | None]] = {}
    for t, r in zip(tickets, readings, strict=True):
        by_label.setdefault(t.category or "", []).append(r.intent)
    assert by_label["password_reset"] == ["password_reset"] * 6
    assert by_label["bug_report"] == ["bug_report"] * 6
    assert by_label["slack_integration"].count(None) >= 4
    assert by_label["careers"].count(None) >= 4
    unknown = [r for r in readings if r.unknown]
    assert all(r.out_of_scope or r.confidence < policy.low_confidence.threshold for r in unknown)


def test_below_the_policys_confidence_threshold_counts_as_unknown() -> None:
    strict = Policy.model_validate({"low_confidence": {"threshold": 0.9}})
    assert is_unsure(prediction(0.8), strict)
    assert not is_unsure(prediction(0.95), strict)
    assert is_unsure(prediction(0.99, out_of_scope=True), strict)
    off = Policy.model_validate({"low_confidence": {"enabled": False, "threshold": 0.9}})
    assert not is_unsure(prediction(0.5), off)  # the bot would not be unsure either


def test_the_bots_own_triggers_mark_tickets_that_would_escalate(classifier: IntentClassifier, policy: Policy) -> None:
    tickets = [
        ticket("I forgot my password, how do I reset it?"),
        ticket("You charged us twice, $900 extra. Refund it or my lawyer files a chargeback."),
        ticket("I want to speak to a real person about my invoice, not a bot."),
    ]
    calm, threat, person = categorise(tickets, classifier, policy)
    assert calm.triggers == ()
    assert {"risk", "business_rules"} & set(threat.triggers)
    assert "human_request" in person.triggers
