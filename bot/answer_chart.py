"""The risk–coverage chart: how many answerable questions get an article against how many get a
wrong one, as the answer gate's threshold moves; the lead reads the budget's cost off it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from knowledge.gate import CurvePoint
from models.charts import pyplot, save_png

COLOURS = ("#888888", "#1f77b4", "#ff7f0e", "#2ca02c")
MARKERS = (("o", "#d62728"), ("s", "#2ca02c"), ("^", "#9467bd"), ("D", "#8c564b"))


def risk_coverage_png(
    curves: Mapping[str, Sequence[CurvePoint]],
    points: dict[str, tuple[float, float]],  # label → (answered share, wrong share) of answerable questions
    budget: float | None,
    path: Path,
    title: str = "Risk–coverage: answer only when the evidence agrees",
) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for (label, curve), colour in zip(curves.items(), COLOURS, strict=False):
        xs = [100 * (p.right + p.wrong) for p in curve]
        ys = [100 * p.wrong for p in curve]
        ax.plot(xs, ys, color=colour, lw=1.8, label=label)
    for (label, (answered, wrong)), (marker, colour) in zip(points.items(), MARKERS, strict=False):
        ax.scatter([100 * answered], [100 * wrong], s=70, marker=marker, color=colour, zorder=5, label=label)
    if budget is not None:
        ax.axhline(100 * budget, color="#d62728", ls=":", lw=1, label=f"wrong-answer budget {budget:.0%}")
    ax.set_xlabel("answered with an article (% of answerable questions)")
    ax.set_ylabel("wrong article (% of answerable questions)")
    ax.set_title(title)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(20.0, ax.get_ylim()[1]))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left")
    return save_png(fig, path)
