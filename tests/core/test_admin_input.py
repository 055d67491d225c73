"""Bad admin input, typed by an admin or anyone else: always one short, clear answer and one audit row, never a crash."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from bot.core.admin import COMMANDS, AdminCommand
from bot.core.events import CommandResponse, Person
from bot.storage.tables import AuditEntry
from tests.core.harness import ALICE, ROOT, Harness

RUNNABLE = [c for c in COMMANDS if c not in ("kb", "model", "retrain")]  # slow or background work: tested elsewhere
NUMBERS = ["inf", "-inf", "1e999", "1e400", "-0", "nan", "NaN", "²", "٣", "0", "3651"]
ODD = ["\x00", "'", '"', "\\", "\u202e", "\u200f", "İ"]
NASTY = [*NUMBERS, *ODD, "confidence", "sso_setup", "auto", "on", *RUNNABLE]
words = st.one_of(st.sampled_from(NASTY), st.text(max_size=20))
long_word = st.sampled_from(["x", "²", "\x00", "'", "9"]).map(lambda c: c * 40_000)
arguments = st.one_of(st.lists(words, max_size=4).map(" ".join), st.text(max_size=200), long_word)
names = st.one_of(
    st.sampled_from([*RUNNABLE, "supportbot", "sb"]),
    st.text(max_size=30),
    long_word,
).map(lambda name: name.replace(" ", "_"))  # the harness splits the line at the first space
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def audit_rows(chat: Harness) -> list[AuditEntry]:
    with Session(chat.bot.store.engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def audit_count(chat: Harness) -> int:
    with Session(chat.bot.store.engine) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def answered_once(chat: Harness, line: str, who: Person) -> CommandResponse:
    """Send one command; it must be answered with short text and audited exactly once."""
    before = audit_count(chat)
    response = chat.command(line, who=who)
    assert isinstance(response, CommandResponse) and response.to == who
    text = str(response.text)
    assert text.strip() and len(text) < 4000
    assert audit_count(chat) == before + 1
    return response


@FAST
@given(name=names, args=arguments)
def test_any_command_line_is_answered_and_audited_once(chat: Harness, name: str, args: str) -> None:
    line = f"/{name} {args}"
    assert answered_once(chat, line, ROOT) is not None
    refused = answered_once(chat, line, ALICE)
    word = (args.split(" ")[0] if name.lower() in ("supportbot", "sb") else name).lower()  # the umbrella's command
    spec = COMMANDS.get(word)
    refusal = "is for agents in the agents' channel and admins" if spec and spec.agents else "is for admins only"
    assert not refused.ok and refusal in str(refused.text)
    newest = audit_rows(chat)[-1]
    assert newest.actor == ALICE.key and not newest.allowed and "\x00" not in newest.arguments + newest.command


@pytest.mark.parametrize(
    ("days", "answer"),
    [
        ("inf", "DAYS must be a finite number, more than 0 and at most 3650; not 'inf'."),
        ("1e400", "DAYS must be a finite number, more than 0 and at most 3650; not '1e400'."),
        ("nan", "DAYS must be a finite number, more than 0 and at most 3650; not 'nan'."),
        ("-0", "DAYS must be more than 0."),
        ("3651", "DAYS can be at most 3650 (ten years); got 3651."),
        ("²", "DAYS must be a number, not '²'."),
    ],
)
def test_stats_refuses_days_it_cannot_count_back(chat: Harness, days: str, answer: str) -> None:
    response = chat.command(f"/stats {days}")
    assert not response.ok and response.text == answer
    assert [(a.command, a.arguments, a.result) for a in audit_rows(chat)] == [("stats", days, answer)]
    assert chat.command("/stats 3650").ok and chat.command("/stats ٣").ok  # Arabic-Indic 3 is a number


def test_unknown_intent_is_named_with_what_is_valid(chat: Harness) -> None:
    response = chat.command("/tier nosuchintent auto")
    assert not response.ok and response.text.startswith("Unknown intent 'nosuchintent'.")
    assert "Valid: " in response.text and "password_reset" in response.text


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        ("2", "confidence must be between 0 and 1; got 2."),
        ("nan", "confidence takes a finite number from 0 to 1, not 'nan'."),
        ("inf", "confidence takes a finite number from 0 to 1, not 'inf'."),
        ("-1e999", "confidence takes a finite number from 0 to 1, not '-1e999'."),
    ],
)
def test_threshold_outside_its_range_is_refused(chat: Harness, value: str, answer: str) -> None:
    before = chat.bot.tiers.threshold("confidence")
    response = chat.command(f"/threshold confidence {value}")
    assert not response.ok and response.text == answer
    assert chat.bot.tiers.threshold("confidence") == before


def test_an_unexpected_error_is_answered_audited_and_logged_without_its_text(
    chat: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> str:
        raise ValueError("could not connect to postgresql://bot:hunter2@db/support")

    monkeypatch.setitem(COMMANDS, "status", AdminCommand("status", broken))
    with caplog.at_level(logging.ERROR, logger="supportbot.admin"):
        response = chat.command("/status")
    assert not response.ok and response.text == "Internal error running /status; it was logged (ValueError)."
    assert [(a.command, a.result) for a in audit_rows(chat)] == [("status", response.text)]
    assert any(r.exc_info and "admin.command_failed" in r.getMessage() for r in caplog.records)


def test_long_and_odd_input_is_stored_and_echoed_short(chat: Harness) -> None:
    response = chat.command("/tier " + "x" * 40_000 + " auto")
    assert not response.ok and response.text.startswith("Unknown intent '" + "x" * 79 + "…'.") and len(response.text) < 1000
    response = chat.command("/tier sso\x00setup\u202e² auto")
    assert not response.ok and "\x00" not in response.text
    response = chat.command("/" + "\x00" * 10 + "y" * 40_000)
    assert response.text.startswith("Unknown command '/" + "y" * 69 + "…'.") and len(response.text) < 1000
    rows = audit_rows(chat)
    assert len(rows) == 3 and len(rows[0].arguments) == 1000 and rows[1].arguments == "ssosetup\u202e² auto"
    assert rows[2].command == "y" * 64
