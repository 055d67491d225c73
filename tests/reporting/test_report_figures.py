"""The report on a seeded week (tests/reporting/seed.py `scenario`), on SQLite and PostgreSQL: every rate
and table value against the numbers worked out by hand from the seeded rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from bot.core.policy import Policy, load_policy
from bot.reporting.report import Report, build_report, parse_since
from bot.reporting.sql import Window
from bot.storage import open_database
from tests.databases import database_url  # noqa: F401  (fixture)
from tests.reporting.seed import NOW, scenario

WEEK = Window(NOW - dt.timedelta(days=7), NOW)


def report_on(url: str, policy: Policy | None = None) -> Report:
    engine = open_database(url)
    with Session(engine) as session:
        scenario(session)
    with engine.connect() as connection:
        report = build_report(connection, WEEK, policy or load_policy())
    engine.dispose()
    return report


def test_rates_and_tables_match_the_seeded_week(database_url: str) -> None:  # noqa: F811
    policy = load_policy()
    policy.quality.min_evidence = 1  # one verdict is enough evidence here
    report = report_on(database_url, policy)

    # Turns: 10 decided in the window, one relayed; answered ×2 and small talk settled alone.
    assert report.turns.outcomes == {
        "answered": 2, "smalltalk": 1, "answer_rejected": 1, "handed_off": 2, "relayed": 1, "drafted": 2, "clarified": 1,
    }  # fmt: skip
    assert (report.turns.handled, report.turns.automated) == (9, 3)
    assert report.turns.automation_rate == pytest.approx(3 / 9)

    # Conversations started in the window: 7 (the older one is out); deflected: c1 and c2.
    c = report.conversations
    assert (c.started, c.ended, c.escalated, c.deflected) == (7, 4, 3, 2)
    assert c.by_type == {"automated": 3, "human": 3, "assisted": 1}
    assert c.deflection_rate == pytest.approx(2 / 7) and c.escalation_rate == pytest.approx(3 / 7)
    assert [(t.trigger, t.conversations) for t in report.escalations] == [
        ("draft_rejected", 1), ("frustration", 1), ("human_request", 1), ("low_confidence", 1),
    ]  # fmt: skip
    assert report.trigger_rate(report.escalations[0]) == pytest.approx(1 / 7)

    assert [(r.interaction_type, r.ratings, r.average, r.satisfied) for r in report.csat] == [
        ("assisted", 1, 3.0, 0.0), ("automated", 1, 5.0, 1.0), ("human", 2, 3.0, 0.5),
    ]  # fmt: skip

    # Tickets: high replied in 29 min (due in 60: within), normal in 300 (due in 240: breached), urgent
    # never replied and past due (breached); the high one resolved in 119 min.
    rows = {r.priority: r for r in report.tickets}
    assert list(rows) == ["urgent", "high", "normal", "all"]
    everything = rows["all"]
    assert (everything.tickets, everything.replied, everything.within_sla, everything.breached, everything.resolved) == (
        3,
        2,
        1,
        2,
        1,
    )
    assert everything.sla_met_rate == pytest.approx(1 / 3)
    assert everything.first_reply_minutes == (pytest.approx(164.5), pytest.approx(29 + 0.9 * 271))
    assert everything.resolution_minutes == (pytest.approx(119), pytest.approx(119))
    assert rows["high"].first_reply_minutes == (pytest.approx(29), pytest.approx(29)) and rows["high"].within_sla == 1
    assert rows["urgent"].first_reply_minutes == (None, None) and rows["urgent"].breached == 1

    intents = {r.intent: r for r in report.intents}
    export, reset, sso = intents["data_export"], intents["password_reset"], intents["sso_setup"]
    assert (export.turns, export.typed, export.answered, export.solved, export.not_quite, export.tier) == (1, 1, 1, 1, 0, "auto")
    assert export.mean_confidence == pytest.approx(0.9) and export.helpful == 1.0 and export.audited_accuracy == 1.0
    assert (reset.turns, reset.typed, reset.answered, reset.solved, reset.not_quite) == (2, 1, 1, 0, 1)
    assert reset.mean_confidence == pytest.approx(0.8)  # the press carries no reading of the classifier
    assert reset.helpful == 0.0 and (reset.reviews, reset.reviews_good) == (1, 0)
    assert reset.suggestion is not None and reset.suggestion.startswith("demote to assisted (/tier password_reset assisted)")
    assert (sso.drafted, sso.drafts_reviewed, sso.drafts_approved, sso.tier) == (1, 1, 1, "assisted")
    assert sso.suggestion is not None and "promote to auto" in sso.suggestion and "21 drafts" in sso.suggestion
    cancel = intents["cancel_subscription"]
    assert (cancel.drafts_reviewed, cancel.approval_rate, cancel.suggestion) == (1, 0.0, None)
    assert intents["out_of_scope"].clarified == 1 and intents["talk_to_human"].handed_off == 1
    assert export.suggestion is None and "-" not in intents  # relayed turns are not the bot's

    q = report.quality
    assert (q.drawn, q.reviewed, q.good, q.pending, q.accuracy) == (2, 2, 1, 1, 0.5)

    assert report.gaps.by_kind == {"escalation": 2, "quality_bad": 1, "unanswered": 2}
    assert [(g.intent, g.events) for g in report.gaps.by_intent] == [
        ("out_of_scope", 2), ("bug_report", 1), ("password_reset", 1), ("talk_to_human", 1),
    ]  # fmt: skip
    assert [(r.text, r.times) for r in report.gaps.repeated] == [("what is the weather", 2)]

    assert [(p.start, p.turns) for p in report.timeline] == [
        ("2026-12-01", 1), ("2026-12-02", 3), ("2026-12-03", 1), ("2026-12-04", 1), ("2026-12-05", 1), ("2026-12-06", 1), ("2026-12-07", 1),
    ]  # fmt: skip
    assert report.timeline[1].outcomes == {"smalltalk": 1, "answered": 1, "answer_rejected": 1}

    assert not report.drift.judged and report.drift.warnings == []  # a handful of turns is no sample
    assert set(report.timings_ms) >= {"turns", "conversations", "tickets", "intents", "drift"}


def test_the_default_bar_needs_more_evidence_to_demote(database_url: str) -> None:  # noqa: F811
    report = report_on(database_url)
    assert {r.intent: r.suggestion for r in report.intents}["password_reset"] is None


def test_json_carries_the_rates_and_definitions(database_url: str) -> None:  # noqa: F811
    data = report_on(database_url).as_json()
    assert data["turns"]["automation_rate"] == pytest.approx(1 / 3)
    assert data["conversations"]["deflection_rate"] == pytest.approx(2 / 7, abs=1e-6)
    assert data["window"]["start"] == "2026-11-30T10:00:00+00:00"
    assert "automation rate" in data["definitions"] and data["tickets"][-1]["sla_met_rate"] == pytest.approx(1 / 3, abs=1e-6)


def test_since_reads_spans_and_dates() -> None:
    assert parse_since("7d", NOW) == WEEK
    assert parse_since("2w", NOW).start == NOW - dt.timedelta(days=14)
    assert parse_since("2026-11-01", NOW).start == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for bad in ("soon", "0d", "2027-01-01"):
        with pytest.raises(ValueError, match="--since"):
            parse_since(bad, NOW)
