"""Pattern vs judgment: pasted macros score high whatever name or number they carry, bespoke replies low."""

from __future__ import annotations

from bot.audit.pattern import normalise, pattern_score
from bot.audit.result import AuditResult

MACRO = "Hi {name},\n\nYou can reset your password from the login page. The link is valid for 60 minutes.\n\nBest,\n{agent}"
OTHER_MACRO = "Hello {name}, invoices are under Settings > Billing. Invoice {number} is attached. Thanks, {agent}"
BESPOKE = [
    "The timeline reverted because of a time zone offset on one dependency; a fix shipped this morning.",
    "Uploads over 95 MB hit a proxy limit, which I have raised for your workspace while we review it.",
    "Your automation re-applied the template at midnight, so I restored yesterday's values from backup.",
    "A browser extension blocked the new script bundle; allow app.example.com and the board loads again.",
    "Cards with long checklists timed out on reorder. Engineering raised the limit; I moved yours by hand.",
]


def test_a_macro_scores_high_and_bespoke_replies_low() -> None:
    names = ["Ana", "Ben", "Chidi", "Dana", "Eli", "Fay"]
    templated = [MACRO.format(name=n, agent=a) for n, a in zip(names, ["Maya", "Tom"] * 3, strict=True)]
    agents = ["Maya Okafor", "Tom Becker"] * 3
    assert pattern_score(templated, agents) == 1.0
    bespoke = pattern_score(BESPOKE)
    assert bespoke is not None and bespoke < 0.2


def test_two_macros_in_one_category_still_read_as_templated() -> None:
    replies = [MACRO.format(name=n, agent="Maya") for n in "ABC"]
    replies += [OTHER_MACRO.format(name=n, agent="Tom", number=f"INV-{i}") for i, n in enumerate("DEF")]
    assert (pattern_score(replies) or 0) > 0.9


def test_too_few_replies_have_no_score() -> None:
    assert pattern_score(BESPOKE[:4]) is None
    assert pattern_score([*BESPOKE[:4], "  "]) is None  # blank replies do not count


def test_names_numbers_and_addresses_are_normalised_away() -> None:
    words = normalise("Hi Priyanka, invoice ORB-2026-087085 went to jo@example.com, see https://x.io/a.\nPriya", "Priya Nair")
    assert words == ["hi", "invoice", "<n>", "went", "to", "<email>", "see", "<link>"]


def test_on_the_small_export_the_macro_category_outscores_the_bespoke_one(small_audit: AuditResult) -> None:
    rows = {c.name: c for c in small_audit.categories}
    templated, bespoke = rows["password_reset"].pattern, rows["bug_report"].pattern
    assert templated is not None and bespoke is not None and templated > 0.9 > 0.3 > bespoke
