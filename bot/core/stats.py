"""The numbers admins steer by: automation, deflection and escalation rates, triggers, per-intent
draft approval with promotion suggestions, CSAT by interaction type, knowledge gaps.

Definitions (per window): escalation rate = conversations with a ticket / conversations; deflection
rate = conversations the bot answered that never reached a person / conversations; automation rate
= customer turns the bot handled end to end (answer, action, small talk) / customer turns it handled.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.outcomes import Outcome
from bot.core.policy import Approval
from bot.storage.tables import Conversation, CsatRating, Decision, Draft, Ticket, aware, utcnow
from knowledge.gaps import KnowledgeGap

END_TO_END = {Outcome.ANSWERED, Outcome.ACTION_OK, Outcome.SMALLTALK}
BOT_ANSWERS = {Outcome.ANSWERED, Outcome.ACTION_OK}


@dataclass(frozen=True)
class IntentApproval:
    intent: str
    decided: int
    approved: int
    edited: int
    rejected: int
    first: dt.datetime | None

    @property
    def rate(self) -> float:
        return self.approved / self.decided if self.decided else 0.0

    def passes(self, bar: Approval, now: dt.datetime) -> bool:
        """The promotion bar: approved unmodified at the rate, over enough drafts or enough time."""
        if self.decided == 0 or self.rate < bar.min_rate:
            return False
        long_enough = self.first is not None and now - self.first >= dt.timedelta(days=bar.min_days)
        return self.decided >= bar.min_drafts or (long_enough and self.decided >= bar.min_drafts_for_days)


@dataclass(frozen=True)
class Stats:
    days: float
    conversations: int
    turns: int
    automation_rate: float
    deflection_rate: float
    escalation_rate: float
    triggers: dict[str, int]
    approvals: list[IntentApproval]
    csat: dict[str, tuple[float, int]]  # interaction type -> (average, count)
    gaps: dict[str, int]
    open_tickets: int

    def render(self, tiers: dict[str, str], bar: Approval) -> str:
        lines = [
            f"Last {self.days:g} days: {self.conversations} conversations, {self.turns} customer turns handled by the bot",
            f"automation {self.automation_rate:.0%} · deflection {self.deflection_rate:.0%} · "
            f"escalation {self.escalation_rate:.0%} · open tickets {self.open_tickets}",
            "escalation triggers: " + (", ".join(f"{k} {v}" for k, v in sorted(self.triggers.items())) or "none"),
            "CSAT: " + (", ".join(f"{k} {avg:.2f} (n={n})" for k, (avg, n) in sorted(self.csat.items())) or "no ratings yet"),
            "knowledge gaps: " + (", ".join(f"{k} {v}" for k, v in sorted(self.gaps.items())) or "none"),
        ]
        if self.approvals:
            lines.append("draft approval (all time):")
            now = utcnow()
            for a in self.approvals:
                line = f"  {a.intent}: {a.rate:.0%} approved as-is of {a.decided} (edited {a.edited}, rejected {a.rejected})"
                if tiers.get(a.intent) == "assisted" and a.passes(bar, now):
                    line += f" → suggest promoting to auto: /tier {a.intent} auto"
                lines.append(line)
        return "\n".join(lines)


def approvals(session: Session) -> list[IntentApproval]:
    rows = session.exec(select(Draft).where(Draft.action != "pending")).all()
    by_intent: dict[str, list[Draft]] = defaultdict(list)
    for draft in rows:
        by_intent[draft.intent].append(draft)
    result = []
    for intent, drafts in sorted(by_intent.items()):
        actions = Counter(d.action for d in drafts)
        result.append(
            IntentApproval(
                intent,
                len(drafts),
                actions["approved"],
                actions["edited"],
                actions["rejected"],
                min(aware(d.created_at) for d in drafts),
            )
        )
    return result


def compute(session: Session, days: float) -> Stats:
    start = utcnow() - dt.timedelta(days=days)
    conversations = session.exec(select(Conversation.id).where(col(Conversation.started_at) >= start)).all()
    ids = set(conversations)
    decisions = [d for d in session.exec(select(Decision).where(col(Decision.created_at) >= start)).all()]
    handled = [d for d in decisions if d.outcome != Outcome.RELAYED]
    escalated = {t.conversation_id for t in session.exec(select(Ticket).where(col(Ticket.created_at) >= start)).all()}
    answered = {d.conversation_id for d in handled if d.outcome in BOT_ANSWERS}
    triggers: Counter[str] = Counter()
    for d in handled:
        if d.outcome == Outcome.HANDED_OFF:
            triggers.update(t for t in d.triggers.split(",") if t)
    csat: dict[str, list[int]] = defaultdict(list)
    for rating in session.exec(select(CsatRating).where(col(CsatRating.created_at) >= start)).all():
        csat[rating.interaction_type].append(rating.rating)
    gaps = Counter(g.kind for g in session.exec(select(KnowledgeGap).where(col(KnowledgeGap.created_at) >= start)).all())
    open_tickets = len(session.exec(select(Ticket.id).where(col(Ticket.status).in_(("open", "claimed")))).all())
    n = len(ids)
    return Stats(
        days=days,
        conversations=n,
        turns=len(handled),
        automation_rate=sum(d.outcome in END_TO_END for d in handled) / len(handled) if handled else 0.0,
        deflection_rate=len((answered & ids) - escalated) / n if n else 0.0,
        escalation_rate=len(escalated & ids) / n if n else 0.0,
        triggers=dict(triggers),
        approvals=approvals(session),
        csat={k: (sum(v) / len(v), len(v)) for k, v in csat.items()},
        gaps=dict(gaps),
        open_tickets=open_tickets,
    )
