"""Mentions of routed agents and groups: Slack and Discord turn a mention span into a real mention (and
Discord allows exactly that one to notify), another platform's agent or a group without an id is plain
text, and customer text beside it still cannot ping; a mention survives the outbox."""

from __future__ import annotations

import json

import discord
import pytest

from bot.adapters.discord.markdown import render as discord_markdown
from bot.adapters.discord.render import NO_PINGS, allowed
from bot.adapters.discord.render import render_card as discord_card
from bot.adapters.discord.render import render_notice as discord_notice
from bot.adapters.slack.blocks import SlackMessage
from bot.adapters.slack.blocks import render_card as slack_card
from bot.adapters.slack.blocks import render_notice as slack_notice
from bot.adapters.slack.mrkdwn import render as slack_mrkdwn
from bot.core import outbox
from bot.core.events import AgentCard, AgentNotice, Button, CardField
from bot.core.text import Rich, Span, join, mention, name, rich, said
from tests.adapters.test_discord_render import assert_valid
from tests.adapters.test_slack_blocks import assert_valid_message

SAM_SLACK = mention("@Sam", "slack:U0SAM01")
ANA_DISCORD = mention("@Ana", "discord:803511102246789120")
BILLING = mention("@billing-team", "slack-group:S0BILLING", "discord-role:1100000000000000010")
SECURITY = mention("@security")  # no platform id: shown, never a ping
CUSTOMER = said("<@U0EVIL> <!channel> <!subteam^S0EVIL> @everyone <@&1100000000000000010> <@803511102246789120>")
BUTTONS = (Button("Claim", "ticket.claim", "12", "primary"),)


def card(routed: Rich) -> AgentCard:
    fields = (CardField("Customer", join([name("Dana <!here> @everyone"), " · free"])), CardField("Routed to", routed))
    return AgentCard(12, "Ticket #12 · NORMAL · refund_request", "normal", fields, (("Summary", join([CUSTOMER])),), BUTTONS)


def without(msg: SlackMessage, ping: str) -> SlackMessage:
    """The message with one expected mention taken out, for the checker that allows none."""
    blocks = json.loads(json.dumps(msg.blocks).replace(ping, "@someone"))
    return SlackMessage(msg.text.replace(ping, "@someone"), tuple(blocks))


def test_slack_renders_agents_and_user_groups_as_real_mentions() -> None:
    assert slack_mrkdwn(join([SAM_SLACK, " or ", BILLING])) == "<@U0SAM01> or <!subteam^S0BILLING>"
    assert slack_mrkdwn(join([ANA_DISCORD, " · ", SECURITY])) == "@\u200bAna · @\u200bsecurity"  # not Slack's: plain, inert


def test_discord_renders_agents_and_roles_as_real_mentions() -> None:
    assert discord_markdown(join([ANA_DISCORD, " or ", BILLING])) == "<@803511102246789120> or <@&1100000000000000010>"
    assert discord_markdown(join([SAM_SLACK, " · ", mention("@everyone")])) == "@Sam · @\u200beveryone"


@pytest.mark.parametrize(
    "target", ["slack:U0<!channel>", "slack:u0sam", "slack-group:S0|x", "discord:12<@1>", "discord-role:@everyone"]
)
def test_a_target_not_of_the_platforms_shape_is_only_its_label(target: str) -> None:
    span = mention("@Someone", target)
    assert slack_mrkdwn(rich(span)) == "@\u200bSomeone"
    assert discord_markdown(rich(span)) == "@Someone"


def test_a_mention_can_never_be_customer_text() -> None:
    with pytest.raises(ValueError, match="never from a customer"):
        Span("@Sam", "mention", untrusted=True, targets=("slack:U0SAM01",))


def test_a_slack_card_mentions_the_routed_agent_and_customer_text_still_cannot_ping() -> None:
    msg = slack_card(card(join([SAM_SLACK, " (handles refund_request; 0 open)"])))
    assert_valid_message(without(msg, "<@U0SAM01>"))  # valid, and no other `<@`/`<!` form anywhere
    wire = json.dumps(msg.kwargs())
    assert wire.count("<@") == 1 and "<@U0SAM01>" in wire  # the routed agent, and nobody the customer named
    assert "<!" not in wire and "&lt;@\\u200bU0EVIL&gt;" in wire and "&lt;!channel&gt;" in wire  # escaped, inert
    [notice] = slack_notice(AgentNotice(join(["Reminder: first reply due soon.", " ", BILLING]), 12, "C1/1700000000.000100"))
    assert "<!subteam^S0BILLING>" in json.dumps(notice.kwargs())
    assert_valid_message(without(notice, "<!subteam^S0BILLING>"))


def test_a_discord_card_pings_exactly_the_routed_agent() -> None:
    msg = discord_card(card(join([ANA_DISCORD, " (handles refund_request; 0 open)"])))
    assert_valid(msg)
    assert msg.content == "New ticket #12 · NORMAL · <@803511102246789120>"  # embeds never notify: the content does
    assert msg.pings == (("user", "803511102246789120"),)
    assert allowed(msg).to_dict() == {"parse": [], "users": [803511102246789120]}
    [embed] = msg.embeds
    customer_side = json.dumps(embed.to_dict()["description"])
    assert "<@&1100000000000000010>" not in customer_side and "<@803511102246789120>" not in customer_side


def test_a_discord_notice_to_a_role_allows_that_role_only() -> None:
    [msg] = discord_notice(AgentNotice(join(["still unclaimed; now HIGH.", " ", BILLING, " ", CUSTOMER]), 12))
    assert msg.content.startswith("Ticket #12: still unclaimed; now HIGH. <@&1100000000000000010>")
    assert allowed(msg).to_dict() == {"parse": [], "roles": [1100000000000000010]}
    assert msg.content.count("<@") == 1  # the customer's forms are defused


def test_without_mentions_nothing_may_ping() -> None:
    msg = discord_card(card(rich("nobody (no agent handles bug_report, and no group does)")))
    assert msg.content == "New ticket #12 · NORMAL" and msg.pings == ()
    assert allowed(msg) is NO_PINGS and isinstance(allowed(msg), discord.AllowedMentions)


def test_a_mention_survives_the_outbox() -> None:
    event = AgentNotice(join(["Reminder.", " ", BILLING]), 12, "thread-12")
    assert outbox.decode(outbox.encode(event)) == event
