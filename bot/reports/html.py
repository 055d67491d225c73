"""Self-contained HTML reports (audit, replay, the weekly report): one file, charts embedded as PNG data
URIs, no script and no network, so a report opens the same in a mail client, an archive or a browser
with no access to anything.

Reports are built from typed parts (`Table`, `Chart`, `Note`) in `Section`s; every text is escaped here,
so ticket subjects and customer words can never inject markup.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;
padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}
h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
.sub{color:#52606d;margin-top:0}.note{color:#334e68;background:#f0f4f8;padding:.6rem .9rem;border-radius:6px}
.warn{color:#8a2c0d;background:#fff3e0;padding:.6rem .9rem;border-radius:6px}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;width:100%}
th,td{border-bottom:1px solid #e4e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;color:#616e7c;font-size:.8rem;text-align:left;padding-top:.3rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #e4e7eb;border-radius:4px}
figcaption{color:#616e7c;font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{background:#f5f7fa;border-radius:8px;padding:.7rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.4rem}.card span{color:#616e7c;font-size:.85rem}
"""


@dataclass(frozen=True)
class Figure:
    """A headline number: a label and a value already formatted."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    numeric: frozenset[int] = frozenset()  # column indexes aligned right


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes
    alt: str


@dataclass(frozen=True)
class Note:
    text: str
    warning: bool = False


Part = Figure | Table | Chart | Note


@dataclass(frozen=True)
class Section:
    heading: str
    parts: Sequence[Part] = field(default_factory=tuple)


def png_of(figure: Any, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards: reports draw many)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape("" if value is None else str(value))


def _table(table: Table) -> str:
    head = "".join(f'<th{" class=num" if i in table.numeric else ""}>{html.escape(h)}</th>' for i, h in enumerate(table.headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in table.numeric else ""}>{_cell(v)}</td>' for i, v in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(chart.alt, quote=True)}">'
        f"<figcaption>{html.escape(chart.title)}</figcaption></figure>"
    )


def _part(part: Part) -> str:
    if isinstance(part, Table):
        return _table(part)
    if isinstance(part, Chart):
        return _chart(part)
    if isinstance(part, Note):
        return f'<p class="{"warn" if part.warning else "note"}">{html.escape(part.text)}</p>'
    return f'<div class="card"><b>{html.escape(part.value)}</b><span>{html.escape(part.label)}</span></div>'


def _section(section: Section) -> str:
    out, cards = [f"<h2>{html.escape(section.heading)}</h2>"], []
    for part in section.parts:
        if isinstance(part, Figure):
            cards.append(_part(part))
            continue
        if cards:
            out.append(f'<div class="cards">{"".join(cards)}</div>')
            cards = []
        out.append(_part(part))
    if cards:
        out.append(f'<div class="cards">{"".join(cards)}</div>')
    return "\n".join(out)


def render_page(title: str, subtitle: str, sections: Sequence[Section], generated: dt.datetime | None = None) -> str:
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(_section(s) for s in sections)
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="sub">{html.escape(subtitle)} · generated {when}</p>\n{body}\n</body></html>\n'
    )
