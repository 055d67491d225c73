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
class ResolveRequest:
    message: str
    intent: str
    confidence: float
    customer: CustomerContext = CustomerContext()
    idempotency_key: str | None = None  # the same for a re-run of the same turn, so a webhook can ignore the repeat

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


Resolution = Answer | ActionResult | NoAnswer
