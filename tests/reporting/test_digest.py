"""The weekly digest for the agents' room: the week's key figures in a few lines, and no customer's words."""

from __future__ import annotations

from sqlmodel import Session

from bot.reporting.digest import weekly_digest
from bot.storage import open_database
from tests.databases import database_url  # noqa: F401  (fixture)
from tests.reporting.seed import NOW, scenario


def test_the_digest_sums_up_the_week_without_quoting_customers(database_url: str) -> None:  # noqa: F811
    engine = open_database(database_url)
    with Session(engine) as session:
        scenario(session)
    with Session(engine) as session:
        from_session = weekly_digest(session, NOW)
    from_engine = weekly_digest(engine, NOW)
    engine.dispose()
    assert from_session == from_engine
    lines = from_engine.splitlines()
    assert lines[0] == "The week to 2026-12-07: 7 conversations, 9 turns decided by the bot."
    assert lines[1] == "Automation 33% · deflection 29% · escalation 43% (most: draft_rejected 1, frustration 1, human_request 1)"
    assert "Tickets: 3; first replies within SLA 33%, median first reply 2.7 h, 2 breached." in lines
    assert "Quality sample: audited accuracy 50% of 2 verdicts; 1 drawn answer still without a verdict." in lines
    assert any(line.startswith("Knowledge gaps: 5 (out_of_scope 2, bug_report 1") for line in lines)
    assert any(line.startswith("Suggestion: sso_setup: promote to auto") for line in lines)
    assert "Drift: too few messages this week to judge." in lines
    for words in ("useless", "weather", "reset my password", "I want a human"):
        assert words not in from_engine
