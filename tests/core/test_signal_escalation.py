"""Escalation from the model's conversation signals, with the trained bundled model: tricky messages in
both directions (against floors, not per sentence: a model may miss one), the context effect, the card's
explanation, policy switches and thresholds, and bad signal configuration.

The examples here were written for these tests and appear in neither the training nor the held-out file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.events import AgentCard, Person
from bot.core.policy import BUNDLED_POLICY, PolicyError, load_policy
from bot.core.services import Services
from models.context import TurnContext
from tests.core.conftest import BotFactory
from tests.core.harness import BOB, Harness

HANDOFF = "I've passed this to our support team"

FRUSTRATED = [
    "wonderful, the timeline ate my whole afternoon of changes. just wonderful.",
    "cool cool cool, so the thing we pay for just doesn't save anymore",
    "ok. I'll just tell my boss the dashboard is blank for the board meeting then.",
    "we've begun looking at what else is out there, to be honest",
    "third week in a row the sync drops our tasks and nobody seems to care",
]
WANTS_HUMAN = [
    "could someone from your side hop on a quick call with me this week?",
    "honestly I'd prefer to go through this with an actual member of your team",
    "is there somebody I can show my screen to? it's hard to explain in writing",
    "pls have a support person email me back about the migration",
]
RISK = [
    "If the double charge isn't reversed by Friday I'm disputing it with my bank.",
    "I think someone got into our workspace, projects were deleted that nobody here touched",
    "Under GDPR I'd like a copy of all the personal data you hold about me.",
    "our legal team will be in touch if the contract terms are ignored again",
]
CALM = [
    "Our client is a law firm and wants a project called 'Court Dates'. How do I make a project private?",
    "my teammate Sue needs admin rights, how do I give them to her?",
    "we hacked together a zapier flow, can it create tasks from incoming emails?",
    "the signup form keeps asking for a phone number, is that optional?",
    "I'm building a 'chargeback review' task template for finance, can templates have checklists?",
    "this is the fifth team we've moved over and it went really smoothly, how do I add one more workspace?",
]


def reasons(card: AgentCard) -> str:
    return {h: str(b) for h, b in card.sections}["Why escalated"]


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def signal(services: Services, text: str, name: str, context: TurnContext | None = None) -> float:
    score = services.classifier.classify(text, context).signal(name)
    assert score is not None, f"the bundled model has no {name} signal"
    return score.probability


def fired(services: Services, text: str, name: str) -> bool:
    score = services.classifier.classify(text).signal(name)
    return score is not None and score.fired


def test_the_bundled_model_reads_signals_without_trigger_words(services: Services) -> None:
    assert share([fired(services, t, "frustrated") for t in FRUSTRATED]) >= 0.6
    assert share([fired(services, t, "wants_human") for t in WANTS_HUMAN]) >= 0.75
    assert share([fired(services, t, "risk") for t in RISK]) >= 0.75


def test_trigger_words_in_innocent_contexts_are_not_signals(services: Services) -> None:
    for name in ("frustrated", "wants_human", "risk"):
        assert share([fired(services, t, name) for t in CALM]) <= 0.2, name


def test_the_same_sentence_reads_differently_after_a_failed_answer(services: Services) -> None:
    """The context moves the signal the right way for every ambiguous reply, but only a little (BENCHMARKS.md:
    the bundled model leans on the words; a "Not quite" press counts fully in the decision layer instead)."""
    after = TurnContext(bot_last="answered", pressed="not_quite", failed_answers=1, turn_index=1)
    replies = ["ok so I'll redo the report by hand then", "right. fine.", "that's the same article as before", "ok", "sure"]
    lifts = [signal(services, s, "frustrated", after) - signal(services, s, "frustrated") for s in replies]
    assert all(lift > 0 for lift in lifts), lifts
    assert sum(lifts) / len(lifts) > 0.01, lifts


CLOSING = [
    "brilliant, the invoice is downloaded. bye!",
    "ok the export worked, got the csv now, cheers",
    "ah she was only a guest. changed it and she can see everything now",
    "that sorted it, have a good one",
]


def test_the_bundled_model_reads_sign_offs(services: Services) -> None:
    after = TurnContext(bot_last="answered", turn_index=1)
    assert share([services.classifier.classify(t, after).signal("closing").fired for t in CLOSING]) >= 0.75  # type: ignore[union-attr]


def test_a_closing_signal_ends_the_conversation_instead_of_clarifying(new_bot: BotFactory, tmp_path: Path) -> None:
    sign_off = "got it on my desktop now, off to the accountant with it"  # no closing phrase the rule list knows
    chat = new_bot()
    chat.say("where do I download last month's invoice?")
    chat.customer_sees()
    chat.say(sign_off)
    assert chat.customer_sees()[0] == "Glad I could help!"  # then the rating request: the conversation is over
    assert chat.agents_see() == []

    rules_only = tmp_path / "closing-off.yaml"
    rules_only.write_text(
        BUNDLED_POLICY.read_text(encoding="utf-8").replace(
            "closing: {enabled: true, threshold: null}", "closing: {enabled: false, threshold: null}"
        )
    )
    without = new_bot(policy=load_policy(rules_only))
    without.say("where do I download last month's invoice?", who=BOB, message_id="b-1")
    without.customer_sees()
    without.say(sign_off, who=BOB, message_id="b-2")
    assert without.customer_sees()[0] != "Glad I could help!"


def test_calm_messages_with_trigger_words_are_answered_not_escalated(chat: Harness) -> None:
    escalated = []
    for number, text in enumerate(CALM):
        customer = Person("test", f"calm-{number}", f"Calm {number}")
        chat.say(text, who=customer, message_id=f"calm-{number}")
        escalated.append(any(HANDOFF in line for line in chat.customer_sees()))
    assert share(escalated) <= 0.2, escalated


def test_the_card_names_the_signal_its_probability_and_the_sentence(chat: Harness) -> None:
    chat.say(
        "Hello. We rely on the Gantt view for client reporting. It has thrown away my edits three times this week "
        "and I am honestly sick of redoing them."
    )
    why = reasons(chat.only_card())
    assert "frustration: frustrated 0." in why and "(threshold 0." in why
    assert "“It has thrown away my edits three times" in why  # the sentence that carried it, quoted as customer text
    assert "We rely on the Gantt view" not in why


def test_a_risk_message_is_escalated_with_its_reason(chat: Harness) -> None:
    chat.say("Someone changed our account owner's email overnight and we can't get in. We never did that.")
    card = chat.only_card()
    assert "risk: risk 0." in reasons(card)
    assert card.priority in ("high", "urgent")
    assert "legal, security or data-protection risk +3" in {f.label: str(f.value) for f in card.fields}["Priority"]


def test_each_signal_can_be_switched_off_or_retuned_in_the_policy(new_bot: BotFactory, tmp_path: Path) -> None:
    text = "the csv export keeps timing out on big projects, would rather someone walked me through it live"
    on = new_bot()
    on.say(text)
    assert "human_request: wants_human" in reasons(on.only_card())

    off = tmp_path / "off.yaml"
    bundled = BUNDLED_POLICY.read_text(encoding="utf-8")
    off.write_text(
        bundled.replace("wants_human: {enabled: true, threshold: null}", "wants_human: {enabled: false, threshold: null}")
    )
    quiet = new_bot(policy=load_policy(off))
    quiet.say(text, message_id="off-1")
    assert not any("wants_human" in reasons(card) for card in quiet.cards())

    strict = new_bot(policy=load_policy(off).model_copy(deep=True))
    strict.bot.policy.signals.wants_human.enabled = True
    strict.bot.policy.signals.wants_human.threshold = 1.0  # nothing reaches 1.0
    strict.say(text, message_id="strict-1")
    assert not any("wants_human" in reasons(card) for card in strict.cards())


def test_admins_change_a_signal_threshold_at_runtime(chat: Harness) -> None:
    shown = chat.command("/threshold frustrated").text
    assert "frustrated = 0." in shown and "(the model's)" in shown
    assert chat.command("/threshold frustrated 0.99").ok
    chat.say("cool cool cool, so the thing we pay for just doesn't save anymore")
    assert not chat.customer_sees()[0].startswith(HANDOFF)
    assert "frustrated = 0.99" in chat.command("/threshold frustrated").text


def test_keyword_rules_count_only_where_the_model_reads_the_topic(chat: Harness) -> None:
    chat.say("how do I rename our project 'Lawsuit tracker' to 'Legal ops'?")
    assert not chat.customer_sees()[0].startswith(HANDOFF)


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ("signals: {frustrated: {threshold: 1.5}}", "signals.frustrated.threshold: Input should be less than or equal to 1"),
        ("signals: {frustation: {enabled: false}}", "signals.frustation: Extra inputs are not permitted"),
        ("signals: {risk: {enabled: maybe}}", "signals.risk.enabled: Input should be a valid boolean"),
        ("signals: {rule_floor: -0.1}", "signals.rule_floor: Input should be greater than or equal to 0"),
        (
            "business_rules: {rules: [{name: x, kind: keywords, keywords: [sue], signal: angry}]}",
            "business_rules.rules.0.keywords.signal: Input should be 'frustrated', 'wants_human', 'risk' or 'closing'",
        ),
    ],
)
def test_bad_signal_configuration_is_refused_clearly(tmp_path: Path, yaml_text: str, problem: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_policy_relying_on_signals_the_model_lacks_is_reported() -> None:
    assert load_policy().check_signals(["frustrated", "closing"]) == ["wants_human", "risk"]
    assert load_policy().check_signals(["frustrated", "wants_human", "risk", "closing"]) == []
