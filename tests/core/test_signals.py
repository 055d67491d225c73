"""Entities and frustration cues on their own."""

from __future__ import annotations

import pytest

from bot.core.entities import extract
from bot.core.frustration import cues, failed_answers, overlap, score, shouting
from bot.core.outcomes import Outcome
from bot.core.policy import load_policy
from bot.core.turn import CustomerInfo, PastTurn, Turn
from models.classifier import Prediction

ROLES = load_policy().roles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("charged $1,240.50 twice on INV-20931", [("amount", "$1,240.50", 1240.5), ("invoice", "INV-20931", None)]),
        ("we paid 640 USD and then €1.2k", [("amount", "640 USD", 640.0), ("amount", "€1.2k", 1200.0)]),
        ("it says Error 403: SAML response invalid", [("error", "Error 403: SAML response invalid", None)]),
        ("the API returns HTTP 429 all day", [("error", "HTTP 429", None)]),
        ("email me at ops@kestrel.io", [("email", "ops@kestrel.io", None)]),
        ("we have 3 users and 12 projects", []),
    ],
)
def test_entities(text: str, expected: list[tuple[str, str, float | None]]) -> None:
    assert [(e.kind, e.text, e.value) for e in extract(text)] == expected


def turn(text: str, history: tuple[PastTurn, ...] = (), sentiment: float = 0.0, intent: str = "login_trouble") -> Turn:
    prediction = Prediction(text, intent, intent, 0.9, False, 1.0, ())
    return Turn(text, prediction, sentiment, CustomerInfo(), history, ())


ANSWERED = PastTurn("I can't log in", "login_trouble", 0.0, Outcome.ANSWERED)


def test_cue_weights() -> None:
    config = load_policy().frustration
    assert score(cues(roles=ROLES, turn=turn("this is ridiculous"), config=config)) == 2
    assert score(cues(roles=ROLES, turn=turn("WHY IS THIS NOT WORKING FOR ME"), config=config)) >= 2
    assert score(cues(roles=ROLES, turn=turn("my export failed with an error", sentiment=-0.51), config=config)) == 0
    assert (
        score(cues(roles=ROLES, turn=turn("it didn't help", (ANSWERED,)), config=config)) == 2
    )  # one failed answer + mild wording


def test_failed_answers_count_follow_ups_that_say_so() -> None:
    rejected = PastTurn("", "login_trouble", None, Outcome.ANSWER_REJECTED)
    assert failed_answers((ANSWERED,), "thanks, that worked", "thanks", ROLES) == 0
    assert failed_answers((ANSWERED,), "still can't get in", "login_trouble", ROLES) == 1
    assert failed_answers((ANSWERED, rejected, ANSWERED), "same error again", "login_trouble", ROLES) == 2


def test_shouting_and_overlap() -> None:
    assert shouting("I NEED THIS FIXED TODAY", 12, 0.7) and not shouting("OK", 12, 0.7) and not shouting("API key 401", 12, 0.7)
    assert overlap("how do I reset my password", "how do i reset my password??") == 1.0
