"""The replay as a terminal report: the outcome mix (side by side with the variant's when there is one),
escalations by trigger, the per-intent table, the decisions against the history's labels, and the sweep."""

from __future__ import annotations

from bot.replay.result import BUCKETS, ReplayResult, RunSummary, SweepResult

TOP_INTENTS = 30


def pct(part: int | float, whole: int | float) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def delta(before: float, after: float, percent: bool = False) -> str:
    change = after - before
    if abs(change) < 1e-12:
        return "="
    return f"{change:+.1%}" if percent else f"{change:+,.0f}"


def render_text(result: ReplayResult) -> str:
    lines = [*_headline(result), "", *_mix(result), "", *_intents(result.variant or result.baseline)]
    lines += ["", *_history(result)]
    if result.sweep is not None:
        lines += ["", *_sweep(result.sweep)]
    lines += ["", *_method(result)]
    return "\n".join(lines)


def _headline(r: ReplayResult) -> list[str]:
    b = r.baseline
    lines = [
        f"{r.source}: {r.tickets:,} tickets replayed ({r.skipped:,} rows skipped) through the bot, nothing sent",
        f"  model {r.model} · policy {r.policy}",
        f"  answered by the bot alone {b.count('answered'):,} ({b.automation_rate:.1%}); drafted for an agent "
        f"{b.count('drafted'):,} ({b.share('drafted'):.1%}); escalated {b.count('escalated'):,} ({b.share('escalated'):.1%}); "
        f"clarified {b.count('clarified'):,} ({b.share('clarified'):.1%})",
    ]
    if r.variant is not None:
        v = r.variant
        lines.append(
            f"  variant ({'; '.join(v.changes)}): answered {v.automation_rate:.1%} "
            f"({delta(b.automation_rate, v.automation_rate, True)}), escalated {v.share('escalated'):.1%} "
            f"({delta(b.share('escalated'), v.share('escalated'), True)}); {r.changed:,} tickets decided differently"
        )
    return lines


def _mix(r: ReplayResult) -> list[str]:
    runs = [r.baseline] if r.variant is None else [r.baseline, r.variant]
    head = f"{'outcome':34}" + "".join(f"{run.name:>18}" for run in runs) + ("       change" if r.variant else "")
    lines = [head]

    def row(label: str, counts: list[int]) -> str:
        cells = "".join(f"{n:>8,} {pct(n, run.tickets):>9}" for n, run in zip(counts, runs, strict=True))
        change = f"{delta(counts[0], counts[1]):>13}" if len(counts) == 2 else ""
        return f"{label:34}{cells}{change}"

    for bucket in BUCKETS:
        lines.append(row(bucket, [run.count(bucket) for run in runs]))
        if bucket == "escalated":
            triggers = {c.name for run in runs for c in run.escalated_by}
            for trigger in sorted(triggers, key=lambda t: (-max(_by(run, t) for run in runs), t)):
                lines.append(row(f"  by {trigger}", [_by(run, trigger) for run in runs]))
        if bucket == "other":
            names = sorted({c.name for run in runs for c in run.outcomes if _other(c.name)})
            for name in names:
                lines.append(row(f"  {name}", [next((c.tickets for c in run.outcomes if c.name == name), 0) for run in runs]))
    fired = ", ".join(f"{c.name} {c.tickets:,}" for c in runs[-1].fired)
    lines.append(f"triggers taking part in escalations ({runs[-1].name}; one may fire with others): {fired or 'none'}")
    return lines


def _by(run: RunSummary, trigger: str) -> int:
    return next((c.tickets for c in run.escalated_by if c.name == trigger), 0)


def _other(outcome: str) -> bool:
    return outcome not in ("answered", "action_ok", "drafted", "handed_off", "clarified")


def _intents(run: RunSummary) -> list[str]:
    lines = [
        f"per intent ({run.name}; the model's intent){'':10}tickets  answered  drafted  escalated  clarified  other  automated",
    ]
    for row in run.intents[:TOP_INTENTS]:
        lines.append(
            f"  {row.intent:48}{row.tickets:>7,}{row.answered:>10,}{row.drafted:>9,}{row.escalated:>11,}"
            f"{row.clarified:>11,}{row.other:>7,}{row.automation_rate:>11.0%}"
        )
    if len(run.intents) > TOP_INTENTS:
        rest = run.intents[TOP_INTENTS:]
        lines.append(f"  … {len(rest)} more intents, {sum(r.tickets for r in rest):,} tickets (--json has them all)")
    return lines


def _history(r: ReplayResult) -> list[str]:
    lines = ["against the history's labels"]
    for run in [r.baseline] if r.variant is None else [r.baseline, r.variant]:
        h = run.history
        reasons = ", ".join(f"{c.name} {c.tickets:,}" for c in h.needed_by_reason)
        lines += [
            f"  {run.name}:",
            f"    intent agrees with the category   {h.agreed:,} of {h.compared:,} tickets labelled with an intent name "
            f"({pct(h.agreed, h.compared)}); answered under another intent: {h.off_category:,}",
            f"    missed escalations                {h.missed:,} of {h.needed_work:,} tickets that needed real work "
            f"({pct(h.missed, h.needed_work)}) were answered by the bot alone  [{reasons}]",
            f"    needless escalations              {h.needless:,} of {h.routine:,} routine tickets "
            f"({pct(h.needless, h.routine)}) were handed to a person",
        ]
    confusions = r.baseline.history.confusions
    if confusions:
        lines.append("  most common disagreements (category → the model's intent): " + "; ".join(
            f"{c.category} → {c.intent} {c.tickets}" for c in confusions[:6]
        ))  # fmt: skip
    return lines


def _sweep(s: SweepResult) -> list[str]:
    current = "unset (the model's own)" if s.current is None else f"{s.current:g}"
    lines = [
        f"sweep of {s.key} (current: {current})",
        f"  {'value':>8}  {'automated':>9}  {'answered':>8}  {'escalated':>9}  {'clarified':>9}  {'missed escalations':>20}"
        f"  {'needless':>10}",
    ]
    for p in s.points:
        mark = "  ← current" if p.current else ""
        lines.append(
            f"  {p.value:>8g}  {p.automation_rate:>9.1%}  {p.answered:>8,}  {p.escalated:>9,}  {p.clarified:>9,}  "
            f"{p.missed:>7,} of {p.needed_work:,} ({pct(p.missed, p.needed_work):>6})  {p.needless:>10,}{mark}"
        )
    return lines


def _method(r: ReplayResult) -> list[str]:
    t = r.timing
    how = f"classified ahead in batches ({t.classify_seconds:.1f} s)" if t.batched else "classified one message at a time"
    return [
        f"how: every ticket went through the real pipeline as its customer's first message; {how}; "
        f"{t.replays} replay(s) in {t.seconds:.0f} s, {t.per_1000_seconds:.0f} s per 1,000 tickets for one policy",
        f"rule: {r.definition}",
    ]
