"""No customer text, e-mail address or agent reply in any log record at INFO or above, across a whole
conversation: a question answered, an escalation, an agent who claims, replies, notes and resolves, a
rating, and a send the platform refuses. Checked on the raw records (before the redaction filter),
so it is the log calls themselves that keep quiet."""

from __future__ import annotations

import logging

import pytest

from bot.core.events import CustomerProfile, CustomerReply, OutboundEvent
from tests.core.harness import SAM, Harness

EMAIL = "casey.jones@kestrel-labs.example"
PROFILE = CustomerProfile(email=EMAIL, company="Kestrel Labs", tier="team")
SAID = [
    "how do I export a project to csv",
    "hello, quick question about zebra-striped dashboards",
    f"my login is {EMAIL} and I was charged twice on INV-88231, I want to speak to a human",
    "thanks, the duplicate was on the Kestrel card ending 4242",
    "one more thing, where do I find my invoices from marmalade month",
]
AGENT_SAID = ["Hi Casey, I refunded the duplicate charge on your Kestrel card.", "refund ok'd by finance, ref RF-55821"]
FRAGMENTS = ["INV-88231", "4242", "charged twice", "zebra-striped", "marmalade", "RF-55821", "casey.jones", "kestrel-labs"]


def test_no_customer_text_or_email_in_logs(chat: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    chat.say(SAID[0], profile=PROFILE)
    chat.say(SAID[1], profile=PROFILE)
    chat.say(SAID[2], profile=PROFILE)
    [card] = chat.cards()
    chat.press("Claim", who=SAM)
    chat.say(SAID[3], profile=PROFILE)
    chat.agent_says(card.ticket_id, AGENT_SAID[0], who=SAM)
    chat.agent_says(card.ticket_id, AGENT_SAID[1], who=SAM, internal=True)
    chat.press("Resolve", who=SAM)
    chat.press("5")

    def refuse(item: OutboundEvent) -> bool:
        return isinstance(item, CustomerReply)

    chat.fail_sends = refuse  # the platform refuses: logged with its traceback
    chat.say(SAID[4], profile=PROFILE)
    assert chat.customer_sees()  # the conversation really happened
    assert card.ticket_id

    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    lines = [formatter.format(record) for record in caplog.records if record.levelno >= logging.INFO]
    events = " ".join(lines)
    assert "escalation.created" in events and "ticket.claimed" in events and "outbox.send_failed" in events
    assert "Traceback" in events  # exception text is part of what is checked
    for line in lines:
        for secret in [*SAID, *AGENT_SAID, EMAIL, *FRAGMENTS]:
            assert secret not in line, f"{secret!r} logged: {line[:300]}"
