"""The report as plain text for a terminal: the headline rates, then one aligned table per part, the drift
warnings, and the definitions every figure was computed with."""

from __future__ import annotations

from collections.abc import Sequence

from bot.reporting.report import Report


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def minutes(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 90:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; numbers (and the dashes standing in for them) right-aligned."""
    cells = [[str(h) for h in headers], *[[str(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_numeric(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append(indent + "  ".join(parts).rstrip())
    return lines


def _numeric(text: str) -> bool:
    head = text.split(" ")[0].rstrip("%")
    return text == "–" or head.replace(".", "", 1).replace(",", "").isdigit()


def headline(report: Report) -> list[str]:
    t, c = report.turns, report.conversations
    return [
        f"automation {percent(t.automation_rate)} ({t.automated:,} of {t.handled:,} turns) · "
        f"deflection {percent(c.deflection_rate)} ({c.deflected:,} of {c.started:,} conversations) · "
        f"escalation {percent(c.escalation_rate)} ({c.escalated:,})",
    ]


def render_text(report: Report, title: str = "Support report") -> str:
    r = report
    w = r.window
    lines = [f"{title}: {w.start:%Y-%m-%d %H:%M} → {w.end:%Y-%m-%d %H:%M} UTC ({w.days:g} days)", "", *headline(r), ""]
    lines.append("Escalations by trigger (share of conversations started):")
    escalations = [[e.trigger, e.conversations, percent(r.trigger_rate(e))] for e in r.escalations]
    lines += table(["trigger", "conversations", "share"], escalations)
    if not r.escalations:
        lines.append("  none")
    lines += ["", "CSAT by interaction type:"]
    csat = [[row.interaction_type, row.ratings, f"{row.average:.2f}", percent(row.satisfied, 0)] for row in r.csat]
    lines += table(["type", "ratings", "average", "satisfied"], csat) if csat else ["  no ratings"]
    lines += ["", "Tickets: first reply against the SLA, resolution:"]
    tickets = [
        [t.priority, t.tickets, t.replied, t.within_sla, t.breached, percent(t.sla_met_rate, 0),
         minutes(t.first_reply_minutes[0]), minutes(t.first_reply_minutes[1]), t.resolved,
         minutes(t.resolution_minutes[0]), minutes(t.resolution_minutes[1])]
        for t in r.tickets
    ]  # fmt: skip
    headers = ["priority", "tickets", "replied", "in SLA", "breached", "SLA met", "1st p50", "1st p90", "resolved",
               "res p50", "res p90"]  # fmt: skip
    lines += table(headers, tickets) if tickets else ["  no tickets"]
    lines += ["  " + r.sla_note, "", "Intents:"]
    intents = [
        [i.intent, i.tier, i.turns, "–" if i.mean_confidence is None else f"{i.mean_confidence:.2f}", i.answered, i.drafted,
         i.handed_off, percent(i.helpful, 0), f"{i.solved}/{i.not_quite}", percent(i.approval_rate, 0), i.drafts_reviewed,
         percent(i.audited_accuracy, 0), i.reviews]
        for i in r.intents
    ]  # fmt: skip
    headers = ["intent", "tier", "turns", "conf", "answered", "drafted", "handed", "helpful", "solved/nq", "approved", "drafts",
               "audited", "reviews"]  # fmt: skip
    lines += table(headers, intents) if intents else ["  no turns"]
    suggestions = [f"  {i.intent}: {i.suggestion}" for i in r.intents if i.suggestion]
    lines += ["", "Suggestions:", *(suggestions or ["  none"])]
    q = r.quality
    lines += [
        "",
        f"Quality sample: {q.reviewed} verdicts, audited accuracy {percent(q.accuracy)}; {q.drawn} answers drawn in the window, "
        f"{q.pending} still waiting for a verdict.",
        "",
        f"Knowledge gaps: {r.gaps.events:,} events ("
        + (", ".join(f"{k} {n}" for k, n in r.gaps.by_kind.items()) or "none")
        + ")",
    ]
    lines += table(["intent", "events", "example"], [[g.intent, g.events, _short(g.example)] for g in r.gaps.by_intent])
    if r.gaps.repeated:
        repeated = [[q.times, _short(q.text)] for q in r.gaps.repeated]
        lines += ["  asked word for word:", *table(["times", "question"], repeated, "    ")]
    lines += ["  (grouped by meaning: supportbot kb gaps)", "", *drift_lines(r), "", "Definitions:"]
    lines += [f"  {name}: {text}" for name, text in r.definitions.items()]
    return "\n".join(lines) + "\n"


def drift_lines(report: Report) -> list[str]:
    d = report.drift
    lines = [
        f"Drift: the week to {d.week.end:%Y-%m-%d} ({d.current.turns:,} classified messages) against the "
        f"{d.baseline.days / 7:g} weeks before ({d.previous.turns:,}):"
    ]
    lines.append(
        f"  intent mix JSD {_num(d.jsd_previous)} bits vs those weeks, {_num(d.jsd_training)} vs the training data; "
        f"out of scope {percent(d.current.oos_rate)} (before {percent(d.previous.oos_rate)}); "
        f"mean confidence {_num(d.current.mean_confidence, 2)} (before {_num(d.previous.mean_confidence, 2)}), "
        f"KS {_num(d.confidence_ks)}"
    )
    if not d.judged:
        lines.append("  too few messages to judge (policy drift.min_turns)")
    lines += [f"  WARNING: {w}" for w in d.warnings] or (["  no drift past the thresholds"] if d.judged else [])
    return lines


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _short(text: str, limit: int = 80) -> str:
    """A customer's words on one line, with control characters (terminal escapes) blanked."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
