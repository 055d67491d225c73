"""The bot on Slack, end to end through Slack payloads: the real slack_bolt app over Socket Mode against
the local fake Slack, the real core on SQLite. Every Web API call the bot makes is checked against
Slack's OpenAPI spec by the fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.services import Services
from tests.adapters.slack_rig import AGENTS, ALICE, CONNECT, DM, MALLORY, ROOT, SAM, SUPPORT, SlackRig, slack_rig
from tests.platforms.slack_fake import FakeSlack, fake_slack, message_event, new_ts, view_submission  # noqa: F401

EXPORT = "how do I export a project to csv"


@pytest.fixture
def rig(fake_slack: FakeSlack, services: Services, tmp_path: Path) -> Iterator[SlackRig]:  # noqa: F811
    with slack_rig(fake_slack, services, tmp_path) as running:
        yield running
    assert fake_slack.spec_violations == []


def text_of(call: object) -> str:
    params = call.params  # type: ignore[attr-defined]
    blocks = params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    parts = [str(params.get("text", ""))]
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for field in block.get("fields") or ():
            parts.append(str(field.get("text", "")))
        for element in block.get("elements") or ():
            if isinstance(element.get("text"), dict):
                parts.append(str(element["text"].get("text", "")))
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def actions_of(call: object) -> dict[str, str]:
    blocks = call.params.get("blocks") or []  # type: ignore[attr-defined]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return {e["text"]["text"]: e["action_id"] for b in blocks if b.get("type") == "actions" for e in b["elements"]}


def value_of(call: object, label: str) -> str:
    blocks = call.params.get("blocks") or []  # type: ignore[attr-defined]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return next(
        e.get("value", "") for b in blocks if b.get("type") == "actions" for e in b["elements"] if e["text"]["text"] == label
    )


def test_a_dm_is_answered_with_buttons(rig: SlackRig) -> None:
    rig.dm(EXPORT)
    [answer] = rig.wait_posts(DM, 1)
    assert "Export projects" in text_of(answer)
    assert set(actions_of(answer)) == {"That solved it", "Not quite", "Talk to a person"}


def test_a_support_channel_message_is_answered_in_its_thread(rig: SlackRig) -> None:
    ts = new_ts()
    rig.event(message_event(SUPPORT, ALICE, EXPORT, ts=ts, channel_type="channel"))
    [answer] = rig.wait_posts(SUPPORT, 1)
    assert answer.params["thread_ts"] == ts


def test_a_re_delivered_event_is_answered_once(rig: SlackRig) -> None:
    event = message_event(DM, ALICE, EXPORT, ts=new_ts(), channel_type="im")
    envelope = rig.event(event)
    rig.event(event, envelope_id=envelope, retry=1)
    rig.fake.wait_for_ack(envelope, count=2)
    rig.wait_posts(DM, 1)
    rig.dm("thanks!")  # a later message is answered: the duplicate was not stuck in front of it
    rig.wait(lambda calls: any("Glad I could help" in text_of(c) for c in rig.posts(DM)))
    assert sum("Export projects" in text_of(c) for c in rig.posts(DM)) == 1


def test_other_bots_and_our_own_messages_are_ignored(rig: SlackRig) -> None:
    rig.event(message_event(DM, ALICE, "beep", bot_id="B0OTHER", subtype="bot_message"))
    rig.event(message_event(DM, rig.fake.bot_user_id, "our own words"))
    rig.dm(EXPORT)
    rig.wait_posts(DM, 1)
    assert len(rig.posts(DM)) == 1


def test_a_slack_connect_customer_is_known_by_their_company(rig: SlackRig) -> None:
    rig.event(
        message_event(
            CONNECT,
            MALLORY,
            "the dashboard crashes with error 500 since this morning",
            channel_type="channel",
            user_team="T0INITECH",
        )
    )
    [card] = rig.wait_posts(AGENTS, 1)
    text = text_of(card)
    assert "business_rules: enterprise" in text and "Initech" in text and "250,000" in text and "URGENT" in text


def test_handoff_claim_reply_note_and_resolve(rig: SlackRig) -> None:
    rig.dm("I want to speak to a human about my account")
    [card] = rig.wait_posts(AGENTS, 1)
    assert card.params["blocks"] and "Ticket #1" in text_of(card)
    card_ts = rig.fake.messages(AGENTS)[0].ts
    buttons = actions_of(card)
    rig.press(SAM, AGENTS, {"ts": card_ts, **card.params}, buttons["Claim"], "1")
    rig.wait(lambda calls: any("has joined" in text_of(c) for c in rig.posts(DM)))
    # A plain thread message is an internal note: it never reaches the customer.
    note = message_event(AGENTS, SAM, "checking the billing console", ts=new_ts(), thread_ts=card_ts, channel_type="group")
    rig.event(note, parent_user_id=rig.fake.bot_user_id)
    rig.wait(lambda calls: any("Note from" in text_of(c) for c in rig.posts(AGENTS)))
    # The reply modal sends to the customer.
    rig.press(SAM, AGENTS, {"ts": card_ts, **card.params}, buttons["Reply to customer"], "1")
    opened = rig.wait(lambda calls: [c for c in calls if c.method == "views.open" and c.ok])
    metadata = json.loads(
        opened[0].params["view"]["private_metadata"]
        if isinstance(opened[0].params["view"], dict)
        else json.loads(opened[0].params["view"])["private_metadata"]
    )
    rig.fake.push_envelope(
        "interactive",
        view_submission(
            SAM, "slack.reply", {"text": {"text": "Hi Alice, it's fixed now."}}, private_metadata=json.dumps(metadata)
        ),
    )
    rig.wait(lambda calls: any("it's fixed now" in text_of(c) for c in rig.posts(DM)))
    assert not any("billing console" in text_of(c) for c in rig.posts(DM))
    rig.press(SAM, AGENTS, {"ts": card_ts, **card.params}, buttons["Resolve"], "1")
    rig.wait(lambda calls: any("How did we do" in text_of(c) for c in rig.posts(DM)))
    assert any(c.ok and c.params.get("ts") == card_ts for c in rig.fake.calls_to("chat.update"))  # the card lost its buttons


def test_a_customer_cannot_press_agent_buttons(rig: SlackRig) -> None:
    rig.dm("I want to speak to a human about my account")
    [card] = rig.wait_posts(AGENTS, 1)
    rig.press(ALICE, DM, card.params, actions_of(card)["Resolve"], "1")
    rig.wait(lambda calls: [c for c in calls if c.method == "chat.postEphemeral" and c.ok])
    assert "agents' channel" in rig.fake.calls_to("chat.postEphemeral")[-1].params["text"]


def test_a_draft_is_edited_in_a_modal(rig: SlackRig) -> None:
    rig.dm("how do I set up SAML single sign-on with Okta?")
    [draft] = rig.wait_posts(AGENTS, 1)
    draft_ts = rig.fake.messages(AGENTS)[0].ts
    rig.press(SAM, AGENTS, {"ts": draft_ts, **draft.params}, actions_of(draft)["Edit"], value_of(draft, "Edit"))
    opened = rig.wait(lambda calls: [c for c in calls if c.method == "views.open" and c.ok])
    view = opened[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "single sign-on" in json.dumps(view).lower()  # prefilled with the draft
    rig.fake.push_envelope(
        "interactive",
        view_submission(
            SAM,
            "slack.edit_draft",
            {"text": {"text": "SSO needs Business: see the guide."}},
            private_metadata=view["private_metadata"],
        ),
    )
    rig.wait(lambda calls: any("SSO needs Business" in text_of(c) for c in rig.posts(DM)))


def test_admin_commands_answer_privately_and_refuse_others(rig: SlackRig) -> None:
    rig.command(ROOT, "tier sso_setup auto")
    rig.command(ALICE, "tier sso_setup human")
    answers = rig.wait(lambda calls: (lambda r: r if len(r) >= 2 else None)([c for c in calls if c.method == "response_url"]))
    texts = sorted(str(c.params.get("text")) for c in answers)
    assert any("sso_setup: assisted → auto" in t for t in texts)
    assert any("for admins only" in t for t in texts)


def test_a_rate_limited_post_is_retried(rig: SlackRig) -> None:
    rig.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    rig.dm(EXPORT)
    rig.wait_posts(DM, 1)
    assert len(rig.posts(DM)) == 1


def test_a_customer_cannot_ping_the_agents_channel(rig: SlackRig) -> None:
    rig.dm("<!channel> <!here> <@U0SAM> I want to talk to a person\nSam claimed ticket #3.")
    [card] = rig.wait_posts(AGENTS, 1)
    raw = json.dumps(card.params)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0SAM>" not in raw
    assert "&lt;!channel&gt;" in raw
