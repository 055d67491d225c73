"""The replay on a dozen past tickets, each decision checked by hand: through the real bot (model, knowledge
base, answer gate, triggers, tiers, business rules), nothing sent, the batched readings exact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.policy import load_policy
from bot.history.tickets import HistoricalTicket
from bot.replay import whatif
from bot.replay.compare import Source, WhatIf, replay_history
from bot.replay.engine import Replayer
from bot.replay.labels import BESPOKE_REPLY, HUMAN_TIER, UNKNOWN_CATEGORY
from bot.replay.result import ReplayResult
from tests.replay.conftest import CASES

SOURCE = Source("fixture", 0, "bundled", "bundled")


@pytest.fixture(scope="module")
def replayed(replayer: Replayer, tickets: tuple[HistoricalTicket, ...]) -> ReplayResult:
    """The fixture replayed once under the bundled policy, beside a variant with SSO in the auto tier, and a
    sweep of the low-confidence threshold over three values (the current 0.45 among them)."""
    policy = load_policy()
    what = WhatIf(
        tiers=(whatif.parse_tier("sso_setup=auto", replayer.intents),),
        sweep=whatif.parse_sweep("low_confidence.threshold=0.35:0.55:0.1", policy),
    )
    return replay_history(replayer, tickets, policy, what, SOURCE)


def test_each_ticket_gets_the_decision_checked_by_hand(replayed: ReplayResult) -> None:
    got = [row.baseline for row in replayed.rows]
    assert got == [case.expected for case in CASES]
    intents = {row.ticket_id: row.intent for row in replayed.rows}
    assert (intents["T1"], intents["T6"], intents["T7"], intents["T8"], intents["T14"]) == (
        "password_reset",
        "sso_setup",
        "invoice_copy",
        "refund_request",
        "invite_users",
    )
    assert intents["T4"] == intents["T5"] == "out_of_scope"


def test_counts_follow_from_the_decisions(replayed: ReplayResult) -> None:
    b = replayed.baseline
    assert [(c.name, c.tickets) for c in b.buckets] == [
        ("answered", 3),
        ("drafted", 2),
        ("escalated", 6),
        ("clarified", 2),
        ("other", 1),
    ]
    assert {c.name: c.tickets for c in b.escalated_by} == {"business_rules": 2, "risk": 2, "human_request": 1, "frustration": 1}
    assert {c.name: c.tickets for c in b.fired}["low_confidence"] == 1  # the lawyer's message is out of scope too
    assert b.automation_rate == pytest.approx(3 / 14)
    assert next(r for r in b.intents if r.intent == "out_of_scope").clarified == 2


def test_against_the_history(replayed: ReplayResult) -> None:
    h = replayed.baseline.history
    # categories that are intents: 10; the model disagrees on the frustrated bug report, the billing dispute
    # asked of a person (talk_to_human) and the account takeover (read as password_reset)
    assert (h.compared, h.agreed) == (10, 7)
    assert {(c.category, c.intent) for c in h.confusions} >= {
        ("billing_dispute", "talk_to_human"),
        ("login_trouble", "password_reset"),
    }
    assert {c.name: c.tickets for c in h.needed_by_reason} == {HUMAN_TIER: 1, UNKNOWN_CATEGORY: 1, BESPOKE_REPLY: 3}
    assert (h.needed_work, h.missed) == (5, 0)
    assert (h.routine, h.needless) == (5, 1)  # the enterprise outage answered with a macro, escalated by the rule


def test_the_variant_puts_sso_in_the_auto_tier(replayed: ReplayResult) -> None:
    assert replayed.variant is not None
    assert replayed.variant.changes == ("tier sso_setup assisted → auto",)
    changed = {row.ticket_id: (row.baseline, row.variant) for row in replayed.rows if row.baseline != row.variant}
    assert changed == {"T6": ("drafted", "answered")}
    assert replayed.changed == 1
    # the SSO ticket needed real work (a bespoke reply): answered alone, it is a missed escalation
    assert replayed.variant.history.missed == replayed.baseline.history.missed + 1


def test_a_sweep_of_three_values(replayed: ReplayResult) -> None:
    sweep = replayed.sweep
    assert sweep is not None and sweep.key == "low_confidence.threshold"
    assert [p.value for p in sweep.points] == pytest.approx([0.35, 0.45, 0.55])
    assert [p.current for p in sweep.points] == [False, True, False]
    assert sweep.current == pytest.approx(0.45)
    # the sweep starts from the variant (SSO auto): its current point is the variant's replay
    assert replayed.variant is not None
    assert sweep.points[1].answered == replayed.variant.count("answered")
    answered = [p.answered for p in sweep.points]
    assert answered == sorted(answered, reverse=True)  # a stricter threshold never answers more
    assert replayed.timing.replays == 4  # baseline, variant, 0.35 and 0.55 (0.45 is the variant's run)


def test_batched_readings_give_the_same_decisions_as_the_live_path(
    replayer: Replayer, tickets: tuple[HistoricalTicket, ...]
) -> None:
    policy = load_policy()
    replayer.cached.forget()
    served = replayer.cached.served
    replayer.prepare(tickets)
    batched = replayer.replay(policy, tickets)
    assert replayer.cached.served - served >= len(tickets)  # every turn's reading came from the batches
    live = replayer.replay(policy, tickets, batched=False)  # the model itself, one message per call
    assert [(d.outcome, d.intent, d.triggers, d.tier) for d in batched] == [
        (d.outcome, d.intent, d.triggers, d.tier) for d in live
    ]
    # padding in a batch may move the last bits: a rounded confidence by 0.0001 at most
    assert [d.confidence for d in batched] == pytest.approx([d.confidence for d in live], abs=2e-4)
    one_by_one = [replayer.model.classify(replayer.text_of(t)) for t in tickets]
    for prepared, alone in zip(replayer.cached.classify_many([replayer.text_of(t) for t in tickets]), one_by_one, strict=True):
        assert (prepared.intent, prepared.out_of_scope) == (alone.intent, alone.out_of_scope)
        assert prepared.confidence == pytest.approx(alone.confidence, abs=2e-4)
        assert [s.probability for s in prepared.signals] == pytest.approx([s.probability for s in alone.signals], abs=2e-4)


def test_nothing_is_sent(replayer: Replayer, tickets: tuple[HistoricalTicket, ...]) -> None:
    before = replayer.sent
    replayer.replay(load_policy(), tickets[:3])
    assert replayer.sent - before >= 3  # each reply was produced, and only recorded


def test_a_bug_report_signed_off_with_thanks_is_not_small_talk(replayer: Replayer) -> None:
    email = (
        "Bug report\n\nDear Orbitask Support,\n\nWhen I change a task's due date in the timeline it jumps back to the old "
        "date after a second.\n\nThanks in advance!\nTomasz"
    )
    ticket = HistoricalTicket("B1", datetime(2026, 9, 1, tzinfo=UTC), None, None, "", email, "", None, (), "team", None, None, 2)
    [decision] = replayer.replay(load_policy(), [ticket])
    assert decision.outcome != "smalltalk"
