"""The replay as one self-contained HTML page (bot/reports/html.py): headline figures, the outcome mix,
per-intent stacked bars, the decisions against the history, the what-if comparison and the sweep curve
of automation against missed escalations, each point labelled with its value."""

from __future__ import annotations

from typing import Any

from bot.replay.result import BUCKETS, ReplayResult, RunSummary, SweepResult
from bot.reports.html import Chart, Figure, Note, Part, Section, Table, png_of, render_page
from models.charts import pyplot

# answered first in matplotlib's first colour (blue), so a drawn chart is easy to find in a screenshot
COLOURS = {"answered": "#1f77b4", "drafted": "#2ca02c", "escalated": "#d62728", "clarified": "#ff7f0e", "other": "#9a9a9a"}
TOP_INTENTS = 25
ESCALATION_NOTE = "an escalation counts under its most specific trigger; low_confidence only when nothing else fired"


def render_html(result: ReplayResult) -> str:
    r = result
    subtitle = f"{r.source} · {r.tickets:,} tickets · model {r.model} · policy {r.policy}"
    sections = [_headline(r), _mix(r), _intents(r.variant or r.baseline), _history(r)]
    if r.sweep is not None:
        sections.append(_sweep(r.sweep))
    sections.append(_method(r))
    return render_page("Replay: what the bot would have done", subtitle, sections)


def _share(run: RunSummary, bucket: str) -> str:
    return f"{run.count(bucket):,} ({run.share(bucket):.1%})"


def _headline(r: ReplayResult) -> Section:
    b = r.baseline
    parts: list[Part] = [
        Figure("tickets replayed", f"{r.tickets:,}"),
        Figure("answered by the bot alone", f"{b.automation_rate:.1%}"),
        Figure("escalated to a person", f"{b.share('escalated'):.1%}"),
        Figure("missed escalations", f"{b.history.missed:,} of {b.history.needed_work:,}"),
        Figure("intent agrees with category", f"{b.history.agreement:.1%}"),
    ]
    if r.variant is not None:
        v = r.variant
        parts += [
            Figure("variant: answered alone", f"{v.automation_rate:.1%}"),
            Figure("variant: missed escalations", f"{v.history.missed:,}"),
            Note(f"Variant: {'; '.join(v.changes)}. {r.changed:,} tickets are decided differently."),
        ]
    return Section("Headline", parts)


def _mix(r: ReplayResult) -> Section:
    runs = [r.baseline] if r.variant is None else [r.baseline, r.variant]
    headers = ["outcome", *(run.name for run in runs)] + (["change"] if r.variant else [])
    rows: list[list[Any]] = []
    for bucket in BUCKETS:
        rows.append(
            [bucket, *(_share(run, bucket) for run in runs)]
            + ([f"{runs[1].count(bucket) - runs[0].count(bucket):+,}"] if r.variant else [])
        )
        if bucket == "escalated":
            for trigger in sorted({c.name for run in runs for c in run.escalated_by}):
                counts = [next((c.tickets for c in run.escalated_by if c.name == trigger), 0) for run in runs]
                rows.append(
                    [f"  by {trigger}", *(f"{n:,}" for n in counts)] + ([f"{counts[1] - counts[0]:+,}"] if r.variant else [])
                )
    return Section(
        "Outcome mix",
        [
            Chart("What the bot would have done with each ticket", png_of(_mix_chart(runs)), "bar chart of outcomes per policy"),
            Table(headers, rows, ESCALATION_NOTE, frozenset(range(1, len(headers)))),
        ],
    )


def _mix_chart(runs: list[RunSummary]) -> Any:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.9 * len(runs)))
    for y, run in enumerate(runs):
        left = 0
        for bucket in BUCKETS:
            n = run.count(bucket)
            ax.barh(y, n, left=left, color=COLOURS[bucket], label=bucket if y == 0 else None)
            if n and n / max(run.tickets, 1) > 0.05:
                ax.text(left + n / 2, y, f"{n / run.tickets:.0%}", ha="center", va="center", color="white", fontsize=8)
            left += n
    ax.set_yticks(range(len(runs)), [run.name for run in runs])
    ax.invert_yaxis()
    ax.set_xlabel("tickets")
    ax.legend(ncol=len(BUCKETS), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(runs) == 1 else -0.22))
    return fig


def _intents(run: RunSummary) -> Section:
    rows = run.intents[:TOP_INTENTS]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.28 * len(rows)))
    lefts = [0] * len(rows)
    for bucket in BUCKETS:
        values = [getattr(row, bucket) for row in rows]
        ax.barh(range(len(rows)), values, left=lefts, color=COLOURS[bucket], label=bucket)
        lefts = [a + b for a, b in zip(lefts, values, strict=True)]
    ax.set_yticks(range(len(rows)), [row.intent for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("tickets")
    ax.legend(fontsize=8, loc="lower right")
    table = Table(
        ["intent", "tickets", "answered", "drafted", "escalated", "clarified", "other", "automated"],
        [
            [r.intent, r.tickets, r.answered, r.drafted, r.escalated, r.clarified, r.other, f"{r.automation_rate:.0%}"]
            for r in run.intents
        ],
        "the model's intent for each ticket; out_of_scope: the model found no intent",
        frozenset(range(1, 8)),
    )
    chart = Chart(
        f"Outcomes per intent ({run.name}, the {len(rows)} largest)", png_of(fig), "stacked bars of outcomes per intent"
    )
    return Section(f"Per intent ({run.name})", [chart, table])


def _history(r: ReplayResult) -> Section:
    runs = [r.baseline] if r.variant is None else [r.baseline, r.variant]
    rows = []
    for run in runs:
        h = run.history
        rows.append(
            [
                run.name,
                f"{h.agreed:,} / {h.compared:,} ({h.agreement:.1%})",
                f"{h.missed:,} / {h.needed_work:,} ({h.missed_rate:.1%})",
                f"{h.needless:,} / {h.routine:,} ({h.needless_rate:.1%})",
                h.off_category,
            ]
        )
    b = r.baseline.history
    parts: list[Part] = [
        Table(
            ["policy", "intent agrees with category", "missed escalations", "needless escalations", "answered off-category"],
            rows,
            "missed: needed real work, answered by the bot alone; needless: routine, handed to a person",
            frozenset({1, 2, 3, 4}),
        ),
        Table(
            ["needed real work because", "tickets"],
            [[c.name.replace("_", " "), c.tickets] for c in b.needed_by_reason],
            numeric=frozenset({1}),
        ),
    ]
    if b.confusions:
        parts.append(
            Table(
                ["category", "the model's intent", "tickets"],
                [[c.category, c.intent, c.tickets] for c in b.confusions],
                "most common disagreements (baseline)",
                frozenset({2}),
            )
        )
    parts.append(Note(r.definition))
    return Section("Against the history's labels", parts)


def _sweep(s: SweepResult) -> Section:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [100 * p.automation_rate for p in s.points]
    ys = [p.missed for p in s.points]
    ax.plot(xs, ys, "-o", color=COLOURS["answered"], lw=1.8, ms=5)
    for i, ((x, y), values) in enumerate(_same_spot(s).items()):  # values on one point share one label
        label = f"{values[0]:g}" if len(values) == 1 else f"{values[0]:g}–{values[-1]:g}"
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, 7 if i % 2 == 0 else -13), fontsize=8)
    marked = [(x, y) for p, x, y in zip(s.points, xs, ys, strict=True) if p.current]
    if marked:
        ax.scatter(*zip(*marked, strict=True), s=160, marker="*", color="#d62728", zorder=5, label=f"current ({s.current:g})")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(0, max(ys) * 1.2 + 1)  # from zero, so a flat curve looks flat
    ax.yaxis.get_major_locator().set_params(integer=True)
    span = max(xs) - min(xs)
    ax.set_xlim(min(xs) - max(span * 0.1, 0.5), max(xs) + max(span * 0.15, 0.5))
    ax.set_xlabel("answered by the bot alone (% of tickets)")
    ax.set_ylabel("missed escalations (tickets)")
    ax.set_title(f"{s.key}: automation against missed escalations")
    ax.grid(alpha=0.3)
    rows = [
        [f"{p.value:g}" + (" (current)" if p.current else ""), f"{p.automation_rate:.1%}", p.answered, p.escalated, p.clarified,
         f"{p.missed:,} / {p.needed_work:,}", f"{p.needless:,} / {p.routine:,}"]
        for p in s.points
    ]  # fmt: skip
    return Section(
        f"Sweep of {s.key}",
        [
            Chart(f"Each point is one value of {s.key}", png_of(fig), f"automation rate against missed escalations for {s.key}"),
            Table(
                ["value", "automated", "answered", "escalated", "clarified", "missed escalations", "needless escalations"],
                rows,
                numeric=frozenset({1, 2, 3, 4}),
            ),
        ],
    )


def _same_spot(s: SweepResult) -> dict[tuple[float, int], list[float]]:
    spots: dict[tuple[float, int], list[float]] = {}
    for p in s.points:
        spots.setdefault((100 * p.automation_rate, p.missed), []).append(p.value)
    return spots


def _method(r: ReplayResult) -> Section:
    t = r.timing
    how = (
        f"The tickets were classified ahead in batches ({t.classify_seconds:.1f} s); the pipeline's classifier calls "
        "were served those readings, which equal the model's one-at-a-time readings."
        if t.batched
        else "Each message was classified as it came, as the live bot does."
    )
    return Section(
        "How this was made",
        [
            Note(
                "Every ticket went through the real bot (model, knowledge base, answer gate, triggers, tiers, business rules) "
                "as its customer's first message, on a throwaway database, with nothing sent. " + how
                + f" {t.replays} replay(s) took {t.seconds:.0f} s: {t.per_1000_seconds:.0f} s per 1,000 tickets for one policy."
            ),
        ],
    )  # fmt: skip
