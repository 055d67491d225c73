"""Every escalation trigger, the clarifying question, and the handoff packet the agent receives."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select

from bot.core.events import AgentCard, CustomerProfile
from bot.core.policy import Policy, load_policy
from bot.core.services import Services
from bot.storage.tables import Message, Ticket
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.gaps import KnowledgeGap
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, Harness, dm
from tests.knowledge.conftest import write_article

HANDOFF = "I've passed this to our support team"
ENTERPRISE = CustomerProfile(company="Globex", tier="enterprise", account_value=180_000)


def reasons(card: AgentCard) -> str:
    return {h: str(b) for h, b in card.sections}["Why escalated"]


def ticket(chat: Harness) -> Ticket:
    with Session(chat.bot.store.engine) as session:
        return session.exec(select(Ticket)).one()


def test_an_explicit_request_for_a_human_hands_off(chat: Harness) -> None:
    chat.say("can I talk to a real person please")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    assert "human_request" in reasons(chat.only_card())


def test_a_request_for_a_human_inside_another_question_hands_off(chat: Harness) -> None:
    chat.say("our SSO setup keeps failing with Okta, I'd like to speak to someone on your team")
    card = chat.only_card()
    assert "human_request: wants_human" in reasons(card)
    assert "“our SSO setup keeps failing with Okta, I'd like to speak to someone on your team”" in reasons(card)


def test_the_talk_to_a_person_button_hands_off(chat: Harness) -> None:
    chat.say("how do I set up recurring tasks")
    chat.customer_sees()
    chat.press("Talk to a person")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    card = chat.only_card()
    assert "pressed “Talk to a person”" in reasons(card)
    assert {h: str(b) for h, b in card.sections}[
        "Summary"
    ] == "• “how do I set up recurring tasks”"  # the customer's words, not the click
    with Session(chat.bot.store.engine) as session:
        assert [g.text for g in session.exec(select(KnowledgeGap)).all()] == ["how do I set up recurring tasks"]


def test_low_confidence_asks_one_clarifying_question_then_hands_off(chat: Harness) -> None:
    chat.say("what's a good recipe for banana bread")
    [question] = chat.customer_sees()
    assert question.startswith("Sorry, I'm not sure I understood.")
    assert chat.agents_see() == []
    chat.say("do you know who won the football last night")
    [told] = chat.customer_sees()
    assert "I'm still not sure what you need" in told
    with Session(chat.bot.store.engine) as session:  # the transcript keeps what the customer was actually told
        assert told in [m.text for m in session.exec(select(Message).where(Message.author == "bot")).all()]
    assert "low_confidence: out of scope" in reasons(chat.only_card())


def test_a_clarifying_choice_answers_the_original_message(chat: Harness) -> None:
    chat.say("can you help me with the when-then stuff")
    chat.customer_sees()
    buttons = [b for b in chat._customer_buttons if b.action == "article.pick"]
    assert buttons and [b.label for b in chat._customer_buttons][-2:] == ["Something else", "Talk to a person"]
    chat.click("article.pick", f"{buttons[0].value.split(':')[0]}:build-automation-rules", who=ALICE, place=dm(ALICE))
    [answer] = chat.customer_sees()
    assert "automation" in answer.lower()
    assert chat.agents_see() == []


def test_clarifying_first_can_be_switched_off(new_bot: BotFactory) -> None:
    policy = load_policy()
    policy.low_confidence.clarify_first = False
    chat = new_bot(policy)
    chat.say("what's a good recipe for banana bread")
    assert chat.customer_sees()[0].startswith(HANDOFF)


def rules_only() -> Policy:
    """The bundled policy with the model's signals off: the rule lists decide alone, as before them."""
    policy = load_policy()
    policy.signals.enabled = False
    return policy


def test_exasperation_is_frustration(new_bot: BotFactory) -> None:
    runs = ((new_bot(), ALICE, "frustration: frustrated 0."), (new_bot(rules_only()), BOB, 'exasperation ("ridiculous")'))
    for chat, who, expected in runs:
        chat.say("how do I add a teammate to my workspace", who=who, message_id=f"{who.user_id}-1")
        chat.customer_sees()
        chat.say("I did that and the invite STILL hasn't arrived, this is ridiculous", who=who, message_id=f"{who.user_id}-2")
        assert chat.customer_sees()[0].startswith(HANDOFF)
        assert expected in reasons(chat.only_card())


def test_shouting_is_frustration(new_bot: BotFactory) -> None:
    runs = ((new_bot(), ALICE, "frustration: frustrated 0."), (new_bot(rules_only()), BOB, "shouting (mostly capitals)"))
    for chat, who, expected in runs:
        chat.say("WHY DOES THE EXPORT KEEP FAILING, THIS IS THE THIRD TIME TODAY", who=who, message_id=f"{who.user_id}-1")
        assert expected in reasons(chat.only_card())


def test_a_second_failed_answer_escalates(chat: Harness) -> None:
    chat.say("how do I create an api key")
    chat.customer_sees()
    chat.press("Not quite")
    assert chat.customer_sees()[0].startswith("Sorry that didn't help.")
    assert chat.agents_see() == []
    chat.say("where do I make a personal API token")
    chat.customer_sees()
    chat.press("Not quite")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    assert "2 answers did not help" in reasons(chat.only_card())


def test_a_calm_error_report_is_not_frustration(chat: Harness) -> None:
    chat.say("The CSV export fails with an error when I include archived tasks")
    assert not chat.customer_sees()[0].startswith(HANDOFF)
    assert chat.agents_see() == []


def test_a_billing_dispute_over_the_amount_is_a_business_rule(chat: Harness) -> None:
    team = CustomerProfile(company="Hooli", tier="team", account_value=3_000)
    chat.say("You charged us $1,240 twice on invoice INV-20931, please reverse one of them", profile=team)
    card = chat.only_card()
    assert "billing_amount: $1,240 > 500" in reasons(card)
    assert ticket(chat).priority in ("high", "urgent")


def test_an_enterprise_bug_report_is_a_business_rule(chat: Harness) -> None:
    chat.say("the timeline view crashes when I drag a task to next month", profile=ENTERPRISE)
    card = chat.only_card()
    assert "enterprise_customer: enterprise customer, bug_report" in reasons(card)
    assert card.priority in ("high", "urgent")


def test_legal_keywords_are_a_business_rule(chat: Harness) -> None:
    chat.say("I think my account was hacked, there are projects I never created")
    assert 'legal_or_security: mentions "hacked"' in reasons(chat.only_card())


def test_the_human_tier_always_hands_off(chat: Harness) -> None:
    chat.say("I'd like a refund for this month please")
    assert "tier: refund_request is in the human tier" in reasons(chat.only_card())


def test_no_good_answer_hands_off_and_logs_a_knowledge_gap(
    new_bot: BotFactory, services: Services, encoder: SentenceEncoder, intent_names: list[str], tmp_path: Path
) -> None:
    (tmp_path / "kb").mkdir()
    write_article(tmp_path / "kb", "reset-password", "Reset your password", "password_reset", "Forgot it?", "Click reset.")
    kb = load_knowledge_base(tmp_path / "kb", intent_names)
    index, _ = KnowledgeIndex.build(kb, encoder, tmp_path / "index")
    chat = new_bot(with_services=replace(services, index=index, resolver=Resolver(index)))
    chat.say("how do I build a dashboard that shows workload per person")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    assert "no_answer: no article is close enough" in reasons(chat.only_card())
    with Session(chat.bot.store.engine) as session:
        kinds = sorted(g.kind for g in session.exec(select(KnowledgeGap)).all())
    assert kinds == ["escalation", "unanswered"]
    chat.command("/trigger no_answer off")  # then the bot says so instead of handing off
    chat.say("how do I build a dashboard that shows workload per person", who=BOB)
    assert chat.customer_sees() == ["I don't have a good answer for that one, sorry."]
    assert chat.agents_see() == []


def test_a_switched_off_trigger_does_not_fire(chat: Harness) -> None:
    assert chat.command("/trigger frustration off").ok
    chat.say("WHY CAN I NOT LOG IN TO MY ACCOUNT")
    assert not chat.customer_sees()[0].startswith(HANDOFF)


def test_the_handoff_packet_has_the_full_context(new_bot: BotFactory) -> None:
    policy = load_policy()
    policy.answer.max_wrong_rate = 0.2  # a loose answer gate: the bot answers the first question outright
    chat = new_bot(policy)
    profile = CustomerProfile(company="Initech", tier="business", account_value=24_000)
    chat.say("hi", profile=profile)
    chat.say("how do I connect github to my project")
    chat.customer_sees()
    chat.say('I followed that and the pull requests still don\'t show up on tasks, I get "Error 403: resource not accessible"')
    card = chat.only_card()
    fields = {f.label: str(f.value) for f in card.fields}
    sections = {h: str(b) for h, b in card.sections}
    assert "Initech" in fields["Customer"] and "business" in fields["Customer"] and "24,000" in fields["Customer"]
    assert fields["Intent"].startswith("github_integration")
    assert "first reply due" in fields["Priority"]
    assert " → " in fields["Sentiment"]
    assert "Error 403: resource not accessible" in sections["Details"]
    assert "pull requests still don't show up" in sections["Summary"]
    assert "hi" not in sections["Summary"].split("\n")  # greetings are not the issue
    assert 'answered from "Connect GitHub' in sections["What the bot tried"]
    assert "→ customer: “I followed that" in sections["What the bot tried"]
    assert "connect-github" in sections["Suggested articles"]
    assert sections["Transcript"].count("customer: ") == 3
    assert "frustration" in sections["Why escalated"]
    stored = json.loads(ticket(chat).summary)
    assert stored["intent"] == "github_integration" and stored["customer"]["company"] == "Initech"


def test_history_of_past_tickets_reaches_the_next_card(chat: Harness) -> None:
    chat.say("I want to talk to a human")
    chat.only_card()
    chat.click("ticket.resolve", "1")
    chat.customer_sees()
    chat.say("I'd like to speak to an agent again please")
    assert "1 past tickets" in {f.label: str(f.value) for f in chat.only_card().fields}["History"]
