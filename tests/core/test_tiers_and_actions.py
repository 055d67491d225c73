"""Tiers beyond auto, actions inside the pipeline, knowledge-gap events from ratings, and reloading
the knowledge base at runtime."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from sqlmodel import Session, select

from bot.core.services import Services
from knowledge import BUNDLED_ARTICLES
from knowledge.actions import ActionRegistry, WebhookAction
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.gaps import KnowledgeGap
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from tests.core.conftest import BotFactory
from tests.core.harness import BOB, Harness
from tests.knowledge.conftest import write_article

HANDOFF = "I've passed this to our support team"
calls: list[dict[str, str]] = []


async def send_reset(request: web.Request) -> web.Response:
    calls.append(await request.json())
    return web.json_response({"minutes": 30})


def with_action(services: Services, url: str) -> Services:
    registry = ActionRegistry()
    registry.register(
        "password_reset",
        WebhookAction(
            "send_reset",
            url,
            fields={"customer": "customer.id"},
            response_template="I've emailed you a reset link; it works for {minutes} minutes.",
        ),
    )
    return replace(services, resolver=Resolver(services.index, registry))


def test_the_off_tier_passes_the_message_to_agents_without_ai_context(chat: Harness) -> None:
    assert chat.command("/tier howto_reports off").ok
    chat.say("how can I build a dashboard of overdue tasks per person?")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    card = chat.only_card()
    assert {f.label: str(f.value) for f in card.fields}["Intent"].startswith("unclassified")
    assert "Suggested articles" not in {h: str(b) for h, b in card.sections}
    assert "tier: howto_reports is in the off tier" in {h: str(b) for h, b in card.sections}["Why escalated"]


def test_an_action_answers_in_the_auto_tier_and_never_runs_for_a_draft(new_bot: BotFactory, services: Services) -> None:
    app = web.Application()
    app.router.add_post("/reset", send_reset)
    runner = web.AppRunner(app)
    chat = new_bot(with_services=services)
    chat.loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    chat.loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    chat.bot.services = with_action(services, f"http://127.0.0.1:{port}/reset")
    try:
        calls.clear()
        chat.say("please send me a password reset link")
        assert chat.customer_sees() == ["I've emailed you a reset link; it works for 30 minutes."]
        assert calls == [{"customer": "test:alice"}]
        chat.command("/tier password_reset assisted")
        chat.say("I forgot my password again, reset it please", who=BOB)
        assert len(calls) == 1  # a draft is reviewed before anything happens for the customer
        assert any(getattr(item, "draft_id", None) for item in chat.agents_see())
    finally:
        chat.loop.run_until_complete(runner.cleanup())


def test_a_failed_action_hands_off_honestly(new_bot: BotFactory, services: Services) -> None:
    chat = new_bot(with_services=with_action(services, "http://127.0.0.1:9/reset"))
    chat.say("please send me a password reset link")
    assert chat.customer_sees()[0].startswith(HANDOFF)
    assert "action_failed: send_reset: request failed" in {h: str(b) for h, b in chat.only_card().sections}["Why escalated"]


def test_a_bad_rating_is_a_knowledge_gap_event(chat: Harness) -> None:
    chat.say("how do I stop a task from repeating")
    chat.customer_sees()
    chat.press("That solved it")
    chat.press("1")
    with Session(chat.bot.store.engine) as session:
        [gap] = session.exec(select(KnowledgeGap)).all()
    assert (gap.kind, gap.text, gap.intent) == ("negative_rating", "how do I stop a task from repeating", "howto_recurring_tasks")


def test_kb_reload_picks_up_changes_and_a_broken_article_keeps_the_old_one(
    new_bot: BotFactory, services: Services, encoder: SentenceEncoder, intent_names: list[str], tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(BUNDLED_ARTICLES, articles)

    def load() -> tuple[KnowledgeIndex, Resolver]:
        index, _ = KnowledgeIndex.build(load_knowledge_base(articles, intent_names), encoder, tmp_path / "index")
        return index, Resolver(index)

    chat = new_bot(with_services=replace(services, load_knowledge=load))
    write_article(
        articles, "guest-comments", "Let guests comment", "permissions_roles", "Guests can comment.", "Open the project."
    )
    assert (
        chat.command("/kb reload").text == "Knowledge base reloaded: 41 → 42 articles (every bot process reloads within seconds)."
    )
    (articles / "report-a-bug.md").write_text("---\nid: report-a-bug\ntitle: Broken\n---\nno sections\n", encoding="utf-8")
    response = chat.command("/kb reload")
    assert not response.ok and "current one keeps serving" in response.text and "report-a-bug.md" in response.text
    assert len(chat.bot.services.index.kb.articles) == 42
