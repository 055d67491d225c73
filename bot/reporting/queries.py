"""The report's queries: each a statement or two aggregated in the database (GROUP BY, conditional counts,
percentiles), returning a few small typed rows; nothing here loops over decisions in Python.

What counts (the report prints these definitions, `DEFINITIONS`):
- a *turn* is a customer message or button press the bot decided (`decision`), `relayed` ones excepted:
  those went to an agent who had the conversation, so they were never the bot's to decide;
- conversation rates are over the conversations *started* in the window, with everything that happened
  in them since; turn, ticket, rating, draft and gap figures are over rows created in the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, and_, case, distinct, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from bot.core.outcomes import Outcome
from bot.core.states import ConversationState, DraftState
from bot.reporting.sql import Window, as_float, percentiles, seconds_between, share
from bot.storage.tables import Conversation, CsatRating, Decision, Draft, Message, Ticket

AUTOMATED = (Outcome.ANSWERED.value, Outcome.ACTION_OK.value, Outcome.SMALLTALK.value)
BOT_ANSWERS = (Outcome.ANSWERED.value, Outcome.ACTION_OK.value)
ENDED = (ConversationState.RESOLVED.value, ConversationState.CLOSED.value)
REVIEWED = (DraftState.APPROVED.value, DraftState.EDITED.value, DraftState.REJECTED.value)
SOLVED_PRESS = "[pressed answer.solved%"  # how bot.core.buttons stores a "That solved it" press
ERASED = "[erased]"  # bot.core.retention: text blanked by retention or `forget`

DEFINITIONS = {
    "automation rate": "turns the bot settled alone (answered, action done, small talk) / turns the bot decided "
    "(customer messages and button presses; turns relayed to an agent who had the conversation are not counted)",
    "deflection rate": "conversations started in the window that ended (resolved or closed) after a bot answer "
    "without any person: no ticket, no approved draft (interaction type still automated) / conversations started",
    "escalation rate": "conversations started in the window with a ticket / conversations started; by trigger: "
    "conversations with a hand-off whose triggers include it (a hand-off can have several, so these overlap), "
    "draft_rejected: an agent rejected a draft, which opens a ticket",
    "CSAT": "ratings given in the window (1-5), by how the conversation was handled: automated (the bot alone), "
    "assisted (an agent approved or edited a draft), human (an agent took it over); satisfied = rated 4 or 5",
    "first reply": "from a ticket's creation to an agent's first reply; within SLA = by the ticket's due time "
    "(policy priority.sla_minutes); breached = replied late, or still unreplied past due at the window's end",
    "resolution": "from a ticket's creation to its resolution (the policy sets no resolution target: times only)",
    "answer feedback": "“That solved it” presses after an answer of the intent vs “Not quite” presses on one; "
    "helpful = solved / (solved + not quite) (presses whose text retention erased are not counted)",
    "approval rate": "drafts approved unmodified / drafts an agent reviewed (approved, edited, rejected)",
    "audited accuracy": "weekly quality sample: Good verdicts / verdicts given in the window",
    "drift": "typed customer messages of the week before the window's end against the policy's drift.baseline_weeks "
    "before it: intent mix by Jensen–Shannon divergence in bits (0 same, 1 disjoint), also against the training "
    "data's labels; out-of-scope share; confidence by its mean and the Kolmogorov–Smirnov distance over 20 bins",
}


def between(column: Any, window: Window) -> ColumnElement[bool]:
    return and_(col(column) >= window.start, col(column) < window.end)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


S = TypeVar("S", bound="Select[*tuple[Any, ...]]")
PRESS_MARGIN = dt.timedelta(days=1)  # a press is decided as it is stored: this only bounds the index range


def on_presses(query: S, window: Window) -> S:
    """`query` (over `decision`) narrowed to the window's decisions on button presses. They are found from
    the press messages by `message.created_at`'s index, so that telling typed turns from presses never
    scans the whole message table: typed figures are all decisions' minus the presses'."""
    return query.join(Message, col(Message.id) == col(Decision.message_id)).where(
        col(Message.direction) == "click",
        col(Message.created_at) >= window.start - PRESS_MARGIN,
        col(Message.created_at) < window.end,
    )


# Turns and conversations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Turns:
    outcomes: dict[str, int]  # every decision in the window by outcome, relayed included

    @property
    def handled(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome != Outcome.RELAYED.value)

    @property
    def automated(self) -> int:
        return sum(self.outcomes.get(outcome, 0) for outcome in AUTOMATED)

    @property
    def automation_rate(self) -> float:
        return share(self.automated, self.handled)


def turns(connection: Connection, window: Window) -> Turns:
    query = (
        select(col(Decision.outcome), func.count())
        .where(between(col(Decision.created_at), window))
        .group_by(col(Decision.outcome))
    )
    return Turns({str(outcome): int(n) for outcome, n in connection.execute(query)})


@dataclass(frozen=True)
class Conversations:
    started: int
    ended: int
    escalated: int
    deflected: int
    by_type: dict[str, int]  # interaction type → conversations

    @property
    def deflection_rate(self) -> float:
        return share(self.deflected, self.started)

    @property
    def escalation_rate(self) -> float:
        return share(self.escalated, self.started)


def conversations(connection: Connection, window: Window) -> Conversations:
    ticketed = select(col(Ticket.conversation_id)).where(col(Ticket.created_at) >= window.start)
    answered = select(col(Decision.conversation_id)).where(
        col(Decision.created_at) >= window.start, col(Decision.outcome).in_(BOT_ANSWERS)
    )
    ended = col(Conversation.status).in_(ENDED)
    with_ticket = col(Conversation.id).in_(ticketed)
    deflected = and_(ended, col(Conversation.interaction_type) == "automated", ~with_ticket, col(Conversation.id).in_(answered))
    query = (
        select(col(Conversation.interaction_type), func.count(), count_if(ended), count_if(with_ticket), count_if(deflected))
        .where(between(col(Conversation.started_at), window))
        .group_by(col(Conversation.interaction_type))
    )
    rows = connection.execute(query).all()
    return Conversations(
        started=sum(int(r[1]) for r in rows),
        ended=sum(int(r[2]) for r in rows),
        escalated=sum(int(r[3]) for r in rows),
        deflected=sum(int(r[4]) for r in rows),
        by_type={str(r[0]): int(r[1]) for r in rows},
    )


@dataclass(frozen=True)
class TriggerCount:
    trigger: str
    conversations: int


def escalations_by_trigger(connection: Connection, window: Window) -> list[TriggerCount]:
    """The trigger names are read from the distinct `triggers` strings (a few dozen combinations), then
    every name is counted in one statement, matched as a whole item of the comma-separated list."""
    handed_off = (
        select(col(Decision.conversation_id), col(Decision.triggers))
        .join(Conversation, col(Conversation.id) == col(Decision.conversation_id))
        .where(
            between(col(Conversation.started_at), window),
            col(Decision.created_at) >= window.start,
            col(Decision.outcome) == Outcome.HANDED_OFF.value,
        )
        .subquery()
    )
    combos = connection.execute(select(handed_off.c.triggers).distinct()).scalars().all()
    names = sorted({name for combo in combos for name in (combo or "").split(",") if name})
    counts: list[TriggerCount] = []
    if names:
        padded = literal(",") + handed_off.c.triggers + literal(",")
        columns = [
            func.count(distinct(case((padded.contains(f",{name},", autoescape=True), handed_off.c.conversation_id))))
            for name in names
        ]
        row = connection.execute(select(*columns)).one()
        counts = [TriggerCount(name, int(n)) for name, n in zip(names, row, strict=True)]
    rejected = connection.execute(
        select(func.count(distinct(col(Draft.conversation_id))))
        .join(Conversation, col(Conversation.id) == col(Draft.conversation_id))
        .where(between(col(Conversation.started_at), window), col(Draft.action) == DraftState.REJECTED.value)
    ).scalar_one()
    if rejected:
        counts.append(TriggerCount("draft_rejected", int(rejected)))
    return sorted(counts, key=lambda t: (-t.conversations, t.trigger))


# Ratings and tickets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsatRow:
    interaction_type: str
    ratings: int
    average: float
    satisfied: float  # share rated 4 or 5


def csat(connection: Connection, window: Window) -> list[CsatRow]:
    query = (
        select(
            col(CsatRating.interaction_type),
            func.count(),
            func.avg(as_float(col(CsatRating.rating))),
            count_if(col(CsatRating.rating) >= 4),
        )
        .where(between(col(CsatRating.created_at), window))
        .group_by(col(CsatRating.interaction_type))
        .order_by(col(CsatRating.interaction_type))
    )
    return [CsatRow(str(t), int(n), float(avg), share(good, n)) for t, n, avg, good in connection.execute(query)]


@dataclass(frozen=True)
class TicketRow:
    priority: str  # "all" for every priority together
    tickets: int
    replied: int
    within_sla: int
    breached: int
    resolved: int
    first_reply_minutes: tuple[float | None, float | None]  # median, 90th percentile
    resolution_minutes: tuple[float | None, float | None]

    @property
    def sla_met_rate(self) -> float | None:
        judged = self.within_sla + self.breached
        return self.within_sla / judged if judged else None


PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def tickets(connection: Connection, window: Window) -> list[TicketRow]:
    replied = col(Ticket.first_response_at).is_not(None)
    within = and_(replied, col(Ticket.due_at).is_not(None), col(Ticket.first_response_at) <= col(Ticket.due_at))
    late = and_(replied, col(Ticket.due_at).is_not(None), col(Ticket.first_response_at) > col(Ticket.due_at))
    overdue = and_(~replied, col(Ticket.due_at).is_not(None), col(Ticket.due_at) < window.end)
    counts = select(
        col(Ticket.priority),
        func.count(),
        count_if(replied),
        count_if(within),
        count_if(late | overdue),
        count_if(col(Ticket.resolved_at).is_not(None)),
    ).where(between(col(Ticket.created_at), window))
    by_priority = {str(r[0]): [int(v) for v in r[1:]] for r in connection.execute(counts.group_by(col(Ticket.priority)))}
    first = seconds_between(connection, col(Ticket.first_response_at), col(Ticket.created_at)) / 60.0
    resolution = seconds_between(connection, col(Ticket.resolved_at), col(Ticket.created_at)) / 60.0
    times: dict[str, dict[Any, tuple[int, tuple[float | None, ...]]]] = {}
    for label, expression in (("first", first), ("resolution", resolution)):
        for grp in (col(Ticket.priority), literal("all")):
            source = (
                select(grp.label("grp"), as_float(expression).label("x"))
                .where(between(col(Ticket.created_at), window))
                .subquery()
            )
            times.setdefault(label, {}).update(percentiles(connection, source, (0.5, 0.9)))
    if by_priority:
        by_priority["all"] = [sum(values[i] for values in by_priority.values()) for i in range(5)]
    rows = []
    for priority, (n, n_replied, n_within, n_breached, n_resolved) in by_priority.items():
        first_p = times["first"].get(priority, (0, (None, None)))[1]
        resolution_p = times["resolution"].get(priority, (0, (None, None)))[1]
        rows.append(
            TicketRow(
                priority,
                n,
                n_replied,
                n_within,
                n_breached,
                n_resolved,
                (first_p[0], first_p[1]),
                (resolution_p[0], resolution_p[1]),
            )
        )
    return sorted(rows, key=lambda r: PRIORITY_ORDER.get(r.priority, 9 if r.priority == "all" else 8))
