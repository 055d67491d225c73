"""Everything the escalation triggers may look at for one customer message."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.entities import Entity
from bot.storage.tables import Conversation, Customer
from knowledge.types import Resolution
from models.classifier import Prediction
from models.context import TurnContext


@dataclass(frozen=True)
class PastTurn:
    """An earlier customer message in the conversation and what the bot did with it."""

    text: str
    intent: str
    sentiment: float | None
    outcome: str
    article_id: str | None = None
    clicked: bool = False  # a button press stored as a turn: its text is a label, not the customer's words
    signals: dict[str, float] = field(default_factory=dict)  # the model's signal probabilities on this turn
    message_id: int | None = None  # the stored message


def typed(turns: tuple[PastTurn, ...] | list[PastTurn]) -> list[PastTurn]:
    """The turns the customer wrote (not button presses): what summaries, gaps and searches read."""
    return [t for t in turns if not t.clicked]


@dataclass(frozen=True)
class CustomerInfo:
    tier: str = "free"
    account_value: float = 0.0


@dataclass(frozen=True)
class Turn:
    text: str
    prediction: Prediction
    sentiment: float
    customer: CustomerInfo
    history: tuple[PastTurn, ...]  # oldest first, this message excluded
    entities: tuple[Entity, ...]
    resolution: Resolution | None = None  # set for the triggers that judge the resolver's answer
    context: TurnContext = field(default_factory=TurnContext)  # what the signals head read besides the text

    def signal(self, name: str) -> float | None:
        """The model's probability for a conversation signal; None when the model has no such signal."""
        score = self.prediction.signal(name)
        return score.probability if score is not None else None

    @property
    def intent(self) -> str:
        """The most likely in-scope intent, even when the message was judged out of scope."""
        return self.prediction.best_intent


@dataclass(frozen=True)
class TurnRecord:
    """The stored side of the turn being handled; `notes` are said before the decision's reply."""

    conversation: Conversation
    customer: Customer
    message_id: int
    started: float
    notes: tuple[str, ...] = ()
