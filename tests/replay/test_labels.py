"""The needed-real-work rule: categories the bot cannot resolve, and replies written for the case rather
than pasted from a macro."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.history.tickets import HistoricalTicket
from bot.replay.labels import BESPOKE_REPLY, HUMAN_TIER, UNKNOWN_CATEGORY, bespoke_replies, label_tickets
from tests.replay.conftest import INVOICE_MACRO, RESET_MACRO, macro

CASE = (
    "Hi Ola, I checked your workspace: the import stopped at row 4,812 because the CSV mixes two date formats. I "
    "converted the file for you and re-ran it; all 9,300 tasks are in, and the 12 duplicates are in a separate project."
)


def test_a_macro_with_another_greeting_is_not_bespoke() -> None:
    replies = [macro("Hi Ana,", RESET_MACRO), macro("Hello Bo, thanks for writing.", RESET_MACRO), CASE, "Done, thanks!", ""]
    assert bespoke_replies(replies) == [False, False, True, False, False]


def test_the_rule() -> None:
    def ticket(category: str | None, reply: str) -> HistoricalTicket:
        return HistoricalTicket(
            "1", datetime(2026, 9, 1, tzinfo=UTC), None, None, "s", "b", reply, category, (), None, None, None, 2
        )

    tickets = [
        ticket("invoice_copy", macro("Hi Cy,", INVOICE_MACRO)),
        ticket("invoice_copy", macro("Hi Di,", INVOICE_MACRO)),
        ticket("refund_request", macro("Hi Ed,", INVOICE_MACRO)),
        ticket("partnership", "Thanks, we will be in touch."),
        ticket("spam", ""),
        ticket(None, CASE),
    ]
    labels = label_tickets(tickets, {"invoice_copy", "refund_request"}, lambda i: "human" if i == "refund_request" else "auto")
    assert [label.needed_work for label in labels] == [None, None, HUMAN_TIER, UNKNOWN_CATEGORY, None, BESPOKE_REPLY]
    assert [label.routine for label in labels] == [True, True, False, False, False, False]
    assert [label.category_intent for label in labels] == ["invoice_copy", "invoice_copy", "refund_request", None, None, None]
