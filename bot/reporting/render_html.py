"""The report as one self-contained HTML page (bot.reports.html) with its charts: the outcome mix over
time, escalations by trigger, CSAT by interaction type, the confidence distribution this week against the
weeks before, and the intent mix against the weeks before and the training data."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.reporting.drift import BINS
from bot.reporting.render_text import minutes, percent
from bot.reporting.report import Report
from bot.reports.html import Chart, Figure, Note, Section, Table, png_of, render_page

# Outcomes in chart order, settled-alone first (matplotlib's default cycle: C0 blue, C1 orange, …).
OUTCOME_COLOURS = {
    "answered": "C0",
    "action_ok": "C9",
    "smalltalk": "C2",
    "clarified": "C8",
    "drafted": "C4",
    "answer_rejected": "C1",
    "unanswered": "C5",
    "handed_off": "C3",
}


def render_html(report: Report, title: str = "Support report") -> str:
    w = report.window
    subtitle = f"{w.start:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC ({w.days:g} days)"
    sections = [
        _headline(report),
        _timeline(report),
        _escalations(report),
        _csat(report),
        _tickets(report),
        _intents(report),
        _gaps(report),
        _drift(report),
        Section("How the numbers are made", [Table(["figure", "definition"], [[k, v] for k, v in report.definitions.items()])]),
    ]
    return render_page(title, subtitle, [s for s in sections if s is not None])


def _headline(r: Report) -> Section:
    everything = next((t for t in r.tickets if t.priority == "all"), None)
    ratings = sum(c.ratings for c in r.csat)
    average = sum(c.average * c.ratings for c in r.csat) / ratings if ratings else None
    parts: list[Any] = [
        Figure("automation rate", percent(r.turns.automation_rate)),
        Figure("deflection rate", percent(r.conversations.deflection_rate)),
        Figure("escalation rate", percent(r.conversations.escalation_rate)),
        Figure("conversations started", f"{r.conversations.started:,}"),
        Figure("turns the bot decided", f"{r.turns.handled:,}"),
        Figure("CSAT (1-5)", "–" if average is None else f"{average:.2f} (n={ratings:,})"),
        Figure("first replies within SLA", percent(everything.sla_met_rate if everything else None, 0)),
        Figure("median first reply", minutes(everything.first_reply_minutes[0] if everything else None)),
        Figure("audited accuracy", f"{percent(r.quality.accuracy, 0)} (n={r.quality.reviewed})"),
    ]
    parts += [Note(f"Drift: {warning}", warning=True) for warning in r.drift.warnings]
    return Section("At a glance", parts)


def _axes(width: float, height: float) -> tuple[Any, Any]:
    figure, axes = plt.subplots(figsize=(width, height))
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _timeline(r: Report) -> Section | None:
    if not r.timeline:
        return None
    figure, axes = _axes(10, 3.8)
    labels = [p.start[5:] for p in r.timeline]
    bottom = [0] * len(r.timeline)
    seen = {o for p in r.timeline for o in p.outcomes}
    for outcome in [*OUTCOME_COLOURS, *sorted(seen - set(OUTCOME_COLOURS))]:
        if outcome not in seen:
            continue
        values = [p.outcomes.get(outcome, 0) for p in r.timeline]
        axes.bar(
            range(len(labels)), values, bottom=bottom, color=OUTCOME_COLOURS.get(outcome, "0.6"), label=outcome.replace("_", " ")
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel("turns")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    axes.set_xticks(range(len(labels)), labels, rotation=60, fontsize=7)
    per = "week (from Monday)" if len(r.timeline) > 1 and r.window.days > 62 else "day"
    return Section("What the bot did", [Chart(f"Turns per {per} by outcome", png_of(figure), f"stacked bars of turns per {per}")])


def _escalations(r: Report) -> Section:
    parts: list[Any] = []
    if r.escalations:
        figure, axes = _axes(8, max(2.2, 0.4 * len(r.escalations) + 1))
        rows = r.escalations[::-1]
        axes.barh([e.trigger for e in rows], [r.trigger_rate(e) * 100 for e in rows], color="C3")
        axes.set_xlabel("% of conversations started")
        parts.append(Chart("Escalations by trigger", png_of(figure), "bar chart of escalation rate by trigger"))
    parts.append(
        Table(
            ["trigger", "conversations", "share of conversations"],
            [[e.trigger, e.conversations, percent(r.trigger_rate(e))] for e in r.escalations],
            "A hand-off can have several triggers, so the shares overlap.",
            frozenset({1, 2}),
        )
    )
    return Section(f"Escalations: {percent(r.conversations.escalation_rate)} of conversations", parts)


def _csat(r: Report) -> Section:
    parts: list[Any] = []
    if r.csat:
        figure, axes = _axes(6, 3)
        axes.bar([c.interaction_type for c in r.csat], [c.average for c in r.csat], color="C0")
        for i, c in enumerate(r.csat):
            axes.annotate(f"n={c.ratings}", (i, c.average), ha="center", va="bottom", fontsize=8)
        axes.set_ylim(0, 5.5)
        axes.set_ylabel("average rating (1-5)")
        parts.append(Chart("CSAT by interaction type", png_of(figure), "bar chart of the average rating per interaction type"))
    rows = [[c.interaction_type, c.ratings, f"{c.average:.2f}", percent(c.satisfied, 0)] for c in r.csat]
    parts.append(Table(["interaction type", "ratings", "average", "rated 4-5"], rows, "", frozenset({1, 2, 3})))
    return Section("CSAT", parts)


def _tickets(r: Report) -> Section:
    rows = [
        [t.priority, t.tickets, t.replied, t.within_sla, t.breached, percent(t.sla_met_rate, 0),
         minutes(t.first_reply_minutes[0]), minutes(t.first_reply_minutes[1]), t.resolved,
         minutes(t.resolution_minutes[0]), minutes(t.resolution_minutes[1])]
        for t in r.tickets
    ]  # fmt: skip
    headers = ["priority", "tickets", "replied", "within SLA", "breached", "SLA met", "first reply p50", "p90", "resolved",
               "resolution p50", "p90"]  # fmt: skip
    return Section("First reply and resolution", [Table(headers, rows, "", frozenset(range(1, 11))), Note(r.sla_note)])


def _intents(r: Report) -> Section:
    rows = [
        [i.intent, i.tier, i.turns, "–" if i.mean_confidence is None else f"{i.mean_confidence:.2f}", i.answered, i.drafted,
         i.handed_off, f"{i.solved}/{i.not_quite}", percent(i.helpful, 0), i.drafts_reviewed, percent(i.approval_rate, 0),
         i.reviews, percent(i.audited_accuracy, 0)]
        for i in r.intents
    ]  # fmt: skip
    headers = ["intent", "tier", "turns", "confidence", "answered", "drafted", "handed off", "solved/not quite", "helpful",
               "drafts", "approved", "reviews", "audited"]  # fmt: skip
    q = r.quality
    parts: list[Any] = [
        Table(
            headers,
            rows,
            "Tier: on the intent's latest turn. Drafts and approval: reviewed in the window.",
            frozenset(range(2, 13)),
        )
    ]
    suggestions = [[i.intent, i.suggestion] for i in r.intents if i.suggestion]
    if suggestions:
        parts.append(Table(["intent", "suggestion"], suggestions))
    parts.append(
        Note(
            f"Quality sample: {q.reviewed} verdicts in the window, audited accuracy {percent(q.accuracy)}; "
            f"{q.drawn} answers drawn, {q.pending} waiting for a verdict. Promotion follows the policy's approval bar "
            "(all drafts so far); demotion the quality section's demote_below over min_evidence verdicts or presses."
        )
    )
    return Section("Intents", parts)


def _gaps(r: Report) -> Section:
    g = r.gaps
    kinds = ", ".join(f"{k} {n:,}" for k, n in g.by_kind.items()) or "none"
    parts: list[Any] = [
        Note(f"{g.events:,} knowledge-gap events: {kinds}. `supportbot kb gaps` groups them by meaning."),
        Table(
            ["intent", "events", "by kind", "example"], [[i.intent, i.events, _kinds(i.kinds), i.example] for i in g.by_intent]
        ),
    ]
    if g.repeated:
        parts.append(Table(["asked word for word", "times", "intent"], [[q.text, q.times, q.intent] for q in g.repeated]))
    return Section("Top knowledge gaps", parts)


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))


def _drift(r: Report) -> Section:
    d = r.drift
    parts: list[Any] = [Note(w, warning=True) for w in d.warnings]
    if not d.judged:
        parts.append(Note("Too few classified messages this week or before to judge drift (policy drift.min_turns)."))
    if d.current.turns or d.previous.turns:
        figure, axes = _axes(8, 3.2)
        edges = [i / BINS for i in range(BINS)]
        before = f"the {d.baseline.days / 7:g} weeks before"
        for period, label, colour in ((d.previous, before, "0.6"), (d.current, "this week", "C0")):
            total = sum(period.histogram) or 1
            shares = [n / total for n in period.histogram]
            axes.bar(edges, shares, width=1 / BINS, align="edge", alpha=0.6, color=colour, label=label)
        axes.set_xlabel("confidence")
        axes.set_ylabel("share of messages")
        axes.legend(frameon=False)
        parts.append(Chart("Confidence this week against the weeks before", png_of(figure), "histogram of confidence"))
        parts.append(_mix_chart(r))
    rows = [
        ["intent mix, JSD vs the weeks before (bits)", _num(d.jsd_previous)],
        ["intent mix, JSD vs the training data (bits)", _num(d.jsd_training)],
        ["out-of-scope rate this week / before", f"{percent(d.current.oos_rate)} / {percent(d.previous.oos_rate)}"],
        ["out-of-scope share of the training data", percent(d.training_oos_share)],
        ["mean confidence this week / before", f"{_num(d.current.mean_confidence, 2)} / {_num(d.previous.mean_confidence, 2)}"],
        ["confidence, Kolmogorov–Smirnov distance", _num(d.confidence_ks)],
        ["classified messages this week / before", f"{d.current.turns:,} / {d.previous.turns:,}"],
    ]
    parts.append(Table(["reading", "value"], rows))
    return Section(f"Drift: the week to {d.week.end:%Y-%m-%d}", parts)


def _mix_chart(r: Report) -> Chart:
    d = r.drift
    now_total, before_total = sum(d.current.intents.values()) or 1, sum(d.previous.intents.values()) or 1
    training = {k: v for k, v in (d.training or {}).items() if k != "out_of_scope"}
    training_total = sum(training.values()) or 1
    names = sorted(set(d.current.intents) | set(d.previous.intents), key=lambda k: (-d.current.intents.get(k, 0), k))[:15]
    figure, axes = _axes(9, max(3.0, 0.32 * len(names) + 1))
    y = list(range(len(names)))[::-1]
    bars = [("this week", d.current.intents, now_total, "C0"), ("weeks before", d.previous.intents, before_total, "0.6")]
    if training:
        bars.append(("training data", training, training_total, "C2"))
    height = 0.8 / len(bars)
    for k, (label, counts, total, colour) in enumerate(bars):
        positions = [v - 0.4 + height * (k + 0.5) for v in y]
        axes.barh(positions, [counts.get(n, 0) / total for n in names], height, color=colour, label=label)
    axes.set_yticks(y, names, fontsize=8)
    axes.set_xlabel("share of in-scope messages")
    axes.legend(frameon=False, fontsize=8)
    return Chart("Intent mix: this week, the weeks before, the training data", png_of(figure), "grouped bars of intent shares")


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"
