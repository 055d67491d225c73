"""The result of the small export's audit: its numbers, the JSON round trip, and both renderings."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.audit.render_html import render_html
from bot.audit.render_text import render_text
from bot.audit.result import DISCOVERED, OTHER, AuditResult


def test_the_audit_adds_up(small_audit: AuditResult) -> None:
    r = small_audit
    assert r.tickets == 26 and r.categorised + r.unknown == 26
    assert sum(c.tickets for c in r.categories) == 26
    assert sum(c.tickets for c in r.categories if c.kind in (DISCOVERED, OTHER)) == r.unknown
    assert r.agreement is not None and r.agreement.compared == 16 and r.agreement.rate >= 0.9
    assert {u.label for u in r.agreement.uncovered_labels} == {"slack_integration", "careers"}
    rows = {c.name: c for c in r.categories}
    assert rows["password_reset"].tier == "auto" and rows["password_reset"].deflection == 1.0
    assert rows["bug_report"].tier == "human"  # bespoke replies
    assert r.deflection.now == round(6 / 26, 4)


def test_json_round_trips(small_audit: AuditResult) -> None:
    text = small_audit.to_json()
    assert AuditResult.from_json(text) == small_audit
    plain = json.loads(text)
    assert plain["baseline"]["weeks"][0]["start"] == "2026-06-01" and plain["method"]["rule"]["auto_pattern"] == 0.8


def test_the_terminal_report_fits_120_columns(small_audit: AuditResult) -> None:
    text = render_text(small_audit)
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "model vs your labels" in text and "password_reset" in text and "slack" in text


def test_customer_words_are_escaped_in_the_html(small_audit: AuditResult) -> None:
    topic = replace(small_audit.topics[0], examples=("<script>alert(1)</script>",), name="<b>slack</b>")
    page = render_html(replace(small_audit, topics=(topic,)))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;slack" in page
    assert page.count('src="data:image/png;base64,') == 3
