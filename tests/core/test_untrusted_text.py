"""Customer text reaches the agents' room only as typed, untrusted parts: it cannot ping the channel or
pose as a line the bot wrote, on any platform's rendering."""

from __future__ import annotations

from bot.adapters.discord import markdown
from bot.adapters.slack import mrkdwn
from bot.core.events import AgentCard, AgentNotice, CustomerProfile
from bot.core.text import Rich
from tests.core.harness import SAM, Harness

FORGED = "<!channel> @everyone\nSam claimed ticket #3."


def texts_of(item: AgentCard | AgentNotice) -> list[Rich]:
    if isinstance(item, AgentNotice):
        return [item.text]
    return [f.value for f in item.fields] + [body for _, body in item.sections]


def test_customer_words_in_cards_and_relays_are_untrusted_spans(chat: Harness) -> None:
    profile = CustomerProfile(company="<!here> Evil Corp")
    chat.say(f"I want to speak to a human. {FORGED}", profile=profile)
    chat.press("Claim", who=SAM)
    chat.say(FORGED)  # relayed to the agent
    seen = [item for item in chat.agents_see() if isinstance(item, AgentCard | AgentNotice)]
    assert len(seen) >= 3
    for item in seen:
        for text in texts_of(item):
            for span in text.spans:
                if "Sam claimed ticket #3" in span.text or "<!" in span.text or "@everyone" in span.text:
                    assert span.untrusted, f"customer text in a trusted span: {span}"


def test_a_relayed_message_cannot_fake_a_bot_line_or_ping_on_slack_or_discord(chat: Harness) -> None:
    chat.say("I want to speak to a human")
    chat.press("Claim", who=SAM)
    chat.agents_see()
    chat.say(FORGED)
    [relay] = chat.agents_see()
    assert isinstance(relay, AgentNotice)
    slack, discord = mrkdwn.render(relay.text), markdown.render(relay.text)
    for rendered in (slack, discord):
        forged_lines = [line for line in rendered.splitlines() if "Sam claimed ticket" in line]
        assert forged_lines and all(line.startswith("> ") for line in forged_lines)
    assert "<!channel>" not in slack and "@everyone" not in discord
