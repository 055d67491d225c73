"""The week in a few lines for the agents' room: the key rates, CSAT, the SLA, the audited accuracy, the
top knowledge gaps by intent, tier suggestions and drift warnings.

It quotes no customer's words (gaps are named by intent only), so it can be posted as plain bot text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from bot.core.policy import Policy
from bot.reporting.render_text import minutes, percent
from bot.reporting.report import Report, build_report
from bot.reporting.sql import Window

WEEK = dt.timedelta(days=7)


def weekly_digest(
    source: Session | Engine | Connection,
    now: dt.datetime,
    policy: Policy | None = None,
    training: Mapping[str, int] | None = None,
) -> str:
    """The seven days before `now`; `policy` gives the approval, quality and drift thresholds (default:
    the bundled policy), `training` the training data's label counts for the drift baseline, if at hand."""
    if policy is None:
        from bot.core.policy import load_policy

        policy = load_policy()
    window = Window(now - WEEK, now)
    if isinstance(source, Session):
        report = build_report(source.connection(), window, policy, training, now)
    elif isinstance(source, Engine):
        with source.connect() as connection:
            report = build_report(connection, window, policy, training, now)
    else:
        report = build_report(source, window, policy, training, now)
    return render_digest(report)


def render_digest(r: Report) -> str:
    t, c = r.turns, r.conversations
    triggers = ", ".join(f"{e.trigger} {e.conversations}" for e in r.escalations[:3])
    lines = [
        f"The week to {r.window.end:%Y-%m-%d}: {c.started:,} conversations, {t.handled:,} turns decided by the bot.",
        f"Automation {percent(t.automation_rate, 0)} · deflection {percent(c.deflection_rate, 0)} · "
        f"escalation {percent(c.escalation_rate, 0)}" + (f" (most: {triggers})" if triggers else ""),
    ]
    if r.csat:
        lines.append("CSAT: " + " · ".join(f"{row.interaction_type} {row.average:.1f} (n={row.ratings})" for row in r.csat))
    everything = next((row for row in r.tickets if row.priority == "all"), None)
    if everything is not None:
        lines.append(
            f"Tickets: {everything.tickets:,}; first replies within SLA {percent(everything.sla_met_rate, 0)}, "
            f"median first reply {minutes(everything.first_reply_minutes[0])}, {everything.breached:,} breached."
        )
    q = r.quality
    lines.append(
        f"Quality sample: audited accuracy {percent(q.accuracy, 0)} of {q.reviewed} verdicts"
        + (f"; {q.pending} drawn answer{'s' if q.pending != 1 else ''} still without a verdict." if q.pending else ".")
    )
    if r.gaps.by_intent:
        top = ", ".join(f"{g.intent} {g.events}" for g in r.gaps.by_intent[:5])
        lines.append(f"Knowledge gaps: {r.gaps.events:,} ({top}); details with `supportbot kb gaps`.")
    lines += [f"Suggestion: {i.intent}: {i.suggestion}" for i in r.intents if i.suggestion]
    lines += [f"Drift warning: {w}" for w in r.drift.warnings]
    if not r.drift.warnings:
        lines.append("Drift: nothing past the thresholds." if r.drift.judged else "Drift: too few messages this week to judge.")
    lines.append("The full report, with charts: `supportbot report --since 7d --html report.html`.")
    return "\n".join(lines)
