"""What the resolver is asked and what it answers: typed, so the conversation core never guesses keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class CustomerContext:
    customer_id: str = ""
    name: str | None = None
    email: str | None = None
    plan: str | None = None  # free | team | business | enterprise
    role: str | None = None  # owner | admin | member | guest
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntentBelief:
    intent: str
    probability: float


@dataclass(frozen=True)
class Candidate:
    """An article that may answer the question, with the ranking's evidence for it."""

    article_id: str
    title: str
    share: float  # P(article | question)
    similarity: float  # cosine similarity of the question and the article's closest section
    from_intent: float  # the part of `share` that came through the intent model


@dataclass(frozen=True)
class ResolveRequest:
    message: str
    intent: str
    confidence: float
    customer: CustomerContext = CustomerContext()
    idempotency_key: str | None = None  # the same for a re-run of the same turn, so a webhook can ignore the repeat
    beliefs: tuple[IntentBelief, ...] = ()  # the intent model's top intents (default: `intent` at `confidence`)
    in_scope_margin: float = 1.0  # the out-of-scope score minus its threshold
    max_wrong_rate: float | None = None  # the answer gate's budget (None: the one it was fitted for)
    article_id: str | None = None  # confirmed by the customer or an agent: answer from this article, no gate

    def value(self, source: str) -> str | None:
        """A conversation field by dotted name, as action configs refer to them."""
        fixed: dict[str, str | None] = {
            "message.text": self.message,
            "intent": self.intent,
            "customer.id": self.customer.customer_id,
            "customer.name": self.customer.name,
            "customer.email": self.customer.email,
            "customer.plan": self.customer.plan,
            "customer.role": self.customer.role,
        }
        if source in fixed:
            return fixed[source]
        if source.startswith("customer.extra."):
            return self.customer.extra.get(source.removeprefix("customer.extra."))
        raise KeyError(source)


VALUE_SOURCES = ("message.text", "intent", "customer.id", "customer.name", "customer.email", "customer.plan", "customer.role")


@dataclass(frozen=True)
class Answer:
    """An answer grounded in one article section."""

    article_id: str
    title: str
    link: str
    heading: str
    text: str
    confidence: float
    source: Literal["intent_mapping", "retrieval"]
    conditions_unmet: tuple[str, ...] = ()
    assurance: float | None = None  # the answer gate's probability that this is the right article

    def render(self) -> str:
        """Plain text (command line, logs); the bot formats answers itself as rich text."""
        parts = [self.title, self.text]
        if self.conditions_unmet:
            parts.append("Note: this " + "; it ".join(self.conditions_unmet) + ".")
        parts.append(f"Full article: {self.link}")
        return "\n\n".join(parts)


@dataclass(frozen=True)
class ActionResult:
    """The outcome of a system call made for the customer; not ok means: hand off, honestly."""

    action: str
    ok: bool
    message: str  # what the customer is told
    detail: str = ""  # what the agent and logs are told (never secrets)


@dataclass(frozen=True)
class NoAnswer:
    reason: str
    best_article_id: str | None = None
    best_score: float = 0.0


@dataclass(frozen=True)
class Unsure:
    """The evidence does not agree enough to answer within the wrong-answer budget: offer the
    candidates as a choice (or let an agent check the best one as a draft)."""

    best: Answer
    options: tuple[Candidate, ...]
    assurance: float
    threshold: float

    @property
    def reason(self) -> str:
        return f"no article is clearly right (assurance {self.assurance:.2f} < {self.threshold:.2f})"


Resolution = Answer | ActionResult | NoAnswer | Unsure
