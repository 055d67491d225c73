"""The report page builder: everything escaped, charts embedded, and a real browser draws them."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.reports.html import Chart, Figure, Note, Section, Table, png_of, render_page
from tests.browser import screenshot


def page(tmp_path: Path) -> Path:
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.bar(["password_reset", "invoice_copy", "sso_setup"], [40, 36, 18])
    sections = [
        Section("Headline", [Figure("tickets", "573"), Figure("automatable", "41%")]),
        Section(
            "Categories",
            [
                Table(["category", "tickets"], [["<script>alert(1)</script>", 40], ["invoice_copy", 36]], "by volume", frozenset({1})),
                Chart("Tickets by category", png_of(figure), "bar chart of tickets by category"),
                Note("Ticket texts are quoted as written & escaped.", warning=True),
            ],
        ),
    ]
    path = tmp_path / "report.html"
    path.write_text(render_page("Audit <Orbitask>", "573 tickets", sections), encoding="utf-8")
    return path


def test_text_is_escaped_and_charts_are_embedded(tmp_path: Path) -> None:
    text = page(tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Audit &lt;Orbitask&gt;" in text and 'src="data:image/png;base64,' in text
    assert "http" not in text.replace("http-equiv", "")  # nothing to fetch


def test_a_real_browser_draws_the_chart(tmp_path: Path) -> None:
    shot = screenshot(page(tmp_path), tmp_path / "report.png", height=1400)
    assert shot.size == (1280, 1400)
    assert shot.chart_pixels > 2000 and shot.colours > 50  # the bars were decoded and drawn
