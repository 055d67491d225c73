"""The audit as one self-contained HTML page (bot.reports.html): headline figures, volume per category
(known intents against discovered topics), pattern score against volume coloured by recommended tier,
the discovered topics with example subjects, model vs your labels, the weekly baseline, and how every
number was made."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.audit.pattern import MIN_REPLIES
from bot.audit.recommend import DEFLECTION_FORMULA, describe
from bot.audit.render_text import hours, number
from bot.audit.result import DISCOVERED, INTENT, AuditResult
from bot.reports.html import Chart, Figure, Note, Section, Table, png_of, render_page

KIND_COLOUR = {INTENT: "C0", DISCOVERED: "C1", "other": "0.6"}  # matplotlib's default cycle: blue, orange; grey
TIER_COLOUR = {"auto": "C2", "assisted": "C0", "human": "C3"}
SHORT_KIND = {INTENT: "known", DISCOVERED: "new", "other": "-"}
KIND_NAME = {INTENT: "known intent", DISCOVERED: "discovered topic", "other": "unknown, no topic"}


def render_html(result: AuditResult) -> str:
    r = result
    subtitle = f"{r.source}: {r.tickets:,} tickets from {r.baseline.first_day} to {r.baseline.last_day}"
    sections = [_headline(r), _categories(r), _pattern(r), _topics(r), _labels(r), _baseline(r), _method(r)]
    return render_page("Ticket history audit: what to automate first", subtitle, [s for s in sections if s is not None])


def _headline(r: AuditResult) -> Section:
    b = r.baseline.overall
    figures = [
        Figure("tickets audited", f"{r.tickets:,}"),
        Figure("categorised into a known intent", f"{r.categorised / r.tickets:.0%}"),
        Figure("unknown to the model", f"{r.unknown / r.tickets:.0%}"),
        Figure("new topics discovered", f"{len(r.topics)} ({r.discovered:,} tickets)"),
        Figure("expected deflection now", f"{r.deflection.now:.0%}"),
        Figure("with the new topics as intents", f"{r.deflection.with_new_intents:.0%}"),
    ]
    if r.agreement is not None:
        figures.append(Figure("model vs your labels", f"{r.agreement.rate:.0%}"))
    figures += [
        Figure("median first response", hours(b.first_response_hours)),
        Figure("median resolution", hours(b.resolution_hours)),
        Figure("CSAT (1-5)", number(b.csat)),
    ]
    parts: list[Any] = figures
    if r.skipped:
        parts.append(Note(f"{r.skipped:,} rows of the export were skipped (the command lists them with their lines).", True))
    return Section("At a glance", parts)


def _categories(r: AuditResult) -> Section:
    rows = list(r.categories)
    figure, axes = plt.subplots(figsize=(9, max(3.0, 0.28 * len(rows) + 1)))
    names = [c.name for c in rows][::-1]
    axes.barh(names, [c.tickets for c in rows][::-1], color=[KIND_COLOUR.get(c.kind, "0.6") for c in rows][::-1])
    axes.set_xlabel("tickets")
    axes.tick_params(axis="y", labelsize=8)
    for kind, colour in KIND_COLOUR.items():
        axes.bar(0, 0, color=colour, label=KIND_NAME[kind])
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    table = Table(
        ["category", "kind", "tickets", "share", "median 1st reply", "median resolution", "CSAT", "model confidence", "pattern"],
        [
            [c.name, SHORT_KIND.get(c.kind, c.kind), c.tickets, f"{c.share:.1%}", hours(c.first_response_hours),
             hours(c.resolution_hours), number(c.csat, 1), number(c.confidence),
             "too few replies" if c.pattern is None else number(c.pattern)]
            for c in rows
        ],
        "Kind: known intent, new (discovered) topic, or unknown tickets in no topic. Pattern: 1 when one macro answers "
        "every ticket, near 0 when each reply is written for its case.",
        frozenset(range(2, 9)),
    )  # fmt: skip
    chart = Chart(
        "Tickets per category: known intents, discovered topics and the rest", png_of(figure), "bar chart of tickets per category"
    )
    return Section("Categories", [chart, table])


def _pattern(r: AuditResult) -> Section:
    figure, axes = plt.subplots(figsize=(8, 4.5))
    scored = [c for c in r.categories if c.pattern is not None]
    for tier, colour in TIER_COLOUR.items():
        chosen = [c for c in scored if c.tier == tier]
        axes.scatter([c.tickets for c in chosen], [c.pattern or 0.0 for c in chosen], s=60, color=colour, label=tier, alpha=0.85)
    _label_largest(axes, [(c.name, c.tickets, c.pattern or 0.0) for c in scored])
    axes.axhline(r.method.rule.auto_pattern, color="0.7", linestyle="--", linewidth=1)
    axes.axhline(r.method.rule.assisted_pattern, color="0.7", linestyle=":", linewidth=1)
    axes.set_xlabel("tickets")
    axes.set_ylabel("pattern score (how alike the replies are)")
    axes.set_ylim(0, 1.05)
    axes.legend(title="recommended tier", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    note = Note(
        "Top right: many tickets answered the same way — automate these first. Bottom: replies written case by case "
        f"need judgment. Dashed line: pattern {r.method.rule.auto_pattern:g} (auto); dotted: {r.method.rule.assisted_pattern:g}."
    )
    chart = Chart("Pattern score against volume, by recommended tier", png_of(figure), "scatter of pattern score against tickets")
    table = Table(
        ["category", "tickets", "tier now", "recommended", "deflection", "why"],
        [[c.name, c.tickets, c.current_tier or "-", c.tier, f"{c.deflection:.0%}", "; ".join(c.reasons)] for c in r.categories],
        f"Deflection: the share of the category's tickets its recommended tier resolves without an agent. Overall, "
        f"{DEFLECTION_FORMULA}.",
        frozenset({1, 4}),
    )
    return Section("Pattern vs judgment: recommended tiers", [chart, note, table])


def _label_largest(axes: Any, points: list[tuple[str, int, float]], most: int = 10) -> None:
    """Name the largest categories, skipping any that would print over a label already placed."""
    width = max((x for _, x, _ in points), default=1) or 1
    placed: list[tuple[float, float]] = []
    for name, x, y in sorted(points, key=lambda p: -p[1])[:most]:
        if any(abs(x - px) < 0.08 * width and abs(y - py) < 0.05 for px, py in placed):
            continue
        placed.append((x, y))
        axes.annotate(name, (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points")


def _topics(r: AuditResult) -> Section:
    if not r.topics:
        return Section(
            "Discovered topics", [Note(f"No group of at least {r.method.min_cluster} unknown tickets was alike enough.")]
        )
    rows = [
        [
            t.name,
            t.tickets,
            number(t.cohesion),
            ", ".join(f"{x.label} ({x.tickets})" for x in t.labels) or "-",
            " · ".join(t.examples),
        ]
        for t in r.topics
    ]
    table = Table(
        ["topic (distinctive words)", "tickets", "cohesion", "your labels", "example tickets"], rows, "", frozenset({1, 2})
    )
    note = Note(
        f"{r.unknown:,} tickets were unknown to the model (out of scope or below the confidence threshold); "
        f"{r.discovered:,} of them fall into these topics, the other {r.unknown - r.discovered:,} into none. "
        "Each topic is a candidate intent: add example phrasings and retrain."
    )
    return Section("Discovered topics", [note, table])


def _labels(r: AuditResult) -> Section | None:
    a = r.agreement
    if a is None:
        return None
    parts: list[Any] = [
        Figure("agree, of tickets labelled with an intent name", f"{a.rate:.1%} of {a.compared:,}"),
        Figure("of those the model was unsure of", f"{a.unknown:,}"),
        Figure("tickets with labels no intent covers, unknown to the model", f"{a.uncovered_unknown:,} of {a.uncovered:,}"),
    ]
    if a.confusions:
        rows = [[c.label, c.intent, c.tickets] for c in a.confusions]
        parts.append(Table(["your label", "the model said", "tickets"], rows, "The most common disagreements", frozenset({2})))
    if a.uncovered_labels:
        rows = [[u.label, u.tickets, u.unknown, u.read_as or "-"] for u in a.uncovered_labels]
        headers = ["your label (no intent for it)", "tickets", "unknown to the model", "most others read as"]
        parts.append(
            Table(headers, rows, "Labels no intent covers: only unknown tickets can be discovered as topics", frozenset({1, 2}))
        )
    parts.append(
        Note(
            "Your category column against the model's intent, where the category is an intent name. Labels no intent "
            "covers should come out unknown; those the model put in a known intent are counted there above."
        )
    )
    return Section("Model vs your labels", parts)


def _baseline(r: AuditResult) -> Section:
    b = r.baseline
    figure, axes = plt.subplots(figsize=(9, 3.2))
    colours = ["0.7" if w.partial else "C0" for w in b.weeks]
    axes.bar([w.week for w in b.weeks], [w.tickets for w in b.weeks], color=colours)
    axes.set_ylabel("tickets")
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    rows = [
        [lv.group, lv.tickets, hours(lv.first_response_hours), lv.no_first_response, hours(lv.resolution_hours),
         lv.unresolved, number(lv.csat), f"{lv.rated_share:.0%}"]
        for lv in (b.overall, *b.per_plan)
    ]  # fmt: skip
    table = Table(
        ["group", "tickets", "median first response", "no response", "median resolution", "unresolved", "CSAT", "rated"],
        rows,
        f"{b.weekly_average:.0f} tickets per full week. Medians leave out tickets without the time (counted apart).",
        frozenset(range(1, 8)),
    )
    chart = Chart("Tickets per ISO week (grey: partial week at either end)", png_of(figure), "bar chart of tickets per week")
    return Section("Baseline to compare against after launch", [chart, table])


def _method(r: AuditResult) -> Section:
    m = r.method
    threshold = "switched off" if m.confidence_threshold is None else f"{m.confidence_threshold:g}"
    notes = [
        f"Categorised with the model {m.model or '(unnamed)'} the way the bot reads a first message; a ticket is unknown "
        f"when the model calls it out of scope or its calibrated confidence is below the policy's threshold ({threshold}).",
        "Discovered topics: the unknown tickets embedded with the base sentence encoder and grouped by average-linkage "
        f"clustering at an average cosine similarity of {m.similarity:g}; groups under {m.min_cluster} tickets stay "
        "unknown. A topic is named by its distinctive words: the share of its tickets containing a word times the word's "
        "inverse document frequency over the whole history (stop words removed).",
        "Pattern score: for each agent reply, the word-trigram overlap (Jaccard) with the most similar other reply in the "
        "category, after names, numbers, ids, emails and links are normalised; averaged over the category. Categories "
        f"with fewer than {MIN_REPLIES} replies have no score.",
        "Recommended tier, the first rule that applies: "
        + "; ".join(f"{i}. {line}" for i, line in enumerate(describe(m.rule), 1)),
        f"Deflection: {DEFLECTION_FORMULA}.",
    ]
    return Section("How these numbers were made", [Note(text) for text in notes])
