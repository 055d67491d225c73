"""Frustration cues in a conversation, scored: strong cues count 2, weak ones 1.

Strong: exasperated wording ("still not working", "third time"), SHOUTING, the configured number
of answers the customer said did not help. Weak: very negative sentiment (weak because VADER also
scores calm error reports as negative), asking the same thing again, one failed answer, mild
wording ("again", "didn't help"), a falling sentiment trend. Measured in BENCHMARKS.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.outcomes import ANSWERING, Outcome
from bot.core.policy import Frustration, IntentRoles
from bot.core.turn import PastTurn, Turn, typed
from models.context import overlap, words

_FAILURE = re.compile(
    r"\b(didn.?t|did\s+not|doesn.?t|does\s+not)\s+(help|work)|\bnot\s+working\b|\bstill\s+(not|no|nothing|can.?t|doesn.?t|don.?t|isn.?t|aren.?t|won.?t|the\s+same)"
    r"|\bsame\s+(error|problem|thing)\b|\bnope\b|\btried\s+that\b",
    re.I,
)
SAME_QUESTION = 0.5  # word overlap with the answered message that makes a same-intent follow-up a repeat


@dataclass(frozen=True)
class Cue:
    name: str
    weight: int
    evidence: str

    def describe(self) -> str:
        return f"{self.name} ({self.evidence})"


_CAPS_RUN = re.compile(r"\b[A-Z]{2,}(?:[\s,.!?']+[A-Z]{2,}){3,}\b")  # four or more capitalised words in a row


def shouting(text: str, min_letters: int, ratio: float) -> bool:
    """Mostly capitals, or a run of four all-caps words inside a longer message ("THAT IS NOT WHAT I asked")."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= min_letters and sum(c.isupper() for c in letters) / len(letters) >= ratio:
        return True
    return bool(_CAPS_RUN.search(text))


def _fails(
    answered: PastTurn, follow_up_text: str, follow_up_intent: str, follow_up_outcome: str | None, roles: IntentRoles
) -> bool:
    """Whether the customer's next turn says the answer did not solve it."""
    if follow_up_outcome == Outcome.ANSWER_REJECTED:
        return True
    if follow_up_intent in roles.closing:
        return False
    same_question = (
        follow_up_intent == answered.intent
        and follow_up_intent not in roles.small_talk
        and overlap(follow_up_text, answered.text) >= SAME_QUESTION  # adding details is not asking again
    )
    return same_question or bool(_FAILURE.search(follow_up_text))


def failed_answers(history: tuple[PastTurn, ...], text: str, intent: str, roles: IntentRoles) -> int:
    """Answers the customer came back from unsatisfied, counting this message as a possible follow-up."""
    turns = [(t.text, t.intent, str(t.outcome)) for t in history] + [(text, intent, None)]
    count = 0
    for i, past in enumerate(history):
        if past.outcome in ANSWERING:
            follow_text, follow_intent, follow_outcome = turns[i + 1]
            count += _fails(past, follow_text, follow_intent, follow_outcome, roles)
    return count


def cues(turn: Turn, config: Frustration, roles: IntentRoles) -> list[Cue]:
    text = turn.text
    found: list[Cue] = []
    for pattern in config.exasperation:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            found.append(Cue("exasperation", 2, f'"{match.group(0)}"'))
            break
    if shouting(text, config.shouting_min_letters, config.shouting_ratio):
        found.append(Cue("shouting", 2, "mostly capitals"))
    failures = failed_answers(turn.history, text, turn.intent, roles)
    if failures >= config.failed_answers:
        found.append(Cue("failed_answers", 2, f"{failures} answers did not help"))
    elif failures:
        found.append(Cue("failed_answer", 1, "the last answer did not help"))
    if turn.sentiment <= config.strong_sentiment:
        found.append(Cue("negative_sentiment", 1, f"{turn.sentiment:+.2f} <= {config.strong_sentiment:+.2f}"))
    earlier = [p.text for p in typed(turn.history) if p.intent not in roles.small_talk]
    if earlier and turn.intent not in roles.small_talk:
        best = max(overlap(text, t) for t in earlier)
        if best >= config.repeat_similarity and len(words(text)) >= 3:
            found.append(Cue("repeated", 1, f"{best:.0%} the same as an earlier message"))
    if not any(c.name == "exasperation" for c in found):
        for pattern in config.weak:
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                found.append(Cue("mild_wording", 1, f'"{match.group(0)}"'))
                break
    scores = [*[p.sentiment for p in turn.history if p.sentiment is not None][-2:], turn.sentiment]
    if len(scores) >= 3 and scores[0] > scores[1] > scores[2] and scores[2] <= -0.3:
        found.append(Cue("falling_sentiment", 1, " → ".join(f"{s:+.2f}" for s in scores)))
    return found


def score(found: list[Cue]) -> int:
    return sum(c.weight for c in found)
