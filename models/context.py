"""What the signals head knows about a turn besides its words: the conversation so far.

The encoder reads only the current message (the same pass the intent head uses), so context enters
as a few numbers appended to the pooled sentence vector: what the bot did last, whether the customer
pressed "Not quite", the previous turn's signals, how many answers failed, whether this repeats an
earlier message, and typography the uncased tokenizer cannot see (capitals, "!!!"). Training and
serving build these numbers with the same function.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

BOT_ACTIONS = ("none", "answered", "clarified", "handed_off", "smalltalk")  # "none": the first turn
PRESSES = ("not_quite", "solved")
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class TurnContext:
    """The conversation before a customer turn. The default is a first message out of the blue."""

    bot_last: str = "none"  # one of BOT_ACTIONS: what the bot did with the previous customer turn
    pressed: str | None = None  # one of PRESSES: the button the customer pressed just before writing this
    previous: dict[str, float] = field(default_factory=dict)  # the previous turn's signal probabilities
    failed_answers: int = 0  # answers the customer said did not help, so far
    turn_index: int = 0  # 0 for the first customer turn
    earlier_texts: tuple[str, ...] = ()  # earlier customer turns, for the repeat feature

    def __post_init__(self) -> None:
        if self.bot_last not in BOT_ACTIONS:
            raise ValueError(f"bot_last {self.bot_last!r} is not one of {', '.join(BOT_ACTIONS)}")
        if self.pressed is not None and self.pressed not in PRESSES:
            raise ValueError(f"pressed {self.pressed!r} is not one of {', '.join(PRESSES)}")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Share of the shorter message's words found in the other."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def capitals(text: str, min_letters: int = 8) -> float:
    """Share of capital letters (0 for short messages, where "OK" or "API" says nothing)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < min_letters:
        return 0.0
    return sum(c.isupper() for c in letters) / len(letters)


def feature_count(signal_names: Sequence[str]) -> int:
    return len(BOT_ACTIONS) + len(PRESSES) + len(signal_names) + 6


def features(text: str, context: TurnContext, signal_names: Sequence[str]) -> list[float]:
    """The context vector for one turn; its length is `feature_count(signal_names)`."""
    vector = [1.0 if context.bot_last == action else 0.0 for action in BOT_ACTIONS]
    vector += [1.0 if context.pressed == press else 0.0 for press in PRESSES]
    vector += [float(context.previous.get(name, 0.0)) for name in signal_names]
    repeat = max((overlap(text, earlier) for earlier in context.earlier_texts), default=0.0)
    vector += [
        min(context.failed_answers, 3) / 3,
        min(context.turn_index, 5) / 5,
        repeat if len(words(text)) >= 3 else 0.0,
        capitals(text),
        min(text.count("!"), 3) / 3,
        1.0 if text.rstrip().endswith("?") else 0.0,
    ]
    return vector
