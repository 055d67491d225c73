import asyncio

import pytest

from knowledge.actions import ActionRegistry
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from knowledge.types import ActionResult, Answer, CustomerContext, NoAnswer, ResolveRequest


@pytest.fixture(scope="module")
def resolver(bundled_index: KnowledgeIndex) -> Resolver:
    return Resolver(bundled_index, base_url="https://help.example.com/articles/")


def test_intent_mapping_answers_with_the_steps_and_a_link(resolver: Resolver) -> None:
    answer = resolver.answer(ResolveRequest("i forgot my password and the email never came", "password_reset", 0.97))
    assert isinstance(answer, Answer)
    assert answer.article_id == "reset-your-password" and answer.source == "intent_mapping"
    assert "1. " in answer.text and answer.link == "https://help.example.com/articles/reset-your-password"
    assert 0.4 < answer.confidence <= 0.97
    assert "Full article: https://help.example.com/articles/reset-your-password" in answer.render()
    assert not answer.render().startswith("*")  # no platform markup: the bot formats answers itself


def test_the_right_sibling_article_is_chosen_within_an_intent(resolver: Resolver) -> None:
    answer = resolver.answer(ResolveRequest("how do I go back down from Business to Team", "plan_change", 0.9))
    assert isinstance(answer, Answer) and answer.article_id == "downgrade-your-plan"


def test_conditions_are_checked_against_the_customer(resolver: Resolver) -> None:
    customer = CustomerContext(plan="team", role="member")
    answer = resolver.answer(ResolveRequest("how do I set up okta sso", "sso_setup", 0.9, customer))
    assert isinstance(answer, Answer)
    assert any("Business or Enterprise plan (yours: Team)" in reason for reason in answer.conditions_unmet)
    assert "Note: this needs the Business or Enterprise plan" in answer.render()
    allowed = resolver.answer(
        ResolveRequest("how do I set up okta sso", "sso_setup", 0.9, CustomerContext(plan="business", role="owner"))
    )
    assert isinstance(allowed, Answer) and allowed.conditions_unmet == ()


def test_no_unrelated_article_is_pasted(resolver: Resolver) -> None:
    for text, intent in [
        ("what's the weather like in lisbon tomorrow", "out_of_scope"),
        ("hello!", "greeting"),
        ("", "greeting"),
    ]:
        outcome = resolver.answer(ResolveRequest(text, intent, 0.5))
        assert isinstance(outcome, NoAnswer), (text, outcome)
    weather = resolver.answer(ResolveRequest("what's the weather like in lisbon tomorrow", "out_of_scope", 0.5))
    assert isinstance(weather, NoAnswer) and weather.best_article_id and weather.best_score < 0.45


def test_retrieval_answers_when_no_article_is_mapped(resolver: Resolver) -> None:
    outcome = resolver.answer(ResolveRequest("how do I get a copy of my invoice as a PDF", "talk_to_human", 0.4))
    assert isinstance(outcome, Answer) and outcome.source == "retrieval"
    assert outcome.article_id == "download-invoices-and-receipts"


def test_a_registered_action_runs_before_the_articles(bundled_index: KnowledgeIndex) -> None:
    class FakeReset:
        name = "reset"

        async def run(self, request: ResolveRequest) -> ActionResult:
            return ActionResult(self.name, True, f"Sent a reset link to {request.customer.email}.")

    actions = ActionRegistry()
    actions.register("password_reset", FakeReset())
    resolver = Resolver(bundled_index, actions)
    outcome = asyncio.run(resolver.resolve(ResolveRequest("reset pw", "password_reset", 0.9, CustomerContext(email="a@b.co"))))
    assert outcome == ActionResult("reset", True, "Sent a reset link to a@b.co.")


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("where can I download my invoices?", "Download an invoice or receipt"),
        ("change the company name on our invoice", "Change company name, address or PO number"),
        ("can invoices be emailed to our finance team automatically", "Send invoices to finance automatically"),
    ],
)
def test_the_section_that_answers_the_question_is_chosen(resolver: Resolver, text: str, heading: str) -> None:
    answer = resolver.answer(ResolveRequest(text, "invoice_copy", 0.95))
    assert isinstance(answer, Answer) and answer.heading == heading
