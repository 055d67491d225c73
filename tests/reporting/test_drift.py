"""Drift on real databases: an unchanged week raises nothing, a shifted intent mix, out-of-scope rate or
confidence does, and a week with too few messages is not judged."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session

from bot.core.policy import Drift
from bot.reporting.drift import DriftReport, jensen_shannon, kolmogorov_smirnov, measure
from bot.storage import open_database
from bot.storage.tables import Conversation, Customer, Decision, Message
from tests.databases import database_url  # noqa: F401  (fixture)

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
USUAL = {"password_reset": 150, "data_export": 90, "invoice_copy": 60}  # a week's 300 in-scope messages


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:  # noqa: F811
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def seed(engine: Engine, weeks: list[tuple[dict[str, int], int, float]]) -> None:
    """One (intent counts, out-of-scope messages, confidence) per week, the current week first."""
    with Session(engine) as session:
        customer = Customer(platform="test", platform_user_id="drift")
        session.add(customer)
        session.flush()
        conversation = Conversation(customer_id=customer.id or 0, platform="test", channel_id="dm")
        session.add(conversation)
        session.commit()
        assert conversation.id is not None
        conversation_id = conversation.id
    ids = itertools.count(1)
    messages, decisions = [], []
    for week, (intents, oos, confidence) in enumerate(weeks):
        start = NOW - dt.timedelta(days=7 * (week + 1))
        labels = [(i, False) for i, n in intents.items() for _ in range(n)] + [("out_of_scope", True)] * oos
        for k, (intent, out_of_scope) in enumerate(labels):
            at = start + dt.timedelta(minutes=10 + k)
            n = next(ids)
            messages.append(
                {"id": n, "conversation_id": conversation_id, "platform": "test", "platform_message_id": f"m{n}",
                 "direction": "inbound", "author": "customer", "author_id": "drift", "text": "…", "state": "done", "created_at": at}
            )  # fmt: skip
            decisions.append(
                {"id": n, "conversation_id": conversation_id, "message_id": n, "intent": intent, "confidence": confidence,
                 "out_of_scope": out_of_scope, "tier": "auto", "outcome": "answered", "triggers": "", "latency_ms": 1.0, "created_at": at}
            )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Message), messages)
        connection.execute(insert(Decision), decisions)


def drift(engine: Engine, training: dict[str, int] | None = None, config: Drift | None = None) -> DriftReport:
    with engine.connect() as connection:
        return measure(connection, NOW, config or Drift(), training)


def test_an_unchanged_week_raises_nothing(engine: Engine) -> None:
    seed(engine, [(USUAL, 15, 0.9)] * 5)
    report = drift(engine, training=dict(USUAL))
    assert report.judged and report.warnings == []
    assert report.current.turns == 315 and report.previous.turns == 4 * 315
    assert report.jsd_previous == pytest.approx(0.0, abs=1e-9) and report.jsd_training == pytest.approx(0.0, abs=1e-9)
    assert report.confidence_ks == pytest.approx(0.0) and report.current.oos_rate == pytest.approx(15 / 315)


def test_a_shifted_intent_mix_is_a_warning(engine: Engine) -> None:
    shifted = {"password_reset": 60, "data_export": 60, "invoice_copy": 180}
    seed(engine, [(shifted, 15, 0.9), *[(USUAL, 15, 0.9)] * 4])
    report = drift(engine)
    assert report.jsd_previous == pytest.approx(0.1305, abs=1e-3)  # worked out by hand: (0.125 + 0.136) / 2
    assert len(report.warnings) == 1 and report.warnings[0].startswith("Intent mix moved from the previous 4 weeks")
    assert "invoice_copy 20% → 60%" in report.warnings[0]
    assert report.movers[0] == ("invoice_copy", pytest.approx(0.6), pytest.approx(0.2))


def test_out_of_scope_and_confidence_shifts_are_warnings(engine: Engine) -> None:
    seed(engine, [(USUAL, 75, 0.42), *[(USUAL, 15, 0.9)] * 4])
    warnings = drift(engine).warnings
    assert any(w.startswith("Out-of-scope rate 20.0% this week against 4.8%") for w in warnings)
    assert any(w.startswith("Confidence distribution shifted: mean 0.42 this week against 0.90") for w in warnings)
    assert not any(w.startswith("Intent mix") for w in warnings)


def test_the_training_mix_is_compared_with_its_own_threshold(engine: Engine) -> None:
    seed(engine, [(USUAL, 15, 0.9)] * 5)
    balanced = {"password_reset": 70, "data_export": 70, "invoice_copy": 70, "sso_setup": 70, "api_keys": 70, "out_of_scope": 30}
    report = drift(engine, training=balanced)
    assert report.jsd_training == pytest.approx(0.2552, abs=1e-3)  # past the weekly threshold (0.1), not the training one
    assert report.warnings == [] and report.training_oos_share == pytest.approx(30 / 380)
    elsewhere = {"sso_setup": 300, "api_keys": 300, "password_reset": 10}
    report = drift(engine, training=elsewhere)
    assert report.jsd_training is not None and report.jsd_training > 0.3
    assert [w for w in report.warnings if w.startswith("Intent mix is far from the training data's")]


def test_a_quiet_week_is_not_judged(engine: Engine) -> None:
    seed(engine, [({"invoice_copy": 20}, 0, 0.3), *[(USUAL, 15, 0.9)] * 4])
    report = drift(engine)
    assert not report.judged and report.warnings == [] and report.jsd_previous is not None


def test_divergences_are_bounded() -> None:
    assert jensen_shannon({"a": 5}, {"b": 7}) == pytest.approx(1.0)
    assert jensen_shannon({"a": 1, "b": 1}, {"a": 2, "b": 2}) == pytest.approx(0.0)
    assert kolmogorov_smirnov((10, 0, 0), (0, 0, 10)) == pytest.approx(1.0)
    assert kolmogorov_smirnov((1, 2, 3), (2, 4, 6)) == pytest.approx(0.0)
