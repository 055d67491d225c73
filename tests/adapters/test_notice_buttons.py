"""A notice in the agents' room that asks for a verdict (the weekly quality sample's Good / Bad): each
adapter shows its buttons, quotes the customer escaped, and shows it without them once a verdict is in."""

from __future__ import annotations

from bot.adapters.discord.render import render_notice as discord_notice
from bot.adapters.discord.render import render_retired
from bot.adapters.slack.blocks import parse_action_id, retire
from bot.adapters.slack.blocks import render_notice as slack_notice
from bot.core.events import AgentNotice, Button, RetireButtons
from bot.core.text import join, rich, said

BUTTONS = (Button("Good", "quality.good", "41", "primary"), Button("Bad", "quality.bad", "41", "danger"))
NOTICE = AgentNotice(
    join(["Customer asked: ", said("<!channel> @everyone refund me"), "\nWas this the right answer?"]), buttons=BUTTONS
)


def test_slack_shows_the_buttons_and_escapes_the_customer() -> None:
    [message] = slack_notice(NOTICE)
    actions = [b for b in message.blocks if b.get("type") == "actions"]
    assert len(actions) == 1
    elements = actions[0]["elements"]
    assert [parse_action_id(e["action_id"]) for e in elements] == ["quality.good", "quality.bad"]
    assert [e["value"] for e in elements] == ["41", "41"] and elements[1]["style"] == "danger"
    text = str(message.blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    retired = retire(message.blocks, rich("Good, said Sam."))
    assert not [b for b in retired if b.get("type") == "actions"] and "Good, said Sam." in str(retired)


def test_a_notice_without_buttons_renders_as_before() -> None:
    [message] = slack_notice(AgentNotice(rich("Sam claimed ticket #3.")))
    assert [b.get("type") for b in message.blocks] == ["section"]
    [plain] = discord_notice(AgentNotice(rich("Sam claimed ticket #3.")))
    assert plain.buttons == ()


def test_discord_shows_the_buttons_and_retires_them_with_a_note() -> None:
    [message] = discord_notice(NOTICE)
    assert message.buttons == BUTTONS and "@everyone" not in message.content.replace("@\u200beveryone", "")
    retired = render_retired(RetireButtons("1/2", rich("Bad, said Kim."), None, NOTICE))
    assert retired.buttons == () and "Bad, said Kim." in retired.content
