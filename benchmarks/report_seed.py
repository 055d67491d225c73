"""A year of support traffic for `benchmarks/report_speed.py`, written into PostgreSQL with COPY.

Conversations of one to five turns (volume growing through the year, quieter at weekends), each turn an
inbound message, the bot's reply and a decision with a realistic outcome mix (intent shares skewed like
real traffic, 6% out of scope, confidence by outcome, escalation triggers in combinations), "That solved
it" presses, tickets with first replies and resolutions around the policy's SLA, drafts with verdicts,
CSAT on a third of the conversations, knowledge-gap events and 20 quality reviews a week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

INTENTS = (
    "password_reset", "invoice_copy", "login_trouble", "billing_question", "data_export", "invite_users", "two_factor_auth",
    "plan_change", "howto_reports", "api_keys", "change_email", "howto_automations", "notification_settings", "sso_setup",
    "bug_report", "remove_users", "permissions_roles", "service_status", "account_activation", "github_integration",
    "howto_recurring_tasks", "howto_time_tracking", "api_rate_limits", "cancel_subscription", "refund_request",
    "billing_dispute", "feature_request", "talk_to_human", "greeting", "thanks",
)  # fmt: skip
ASSISTED = {"sso_setup", "billing_question", "cancel_subscription", "bug_report", "feature_request"}
HUMAN = {"talk_to_human", "refund_request", "billing_dispute"}
OUTCOMES = (
    "answered",
    "smalltalk",
    "clarified",
    "drafted",
    "handed_off",
    "relayed",
    "answer_rejected",
    "action_ok",
    "unanswered",
)
TRIGGER_SETS = ("human_request", "low_confidence", "frustration", "tier", "business_rules", "risk", "no_answer",
                "low_confidence,frustration", "human_request,frustration", "business_rules,risk")  # fmt: skip
SLA = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}


def copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as writer:
        for row in rows:
            writer.write_row(row)
            n += 1
    return n


def seed(url: str, decisions: int, end: dt.datetime, rng: np.random.Generator) -> dict[str, int]:
    """Everything written with COPY in one transaction; returns the row counts."""
    import psycopg

    start = end - dt.timedelta(days=365)
    # Conversations: start times over the year, growing volume, fewer at weekends.
    turns_per = rng.choice([1, 2, 3, 4, 5], size=decisions, p=[0.3, 0.3, 0.2, 0.12, 0.08])
    n_conv = int(np.searchsorted(np.cumsum(turns_per), decisions)) + 1
    turns_per = turns_per[:n_conv]
    turns_per[-1] -= int(turns_per.sum()) - decisions
    days = np.sqrt(rng.uniform(0.15, 1.0, size=n_conv * 2)) * 364.9  # density grows linearly through the year
    weekday = ((start + dt.timedelta(days=1)).weekday() + days.astype(int)) % 7
    keep = (weekday < 5) | (rng.uniform(size=days.size) < 0.45)
    days = np.sort(days[keep][:n_conv])
    conv_start = [start + dt.timedelta(days=float(d)) for d in days]
    customers = 20_000
    counts: dict[str, int] = {}
    intent_p = 1 / np.arange(1, len(INTENTS) + 1) ** 0.9
    intent_p /= intent_p.sum()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection, connection.cursor() as cur:
        counts["customer"] = copy(
            cur,
            "customer",
            ("id", "platform", "platform_user_id", "tier", "account_value", "created_at"),
            ((i, "slack", f"U{i:07d}", "team", 1000.0, start) for i in range(1, customers + 1)),
        )
        conv_customer = rng.integers(1, customers + 1, size=n_conv)
        # Per turn: conversation, time, intent, outcome, confidence.
        conv_of_turn = np.repeat(np.arange(n_conv), turns_per)
        offset_min = np.concatenate([np.arange(k) for k in turns_per]) * rng.uniform(1, 6, size=decisions)
        turn_at = [conv_start[c] + dt.timedelta(minutes=float(m)) for c, m in zip(conv_of_turn, offset_min, strict=True)]
        oos = rng.uniform(size=decisions) < 0.06
        intent = np.where(oos, "out_of_scope", rng.choice(np.array(INTENTS), size=decisions, p=intent_p))
        outcome = rng.choice(np.array(OUTCOMES), size=decisions, p=[0.45, 0.1, 0.08, 0.07, 0.12, 0.1, 0.02, 0.05, 0.01])
        outcome = np.where(np.isin(intent, list(HUMAN)) & (outcome != "relayed"), "handed_off", outcome)
        outcome = np.where(np.isin(intent, list(ASSISTED)) & (outcome == "answered"), "drafted", outcome)
        outcome = np.where(oos & np.isin(outcome, ["answered", "drafted", "action_ok"]), "clarified", outcome)
        confidence = np.clip(
            np.where(np.isin(outcome, ["clarified", "unanswered"]), rng.beta(3, 4, decisions), rng.beta(9, 1.6, decisions)),
            0,
            0.999,
        )
        tier = np.where(
            oos,
            "-",
            np.where(np.isin(intent, list(HUMAN)), "human", np.where(np.isin(intent, list(ASSISTED)), "assisted", "auto")),
        )
        triggers = np.where(outcome == "handed_off", rng.choice(np.array(TRIGGER_SETS), size=decisions), "")
        # Messages: the turn (inbound, or a press for answer_rejected), then the bot's reply; some answers get "That solved it".
        solved = (outcome == "answered") & (rng.uniform(size=decisions) < 0.35)
        message_rows: list[tuple[Any, ...]] = []
        decision_rows: list[tuple[Any, ...]] = []
        solved_rows: list[tuple[Any, ...]] = []
        next_id = 1
        for i in range(decisions):
            c = int(conv_of_turn[i]) + 1
            at = turn_at[i]
            click = outcome[i] == "answer_rejected"
            message_rows.append(
                (
                    next_id,
                    c,
                    "slack",
                    f"m{next_id}",
                    "click" if click else "inbound",
                    "customer",
                    "[pressed answer.not_quite]" if click else f"question {i} about {intent[i]}",
                    "done",
                    at,
                )
            )
            decision_rows.append(
                (
                    i + 1,
                    c,
                    next_id,
                    str(intent[i]),
                    float(confidence[i]),
                    bool(oos[i]),
                    str(tier[i]),
                    str(outcome[i]),
                    "kb-article" if outcome[i] == "answered" else None,
                    str(triggers[i]),
                    40.0,
                    at,
                )
            )
            message_rows.append(
                (next_id + 1, c, "slack", None, "outbound", "bot", f"answer to {i}", "done", at + dt.timedelta(seconds=1))
            )
            next_id += 2
            if solved[i]:
                solved_rows.append(
                    (
                        next_id,
                        c,
                        "slack",
                        f"m{next_id}",
                        "click",
                        "customer",
                        "[pressed answer.solved]",
                        "done",
                        at + dt.timedelta(minutes=2),
                    )
                )
                next_id += 1
        # Conversation rows: status and interaction type from what happened in them.
        handed = np.zeros(n_conv, bool)
        np.logical_or.at(handed, conv_of_turn, outcome == "handed_off")
        drafted = np.zeros(n_conv, bool)
        np.logical_or.at(drafted, conv_of_turn, outcome == "drafted")
        ended = rng.uniform(size=n_conv) < 0.85
        counts["conversation"] = copy(
            cur,
            "conversation",
            ("id", "customer_id", "platform", "channel_id", "status", "interaction_type", "started_at", "updated_at"),
            (
                (
                    c + 1,
                    int(conv_customer[c]),
                    "slack",
                    f"D{c}",
                    ("resolved" if handed[c] else "closed") if ended[c] else "bot",
                    "human" if handed[c] else ("assisted" if drafted[c] else "automated"),
                    conv_start[c],
                    conv_start[c],
                )
                for c in range(n_conv)
            ),
        )
        message_columns = (
            "id",
            "conversation_id",
            "platform",
            "platform_message_id",
            "direction",
            "author",
            "text",
            "state",
            "created_at",
        )
        counts["message"] = copy(cur, "message", message_columns, [*message_rows, *solved_rows])
        counts["decision"] = copy(
            cur,
            "decision",
            (
                "id",
                "conversation_id",
                "message_id",
                "intent",
                "confidence",
                "out_of_scope",
                "tier",
                "outcome",
                "article_id",
                "triggers",
                "latency_ms",
                "created_at",
            ),
            decision_rows,
        )
        counts.update(_outcomes_of(cur, rng, decision_rows, conv_start, n_conv, end))
        for table in (
            "customer",
            "conversation",
            "message",
            "decision",
            "ticket",
            "draft",
            "csatrating",
            "knowledge_gap",
            "quality_review",
        ):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
        connection.commit()
    return counts


def _outcomes_of(
    cur: Any,
    rng: np.random.Generator,
    decisions: list[tuple[Any, ...]],
    conv_start: list[dt.datetime],
    n_conv: int,
    end: dt.datetime,
) -> dict[str, int]:
    """Tickets, drafts, ratings, gaps and quality reviews that follow from the decisions."""
    counts: dict[str, int] = {}
    priorities = np.array(list(SLA))
    tickets = []
    for k, row in enumerate(r for r in decisions if r[7] == "handed_off"):
        created = row[11] + dt.timedelta(seconds=5)
        level = str(rng.choice(priorities, p=[0.05, 0.2, 0.6, 0.15]))
        due = created + dt.timedelta(minutes=SLA[level])
        reply = created + dt.timedelta(minutes=float(rng.gamma(2.0, SLA[level] / 2.5))) if rng.uniform() < 0.93 else None
        resolved = reply + dt.timedelta(hours=float(rng.gamma(1.5, 6))) if reply and rng.uniform() < 0.85 else None
        reply = reply if reply is None or reply < end else None
        resolved = resolved if resolved is None or resolved < end else None
        status = "resolved" if resolved else ("claimed" if reply else "open")
        tickets.append((k + 1, row[1], status, level, row[3], "seeded", "", due, created, reply, resolved))
    counts["ticket"] = copy(
        cur,
        "ticket",
        (
            "id",
            "conversation_id",
            "status",
            "priority",
            "intent",
            "reason",
            "summary",
            "due_at",
            "created_at",
            "first_response_at",
            "resolved_at",
        ),
        tickets,
    )
    actions = np.array(["approved", "edited", "rejected", "withdrawn"])
    drafts = [
        (k + 1, row[1], row[2], row[3], "seeded draft", str(rng.choice(actions, p=[0.82, 0.1, 0.05, 0.03])), row[11])
        for k, row in enumerate(r for r in decisions if r[7] == "drafted")
    ]
    counts["draft"] = copy(
        cur, "draft", ("id", "conversation_id", "message_id", "intent", "ai_text", "action", "created_at"), drafts
    )
    rated = np.flatnonzero(rng.uniform(size=n_conv) < 0.33)
    types = np.array(["automated", "assisted", "human"])
    ratings = (
        (
            k + 1,
            int(c) + 1,
            int(rng.choice([1, 2, 3, 4, 5], p=[0.06, 0.06, 0.12, 0.3, 0.46])),
            str(rng.choice(types, p=[0.7, 0.1, 0.2])),
            min(conv_start[c] + dt.timedelta(hours=2), end - dt.timedelta(seconds=1)),
        )
        for k, c in enumerate(rated)
    )
    counts["csatrating"] = copy(cur, "csatrating", ("id", "conversation_id", "rating", "interaction_type", "created_at"), ratings)
    kinds = {
        "unanswered": "unanswered",
        "clarified": "none_fits",
        "handed_off": "escalation",
        "answer_rejected": "negative_rating",
    }
    gaps = [
        (k + 1, row[11], kinds[row[7]], f"question about {row[3]} #{int(rng.integers(0, 400))}", row[3], str(row[1]))
        for k, row in enumerate(r for r in decisions if r[7] in kinds and rng.uniform() < 0.5)
    ]
    counts["knowledge_gap"] = copy(cur, "knowledge_gap", ("id", "created_at", "kind", "text", "intent", "conversation_id"), gaps)
    answered = [r for r in decisions if r[7] == "answered"]
    picks = rng.choice(len(answered), size=min(20 * 52, len(answered)), replace=False)
    reviews = []
    for k, p in enumerate(picks):
        row = answered[int(p)]
        verdict = str(rng.choice(["good", "bad", "pending"], p=[0.85, 0.1, 0.05]))
        reviewed = None if verdict == "pending" else min(row[11] + dt.timedelta(days=3), end - dt.timedelta(seconds=1))
        reviews.append(
            (k + 1, row[0], verdict, None if reviewed is None else "slack:U0SAM", row[11] + dt.timedelta(days=1), reviewed)
        )
    counts["quality_review"] = copy(
        cur, "quality_review", ("id", "decision_id", "verdict", "reviewer", "created_at", "reviewed_at"), reviews
    )
    return counts
