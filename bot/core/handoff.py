"""The handoff packet: everything an agent needs so the customer never repeats themselves.

Built from the stored conversation when the bot escalates, stored with the ticket as JSON, and
rendered as an `AgentCard` (fields and sections that Slack and Discord turn into blocks/embeds).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from bot.core.entities import Entity, extract
from bot.core.events import AgentCard, Button, CardField
from bot.core.outcomes import Outcome
from bot.core.priority import PriorityScore
from bot.core.routing import Routed
from bot.core.store import CustomerRecord
from bot.core.text import Rich, Span, join, link, mention, name, rich, said
from bot.core.triggers import TriggerHit
from bot.core.turn import PastTurn, typed
from bot.storage.tables import Customer, Message

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
ATTEMPTS = {
    Outcome.ANSWERED: "answered from",
    Outcome.ACTION_OK: "ran an action",
    Outcome.CLARIFIED: "asked a clarifying question",
    Outcome.DRAFTED: "drafted an answer from",
    Outcome.SMALLTALK: None,
}


def _why(hit: TriggerHit) -> Rich:
    """One trigger: its values (a signal with its probability), and the customer's sentence behind it."""
    line = join([f"• {hit.trigger}: ", name(hit.reason)])
    return join([line, ", from: ", said(hit.evidence)]) if hit.evidence else line


@dataclass(frozen=True)
class Attempt:
    what: str
    customer_reaction: str | None


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    title: str
    link: str
    score: float


@dataclass(frozen=True)
class TranscriptLine:
    author: str
    text: str
    at: str


@dataclass(frozen=True)
class CustomerSummary:
    name: str
    platform_id: str
    company: str | None
    tier: str
    account_value: float
    past_tickets: int
    recent_intents: tuple[str, ...]
    csat_average: float | None


@dataclass(frozen=True)
class PreviousConversation:
    """The conversation this one continues (it ended by silence or was resolved)."""

    conversation_id: int
    status: str
    last_active: str
    intents: tuple[str, ...]


@dataclass(frozen=True)
class HandoffPacket:
    ticket_id: int
    conversation_id: int
    customer: CustomerSummary
    summary: tuple[str, ...]
    entities: tuple[Entity, ...]
    intent: str
    confidence: float
    out_of_scope: bool
    sentiment_trend: tuple[float, ...]
    attempts: tuple[Attempt, ...]
    triggers: tuple[TriggerHit, ...]
    priority: str
    priority_reasons: tuple[str, ...]
    due_at: str
    suggested_articles: tuple[Suggestion, ...]
    transcript: tuple[TranscriptLine, ...]
    previous: PreviousConversation | None = None
    routed: Routed | None = None  # with an agents file: who the card names (bot.core.routing)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def card(self, buttons: tuple[Button, ...]) -> AgentCard:
        """The card agents see. Names, the customer's sentences and the transcript's customer lines are
        untrusted spans: each adapter escapes and quotes them."""
        c = self.customer
        who = join([name(c.name), " (", name(c.company), ")"]) if c.company else join([name(c.name)])
        history = f"{c.past_tickets} past tickets" + (f" ({', '.join(c.recent_intents)})" if c.recent_intents else "")
        if c.csat_average is not None:
            history += f", CSAT {c.csat_average:.1f}"
        if self.previous is not None:
            p = self.previous
            history += f"; continues conversation #{p.conversation_id} ({p.status}, last active {p.last_active}"
            history += f": {', '.join(p.intents)})" if p.intents else ")"
        intent = (
            f"out of scope (best guess {self.intent}, {self.confidence:.0%})"
            if self.out_of_scope
            else f"{self.intent} ({self.confidence:.0%})"
        )
        reasons = ", ".join(self.priority_reasons or ("no factors",))
        fields: tuple[CardField, ...] = (
            CardField("Customer", who + f" · {c.tier} · ${c.account_value:,.0f}/yr · {c.platform_id}"),
            CardField("History", Rich((Span(history),))),
            CardField("Intent", Rich((Span(intent),))),
            CardField("Priority", Rich((Span(f"{self.priority} ({reasons}) · first reply due {self.due_at}"),))),
            CardField("Sentiment", Rich((Span(" → ".join(f"{s:+.2f}" for s in self.sentiment_trend)),))),
        )
        if self.routed is not None:
            fields += (CardField("Routed to", self._routed(self.routed)),)
        sections: list[tuple[str, Rich]] = [
            ("Why escalated", join([_why(t) for t in self.triggers], "\n")),
            ("Summary", join([join(["• ", said(s)]) for s in self.summary], "\n") or join(["(no customer text)"])),
        ]
        if self.entities:
            sections.append(("Details", join([join([f"• {e.kind}: ", said(e.text)]) for e in self.entities], "\n")))
        tried = [
            join([f"• {a.what}", *((" → customer: ", said(a.customer_reaction)) if a.customer_reaction else ())])
            for a in self.attempts
        ]
        sections.append(("What the bot tried", join(tried, "\n") or join(["nothing yet"])))
        if self.suggested_articles:
            articles = [join(["• ", link(s.title, s.link)]) for s in self.suggested_articles]
            sections.append(("Suggested articles", join(articles, "\n")))
        lines = [join([f"{t.at} {t.author}: ", said(t.text) if t.author == "customer" else t.text]) for t in self.transcript]
        sections.append(("Transcript", join(lines, "\n")))
        return AgentCard(
            ticket_id=self.ticket_id,
            title=f"Ticket #{self.ticket_id} · {self.priority.upper()} · {self.intent}",
            priority=self.priority,
            fields=fields,
            sections=tuple(sections),
            buttons=buttons,
        )

    @staticmethod
    def _routed(routed: Routed) -> Rich:
        """The agent or group as a real mention (it pings them), with why; or that nobody was found."""
        if not routed.label:
            return rich(f"nobody ({routed.reason})")
        return join([mention(routed.label, *routed.mentions), f" ({routed.reason})"])


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 2]


def key_sentences(
    turns: list[PastTurn], small_talk: frozenset[str] = frozenset(), limit: int = 3, max_chars: int = 240
) -> tuple[str, ...]:
    """The customer's most informative sentences in their own words, in the order they said them."""
    scored: list[tuple[float, int, str]] = []
    position = 0
    for turn in typed(turns):
        if turn.intent in small_talk:
            continue
        for sentence in _sentences(turn.text):
            words = len(sentence.split())
            score = min(words, 25) / 25 + 1.5 * bool(extract(sentence)) + 0.5 * sentence.endswith("?")
            score += 0.5 * (position == 0)
            scored.append((score, position, sentence if len(sentence) <= max_chars else sentence[: max_chars - 1] + "…"))
            position += 1
    best = sorted(scored, key=lambda item: -item[0])[:limit]
    return tuple(sentence for _, _, sentence in sorted(best, key=lambda item: item[1]))


def attempts(turns: list[PastTurn], article_titles: dict[str, str]) -> tuple[Attempt, ...]:
    """What the bot did on each earlier turn, with what the customer said next."""
    tried = []
    for i, turn in enumerate(turns):
        verb = ATTEMPTS.get(Outcome(turn.outcome)) if turn.outcome in Outcome.__members__.values() else None
        if verb is None:
            continue
        what = verb + (f' "{article_titles.get(turn.article_id, turn.article_id)}"' if turn.article_id else "")
        reaction = None
        if i + 1 < len(turns):
            follow = turns[i + 1]
            reaction = "pressed “not quite”" if follow.outcome == Outcome.ANSWER_REJECTED else follow.text[:160]
        tried.append(Attempt(what, reaction))
    return tuple(tried)


def customer_summary(customer: Customer, record: CustomerRecord) -> CustomerSummary:
    return CustomerSummary(
        name=customer.display_name or customer.platform_user_id,
        platform_id=f"{customer.platform}:{customer.platform_user_id}",
        company=customer.company,
        tier=customer.tier,
        account_value=customer.account_value,
        past_tickets=record.past_tickets,
        recent_intents=record.recent_intents,
        csat_average=record.csat_average,
    )


def transcript_lines(messages: list[Message], max_chars: int = 500) -> tuple[TranscriptLine, ...]:
    return tuple(
        TranscriptLine(
            m.author,
            m.text if len(m.text) <= max_chars else m.text[:max_chars] + f"… ({len(m.text):,} chars)",
            m.created_at.strftime("%H:%M"),
        )
        for m in messages
    )


def entities_of(turns: list[PastTurn]) -> tuple[Entity, ...]:
    seen: dict[tuple[str, str], Entity] = {}
    for turn in typed(turns):
        for entity in extract(turn.text):
            seen.setdefault((entity.kind, entity.text.lower()), entity)
    return tuple(seen.values())


def build_packet(
    ticket_id: int,
    conversation_id: int,
    customer: CustomerSummary,
    turns: list[PastTurn],
    messages: list[Message],
    intent: str,
    confidence: float,
    out_of_scope: bool,
    hits: list[TriggerHit],
    priority: PriorityScore,
    suggestions: list[Suggestion],
    article_titles: dict[str, str],
    previous: PreviousConversation | None = None,
    small_talk: frozenset[str] = frozenset(),
    routed: Routed | None = None,
) -> HandoffPacket:
    """`turns` are all customer turns including the one that escalated (with its outcome)."""
    return HandoffPacket(
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        customer=customer,
        summary=key_sentences(turns, small_talk),
        entities=entities_of(turns),
        intent=intent,
        confidence=round(confidence, 4),
        out_of_scope=out_of_scope,
        sentiment_trend=tuple(t.sentiment for t in turns if t.sentiment is not None),
        attempts=attempts(turns, article_titles),
        triggers=tuple(hits),
        priority=priority.level,
        priority_reasons=priority.reasons,
        due_at=priority.due_at.strftime("%Y-%m-%d %H:%M UTC"),
        suggested_articles=tuple(suggestions),
        transcript=transcript_lines(messages),
        previous=previous,
        routed=routed,
    )
