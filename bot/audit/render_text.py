"""The audit as a terminal report that fits 120 columns: the headline, the categories table, the tiers'
reasons, the discovered topics with example subjects, and the baseline."""

from __future__ import annotations

import textwrap

from bot.audit.recommend import DEFLECTION_FORMULA
from bot.audit.result import DISCOVERED, INTENT, AuditResult, CategoryRow

WIDTH = 120
KIND = {INTENT: "known", DISCOVERED: "new", "other": "-"}


def hours(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}h" if value < 48 else f"{value / 24:.1f}d"


def number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(result: AuditResult) -> str:
    parts = [*_headline(result), "", *_categories(result), "", *_reasons(result), *_topics(result), *_uncovered(result)]
    return "\n".join([*parts, *_baseline(result)])


def _headline(r: AuditResult) -> list[str]:
    b = r.baseline
    intents = sum(c.kind == INTENT for c in r.categories)
    facts = [
        (
            "categorised by the model",
            f"{r.categorised:,} ({r.categorised / r.tickets:.1%}) into {intents} intents; unknown {r.unknown:,} "
            f"({r.unknown / r.tickets:.1%}): {len(r.topics)} new topics ({r.discovered:,} tickets), "
            f"{r.unknown - r.discovered:,} in no topic",
        )
    ]
    a = r.agreement
    if a is not None:
        facts.append(
            (
                "model vs your labels",
                f"{a.rate:.1%} agree on the {a.compared:,} tickets labelled with an intent name; {a.uncovered_unknown:,} "
                f"of {a.uncovered:,} with labels no intent covers were unknown to the model",
            )
        )
    d, o = r.deflection, b.overall
    facts += [
        (
            "expected deflection",
            f"{d.now:.1%} of tickets now (known intents at their recommended tier); {d.with_new_intents:.1%} once the "
            "new topics are intents",
        ),
        (
            "baseline",
            f"{b.weekly_average:.0f} tickets a week; median first response {hours(o.first_response_hours)}, resolution "
            f"{hours(o.resolution_hours)}; CSAT {number(o.csat)} ({o.rated_share:.0%} rated)",
        ),
    ]
    lines = [f"{r.source}: {r.tickets:,} tickets ({r.skipped:,} rows skipped), {b.first_day} to {b.last_day}"]
    for label, text in facts:
        lines += textwrap.wrap(text, WIDTH, initial_indent=f"  {label:<24}  ", subsequent_indent=" " * 28)
    return lines


def _categories(r: AuditResult) -> list[str]:
    head = (
        f"  {'category':<30} {'kind':<5} {'tickets':>7} {'share':>6} {'1st rep':>7} {'resolve':>7} {'CSAT':>4} "
        f"{'conf':>4} {'pattern':>7} {'now':>8} {'advice':>8} {'deflect':>7}"
    )
    lines = ["Categories (pattern: 1 = one macro for every reply, 0 = every reply written for its case)", head]
    lines += [_category(c) for c in r.categories]
    return [*lines, *_wrapped(f"Deflection: {DEFLECTION_FORMULA}.", "  ")]


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _category(c: CategoryRow) -> str:
    pattern = number(c.pattern) if c.pattern is not None else "few"
    return (
        f"  {clip(c.name, 30):<30} {KIND.get(c.kind, c.kind):<5} {c.tickets:>7,} {c.share:>6.1%} "
        f"{hours(c.first_response_hours):>7} {hours(c.resolution_hours):>7} {number(c.csat, 1):>4} "
        f"{number(c.confidence):>4} {pattern:>7} {c.current_tier or '-':>8} {c.tier:>8} {c.deflection:>7.0%}"
    )


def _reasons(r: AuditResult) -> list[str]:
    lines = ["Why these tiers"]
    for c in r.categories:
        lines.append(clip(f"  {clip(c.name, 30):<30} {c.tier:<8} {'; '.join(c.reasons)}", WIDTH))
    return [*lines, ""]


def _topics(r: AuditResult) -> list[str]:
    if not r.topics:
        return [f"No new topics: no group of at least {r.method.min_cluster} unknown tickets is alike enough.", ""]
    lines = [f"New topics among the {r.unknown:,} unknown tickets (at least {r.method.min_cluster} tickets each)"]
    for topic in r.topics:
        labels = ", ".join(f"{x.label} {x.tickets}" for x in topic.labels) or "none"
        lines.append(
            clip(f"  {topic.name}: {topic.tickets} tickets, cohesion {topic.cohesion:.2f}; your labels: {labels}", WIDTH)
        )
        lines += [clip(f"      “{example}”", WIDTH) for example in topic.examples]
    return [*lines, ""]


def _uncovered(r: AuditResult) -> list[str]:
    if r.agreement is None or not r.agreement.uncovered_labels:
        return []
    lines = ["Your labels that no intent covers (only the tickets the model was unsure of can form new topics)"]
    for u in r.agreement.uncovered_labels:
        rest = f"; the other {u.tickets - u.unknown:,} mostly read as {u.read_as}" if u.read_as else ""
        lines.append(clip(f"  {clip(u.label, 30):<30} {u.tickets:>5,} tickets, {u.unknown:,} unknown{rest}", WIDTH))
    return [*lines, ""]


def _baseline(r: AuditResult) -> list[str]:
    b = r.baseline
    top = max((w.tickets for w in b.weeks), default=0) or 1
    lines = ["Tickets per week (* partial week)"]
    for w in b.weeks:
        bar = "█" * round(40 * w.tickets / top)
        lines.append(f"  {w.week} {w.tickets:>6,}{'*' if w.partial else ' '} {bar}")
    lines += [
        "",
        "Baseline to compare against after launch",
        f"  {'group':<16} {'tickets':>7} {'1st response':>12} {'none':>5} {'resolution':>10} {'open':>5} "
        f"{'CSAT':>5} {'rated':>6}",
    ]
    for lv in (b.overall, *b.per_plan):
        lines.append(
            f"  {clip(lv.group, 16):<16} {lv.tickets:>7,} {hours(lv.first_response_hours):>12} {lv.no_first_response:>5,} "
            f"{hours(lv.resolution_hours):>10} {lv.unresolved:>5,} {number(lv.csat):>5} {lv.rated_share:>6.0%}"
        )
    return lines
