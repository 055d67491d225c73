"""The tier rule, one case per branch, and the deflection it implies."""

from __future__ import annotations

from dataclasses import replace

from bot.audit.recommend import Evidence, TierRule, describe, recommend

TEMPLATED = Evidence(tickets=40, pattern=0.95, replies=38, confidence=0.92, ratings=20, low_ratings=2, risky=1, deflectable=30)


def test_templated_confident_and_liked_is_auto_deflecting_the_tickets_without_triggers() -> None:
    advice = recommend(TEMPLATED)
    assert advice.tier == "auto" and advice.deflection == 30 / 40


def test_a_decision_already_made_by_the_team_stays_human() -> None:
    advice = recommend(replace(TEMPLATED, decided="human tier in the model or policy"))
    assert advice.tier == "human" and advice.deflection == 0 and advice.reasons == ("human tier in the model or policy",)


def test_risky_categories_go_to_people() -> None:
    assert recommend(replace(TEMPLATED, risky=9)).tier == "human"  # 22% > 20%
    assert recommend(replace(TEMPLATED, risky=8)).tier == "auto"


def test_bespoke_replies_need_judgment_and_partly_templated_ones_a_draft() -> None:
    assert recommend(replace(TEMPLATED, pattern=0.2)).tier == "human"
    partly = recommend(replace(TEMPLATED, pattern=0.6))
    assert partly.tier == "assisted" and partly.deflection == 0 and "pattern 0.60" in partly.reasons[0]


def test_an_unsure_model_or_unhappy_customers_hold_auto_back() -> None:
    assert recommend(replace(TEMPLATED, confidence=0.6)).tier == "assisted"
    unhappy = recommend(replace(TEMPLATED, low_ratings=8))
    assert unhappy.tier == "assisted" and "40% of ratings are 1-2" in unhappy.reasons
    assert recommend(replace(TEMPLATED, ratings=3, low_ratings=3)).tier == "auto"  # three ratings say little


def test_too_little_evidence_is_assisted() -> None:
    assert recommend(replace(TEMPLATED, tickets=3, deflectable=3)).reasons == ("only 3 tickets: too few to judge",)
    assert recommend(replace(TEMPLATED, pattern=None, replies=2)).tier == "assisted"


def test_a_discovered_topic_is_auto_once_an_intent_is_trained() -> None:
    advice = recommend(replace(TEMPLATED, confidence=None))
    assert advice.tier == "auto" and "once an intent is trained for it" in advice.reasons


def test_the_rule_is_described_with_its_numbers() -> None:
    lines = describe(TierRule(auto_pattern=0.75))
    assert len(lines) == 7 and any("pattern at least 0.75" in line for line in lines)
