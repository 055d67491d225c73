"""Per-intent figures and what they suggest: volume, confidence, answer feedback, draft approval, the audited
accuracy from the weekly quality sample, and a tier change where the evidence calls for one.

Each part is one GROUP BY statement; they are merged by intent name here (a few dozen rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Connection, func, select
from sqlmodel import col

from bot.core.outcomes import Outcome
from bot.core.policy import Policy
from bot.core.stats import IntentApproval
from bot.reporting.queries import BOT_ANSWERS, REVIEWED, SOLVED_PRESS, between, count_if, on_presses
from bot.reporting.sql import Window
from bot.storage.tables import Decision, Draft, Message, QualityReview, aware

CLICK = "click"  # col(Message.direction) of a button press (bot.core.store.CLICK)
VERDICTS = ("good", "bad")


@dataclass(frozen=True)
class IntentRow:
    intent: str
    tier: str  # on its latest decision in the window ("-" for out of scope)
    turns: int  # decisions with this intent (relayed ones aside)
    typed: int  # of which typed messages: the classifier's own reading (presses carry no confidence)
    mean_confidence: float | None  # over the typed ones
    answered: int  # answered or action done
    drafted: int
    handed_off: int
    clarified: int
    not_quite: int
    solved: int = 0  # "That solved it" after an answer of this intent
    drafts_reviewed: int = 0  # in the window
    drafts_approved: int = 0
    reviews: int = 0  # quality-sample verdicts given in the window
    reviews_good: int = 0
    suggestion: str | None = None

    @property
    def helpful(self) -> float | None:
        pressed = self.solved + self.not_quite
        return self.solved / pressed if pressed else None

    @property
    def approval_rate(self) -> float | None:
        return self.drafts_approved / self.drafts_reviewed if self.drafts_reviewed else None

    @property
    def audited_accuracy(self) -> float | None:
        return self.reviews_good / self.reviews if self.reviews else None


def per_intent(connection: Connection, window: Window, policy: Policy, now: dt.datetime) -> list[IntentRow]:
    rows = _decisions(connection, window)
    for intent, solved in _solved(connection, window).items():
        if intent in rows:
            rows[intent] = replace(rows[intent], solved=solved)
    for intent, (reviewed, approved) in _drafts(connection, window).items():
        base = rows.get(intent) or IntentRow(intent, "-", 0, 0, None, 0, 0, 0, 0, 0)
        rows[intent] = replace(base, drafts_reviewed=reviewed, drafts_approved=approved)
    for intent, (reviewed, good) in _reviews(connection, window).items():
        base = rows.get(intent) or IntentRow(intent, "-", 0, 0, None, 0, 0, 0, 0, 0)
        rows[intent] = replace(base, reviews=reviewed, reviews_good=good)
    approvals = {a.intent: a for a in approvals_all_time(connection)}
    result = [replace(row, suggestion=suggestion(row, approvals.get(row.intent), policy, now)) for row in rows.values()]
    return sorted(result, key=lambda r: (-r.turns, r.intent))


def _decisions(connection: Connection, window: Window) -> dict[str, IntentRow]:
    """Grouped by intent and tier (a few dozen rows): the sums per intent, and the tier of its newest turn."""
    outcome = col(Decision.outcome)
    in_window = (between(col(Decision.created_at), window), outcome != Outcome.RELAYED.value)
    counts = (
        func.count(),
        func.sum(col(Decision.confidence)),
        count_if(outcome.in_(BOT_ANSWERS)),
        count_if(outcome == Outcome.DRAFTED.value),
        count_if(outcome == Outcome.HANDED_OFF.value),
        count_if(outcome == Outcome.CLARIFIED.value),
        count_if(outcome == Outcome.ANSWER_REJECTED.value),
    )
    query = (
        select(col(Decision.intent), col(Decision.tier), func.max(col(Decision.id)), *counts)
        .where(*in_window)
        .group_by(col(Decision.intent), col(Decision.tier))
    )
    pressed_query = on_presses(select(col(Decision.intent), func.count(), func.sum(col(Decision.confidence))), window)
    pressed = {
        str(i): (int(n), float(total or 0))
        for i, n, total in connection.execute(pressed_query.where(*in_window).group_by(col(Decision.intent)))
    }
    sums: dict[str, list[float]] = {}
    newest: dict[str, tuple[int, str]] = {}
    for intent, tier, last, *values in connection.execute(query):
        totals = sums.setdefault(str(intent), [0.0] * len(values))
        sums[str(intent)] = [a + float(b or 0) for a, b in zip(totals, values, strict=True)]
        if (last or 0) > newest.get(str(intent), (-1, ""))[0]:
            newest[str(intent)] = (last or 0, str(tier))
    rows = {}
    for intent, (n, confidence_sum, answered, drafted, handed_off, clarified, not_quite) in sums.items():
        presses, pressed_sum = pressed.get(intent, (0, 0.0))
        typed = int(n) - presses
        rows[intent] = IntentRow(
            intent=intent,
            tier=newest[intent][1],
            turns=int(n),
            typed=typed,
            mean_confidence=(confidence_sum - pressed_sum) / typed if typed else None,
            answered=int(answered),
            drafted=int(drafted),
            handed_off=int(handed_off),
            clarified=int(clarified),
            not_quite=int(not_quite),
        )
    return rows


def _solved(connection: Connection, window: Window) -> dict[str, int]:
    """Each "That solved it" press counts for the intent of the answer before it in its conversation."""
    answered_before = (
        select(col(Decision.intent))
        .where(
            col(Decision.conversation_id) == col(Message.conversation_id),
            col(Decision.message_id) < col(Message.id),
            col(Decision.outcome).in_(BOT_ANSWERS),
        )
        .order_by(col(Decision.message_id).desc())
        .limit(1)
        .correlate(Message)
        .scalar_subquery()
    )
    presses = (
        select(answered_before.label("intent"))
        .where(col(Message.direction) == CLICK, col(Message.text).like(SOLVED_PRESS), between(col(Message.created_at), window))
        .subquery()
    )
    query = select(presses.c.intent, func.count()).group_by(presses.c.intent)
    return {str(intent): int(n) for intent, n in connection.execute(query) if intent is not None}


def _drafts(connection: Connection, window: Window) -> dict[str, tuple[int, int]]:
    query = (
        select(col(Draft.intent), func.count(), count_if(col(Draft.action) == "approved"))
        .where(between(col(Draft.created_at), window), col(Draft.action).in_(REVIEWED))
        .group_by(col(Draft.intent))
    )
    return {str(intent): (int(n), int(approved)) for intent, n, approved in connection.execute(query)}


def _reviews(connection: Connection, window: Window) -> dict[str, tuple[int, int]]:
    query = (
        select(col(Decision.intent), func.count(), count_if(col(QualityReview.verdict) == "good"))
        .join(Decision, col(Decision.id) == col(QualityReview.decision_id))
        .where(between(col(QualityReview.reviewed_at), window), col(QualityReview.verdict).in_(VERDICTS))
        .group_by(col(Decision.intent))
    )
    return {str(intent): (int(n), int(good)) for intent, n, good in connection.execute(query)}


def approvals_all_time(connection: Connection) -> list[IntentApproval]:
    """Reviewed drafts per intent since the start (what the promotion bar is judged on, as in `/stats`)."""
    query = (
        select(
            col(Draft.intent),
            func.count(),
            count_if(col(Draft.action) == "approved"),
            count_if(col(Draft.action) == "edited"),
            count_if(col(Draft.action) == "rejected"),
            func.min(col(Draft.created_at)),
        )
        .where(col(Draft.action).in_(REVIEWED))
        .group_by(col(Draft.intent))
        .order_by(col(Draft.intent))
    )
    return [
        IntentApproval(str(i), int(n), int(a), int(e), int(r), aware(first) if first else None)
        for i, n, a, e, r, first in connection.execute(query)
    ]


def suggestion(row: IntentRow, approval: IntentApproval | None, policy: Policy, now: dt.datetime) -> str | None:
    """Promote an assisted intent whose drafts pass the approval bar; demote an automatic one that the
    quality sample or the customers' presses say is wrong too often."""
    if row.tier == "assisted" and approval is not None and approval.passes(policy.approval, now):
        return f"promote to auto (/tier {row.intent} auto): {approval.rate:.0%} of {approval.decided} drafts approved as-is"
    if row.tier != "auto":
        return None
    bar, enough = policy.quality.demote_below, policy.quality.min_evidence
    if row.audited_accuracy is not None and row.reviews >= enough and row.audited_accuracy < bar:
        return f"demote to assisted (/tier {row.intent} assisted): audited accuracy {row.audited_accuracy:.0%} of {row.reviews}"
    pressed = row.solved + row.not_quite
    if row.helpful is not None and pressed >= enough and row.helpful < bar:
        return f"demote to assisted (/tier {row.intent} assisted): helpful {row.helpful:.0%} of {pressed} presses"
    return None


@dataclass(frozen=True)
class QualitySummary:
    drawn: int  # answers drawn for review in the window
    reviewed: int  # verdicts given in the window
    good: int
    pending: int  # drawn at any time and still without a verdict

    @property
    def accuracy(self) -> float | None:
        return self.good / self.reviewed if self.reviewed else None


def quality(connection: Connection, window: Window) -> QualitySummary:
    reviewed = col(QualityReview.verdict).in_(VERDICTS) & between(col(QualityReview.reviewed_at), window)
    query = select(
        count_if(between(col(QualityReview.created_at), window)),
        count_if(reviewed),
        count_if(reviewed & (col(QualityReview.verdict) == "good")),
        count_if(col(QualityReview.verdict) == "pending"),
    )
    drawn, n, good, pending = connection.execute(query).one()
    return QualitySummary(int(drawn), int(n), int(good), int(pending))
