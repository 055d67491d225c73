"""The bot on Discord, end to end through gateway payloads: the real discord.py client against the local
fake Discord (REST bodies checked against Discord's OpenAPI spec), the real core on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.services import Services
from tests.adapters.discord_rig import DiscordRig, discord_rig
from tests.platforms.discord_fake import (
    CUSTOMER_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    STAFF_USER_ID,
    SUPPORT_CHANNEL_ID,
    FakeDiscord,
    command_interaction,
    component_interaction,
    customer_user,
    fake_discord,  # noqa: F401
    member,
    message_create,
    modal_submit,
    new_snowflake,
    staff_user,
    thread_channel,
)

EXPORT = "how do I export a project to csv"


@pytest.fixture
def rig(fake_discord: FakeDiscord, services: Services, tmp_path: Path) -> Iterator[DiscordRig]:  # noqa: F811
    with discord_rig(fake_discord, services, tmp_path) as running:
        yield running
    assert fake_discord.spec_violations == []


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or ():
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or ()]
    return "\n".join(parts)


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.get("components") or () for c in row.get("components") or ()}


def bot_messages(rig: DiscordRig, channel: str) -> list[dict[str, Any]]:
    return [m for m in rig.messages(channel) if m["author"]["id"] == rig.fake.bot["id"]]


def dm(rig: DiscordRig, text: str) -> str:
    channel = rig.fake.open_dm(CUSTOMER_ID)["id"]
    rig.fake.dispatch("MESSAGE_CREATE", message_create(channel, customer_user(), text))
    return str(channel)


def test_a_dm_is_answered_with_buttons(rig: DiscordRig) -> None:
    channel = dm(rig, EXPORT)
    [answer] = rig.wait(lambda: bot_messages(rig, channel))
    assert "Export projects" in text_of(answer)
    assert set(buttons_of(answer)) == {"That solved it", "Not quite", "Talk to a person"}


def test_a_support_channel_message_is_answered_in_a_thread_from_it(rig: DiscordRig) -> None:
    message_id = new_snowflake()
    rig.fake.dispatch("MESSAGE_CREATE", message_create(SUPPORT_CHANNEL_ID, customer_user(), EXPORT, GUILD_ID, message_id))
    [answer] = rig.wait(lambda: bot_messages(rig, message_id))  # the thread started from a message has its id
    assert "Export projects" in text_of(answer)


def test_a_replayed_message_is_answered_once(rig: DiscordRig) -> None:
    channel = rig.fake.open_dm(CUSTOMER_ID)["id"]
    event = message_create(channel, customer_user(), EXPORT)
    rig.fake.dispatch("MESSAGE_CREATE", event)
    rig.wait(lambda: bot_messages(rig, channel))
    rig.fake.drop_connection(missed=[("MESSAGE_CREATE", event)])  # replayed after the resume
    rig.wait(lambda: rig.fake.resumes)
    dm(rig, "thanks!")
    rig.wait(lambda: any("Glad I could help" in text_of(m) for m in bot_messages(rig, channel)))
    assert sum("Export projects" in text_of(m) for m in bot_messages(rig, channel)) == 1


def test_everyone_in_a_customer_message_never_pings(rig: DiscordRig) -> None:
    dm(rig, "@everyone <@&1> I want to talk to a person, **now**")
    [card] = rig.wait(lambda: bot_messages(rig, STAFF_CHANNEL_ID))
    posts = [c for c in rig.fake.calls if c.method == "POST" and c.route == "/channels/{channel_id}/messages"]
    assert posts and all((c.json or {}).get("allowed_mentions") == {"parse": []} for c in posts)
    assert "@everyone" not in text_of(card).replace("@\u200beveryone", "")


def test_handoff_claim_modal_reply_note_and_resolve(rig: DiscordRig) -> None:
    channel = dm(rig, "I want to speak to a human about my account")
    [card] = rig.wait(lambda: bot_messages(rig, STAFF_CHANNEL_ID))
    buttons = buttons_of(card)
    sam = member(staff_user(), roles=[STAFF_ROLE_ID])
    rig.fake.dispatch("INTERACTION_CREATE", component_interaction(sam, STAFF_CHANNEL_ID, card, buttons["Claim"], GUILD_ID))
    rig.wait(lambda: any("has joined" in text_of(m) for m in bot_messages(rig, channel)))
    # a plain message in the card's thread is an internal note
    rig.fake.dispatch("MESSAGE_CREATE", message_create(card["id"], sam, "checking billing", GUILD_ID, thread=True))
    rig.wait(lambda: any("Note from" in text_of(m) for m in bot_messages(rig, card["id"])))
    rig.fake.dispatch(
        "INTERACTION_CREATE", component_interaction(sam, STAFF_CHANNEL_ID, card, buttons["Reply to customer"], GUILD_ID)
    )
    rig.wait(lambda: [r for r in rig.fake.interaction_responses if r.type == 9])  # the modal opened
    submit = modal_submit(sam, STAFF_CHANNEL_ID, f"sb:modal.reply:{card_ticket(buttons)}", {"text": "Hi Alice, fixed."}, GUILD_ID)
    rig.fake.dispatch("INTERACTION_CREATE", submit)
    rig.wait(lambda: any("fixed" in text_of(m) for m in bot_messages(rig, channel)))
    assert not any("checking billing" in text_of(m) for m in bot_messages(rig, channel))
    rig.fake.dispatch("INTERACTION_CREATE", component_interaction(sam, STAFF_CHANNEL_ID, card, buttons["Resolve"], GUILD_ID))
    rig.wait(lambda: any("How did we do" in text_of(m) for m in bot_messages(rig, channel)))
    rig.wait(lambda: not buttons_of(rig.fake.message(STAFF_CHANNEL_ID, card["id"])))  # the card lost its buttons


def card_ticket(buttons: dict[str, str]) -> str:
    return buttons["Claim"].split(":")[-1].split("#")[0]


def test_a_customer_cannot_press_staff_buttons(rig: DiscordRig) -> None:
    channel = dm(rig, "I want to speak to a human about my account")
    [card] = rig.wait(lambda: bot_messages(rig, STAFF_CHANNEL_ID))
    press = component_interaction(customer_user(), channel, card, buttons_of(card)["Resolve"])
    rig.fake.dispatch("INTERACTION_CREATE", press)
    rig.wait(
        lambda: (
            any(m.get("flags", 0) & 64 and "agents' channel" in text_of(m) for m in rig.messages(channel))
            or any("agents' channel" in str(r.data) for r in rig.fake.interaction_responses)
            or any("agents' channel" in str(c.json) for c in rig.fake.calls if c.json)
        )
    )
    assert not any("How did we do" in text_of(m) for m in bot_messages(rig, channel))


def test_a_button_pressed_after_a_restart_still_works(fake_discord: FakeDiscord, services: Services, tmp_path: Path) -> None:  # noqa: F811
    with discord_rig(fake_discord, services, tmp_path) as first:
        channel = dm(first, EXPORT)
        [answer] = first.wait(lambda: bot_messages(first, channel))
    with discord_rig(fake_discord, services, tmp_path) as second:  # a new process, same database
        press = component_interaction(customer_user(), channel, answer, buttons_of(answer)["That solved it"])
        fake_discord.dispatch("INTERACTION_CREATE", press)
        second.wait(lambda: any("How did we do" in text_of(m) for m in bot_messages(second, channel)))
    assert fake_discord.spec_violations == []


def test_a_staff_member_without_the_role_is_refused(rig: DiscordRig) -> None:
    dm(rig, "I want to speak to a human about my account")
    [card] = rig.wait(lambda: bot_messages(rig, STAFF_CHANNEL_ID))
    outsider = member({**staff_user(), "id": "1100000000000000299", "username": "eve"}, roles=[])
    rig.fake.dispatch(
        "INTERACTION_CREATE", component_interaction(outsider, STAFF_CHANNEL_ID, card, buttons_of(card)["Claim"], GUILD_ID)
    )
    rig.wait(
        lambda: any("Only support agents" in str(c.json) or "agents' channel" in str(c.json) for c in rig.fake.calls if c.json)
    )
    assert STAFF_USER_ID  # the real staff member could have


def test_a_forum_post_is_a_conversation(rig: DiscordRig) -> None:
    forum = rig.fake.channel(FORUM_CHANNEL_ID)
    post_id = new_snowflake()
    thread = rig.fake.add_channel(thread_channel(post_id, forum, CUSTOMER_ID, "Export question"))
    rig.fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    rig.fake.dispatch("MESSAGE_CREATE", message_create(post_id, customer_user(), EXPORT, GUILD_ID, post_id, thread=True))
    [answer] = rig.wait(lambda: bot_messages(rig, post_id))
    assert "Export projects" in text_of(answer)


def test_an_edit_is_recorded_not_answered_again(rig: DiscordRig) -> None:
    channel = rig.fake.open_dm(CUSTOMER_ID)["id"]
    event = message_create(channel, customer_user(), EXPORT)
    rig.fake.dispatch("MESSAGE_CREATE", event)
    rig.wait(lambda: bot_messages(rig, channel))
    rig.fake.dispatch(
        "MESSAGE_UPDATE", {**event, "content": "how do I export a project to json", "edited_timestamp": event["timestamp"]}
    )
    with rig.bot.store.session() as session:
        from sqlmodel import select

        from bot.storage.tables import Message

        rig.wait(lambda: session.exec(select(Message).where(Message.text.startswith("[edited"))).all())  # type: ignore[attr-defined]
    assert len(bot_messages(rig, channel)) == 1


def test_admin_commands_are_ephemeral_and_refused_for_others(rig: DiscordRig) -> None:
    rig.bot.access = type(rig.bot.access)(frozenset({f"discord:{STAFF_USER_ID}"}), frozenset())
    command = rig.fake.command("supportbot", GUILD_ID)
    assert command["default_member_permissions"] == str(1 << 5)  # manage server: only managers see it
    sam = member(staff_user(), roles=[STAFF_ROLE_ID])
    options = [{"name": "args", "type": 3, "value": "tier sso_setup auto"}]
    rig.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(sam, STAFF_CHANNEL_ID, "supportbot", options, GUILD_ID, command_id=command["id"]),
    )
    rig.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(customer_user(), SUPPORT_CHANNEL_ID, "supportbot", options, GUILD_ID, command_id=command["id"]),
    )
    followups = rig.wait(
        lambda: (lambda found: found if len(found) >= 2 else None)(
            [c.json for c in rig.fake.calls if c.route.startswith("/webhooks/") and c.method == "POST" and c.json]
        )
    )
    texts = " ".join(str(f.get("content")) for f in followups)
    assert "sso_setup: assisted → auto" in texts and "for admins only" in texts
    assert all(f.get("flags", 0) & 64 for f in followups)  # ephemeral


def test_a_draft_is_edited_in_a_modal(rig: DiscordRig) -> None:
    channel = dm(rig, "how do I set up SAML single sign-on with Okta?")
    [draft] = rig.wait(lambda: bot_messages(rig, STAFF_CHANNEL_ID))
    sam = member(staff_user(), roles=[STAFF_ROLE_ID])
    edit = buttons_of(draft)["Edit"]
    rig.fake.dispatch("INTERACTION_CREATE", component_interaction(sam, STAFF_CHANNEL_ID, draft, edit, GUILD_ID))
    [opened] = rig.wait(lambda: [r for r in rig.fake.interaction_responses if r.type == 9])
    assert "single sign-on" in str(opened.data).lower()  # prefilled with the draft
    draft_id = edit.split(":")[-1].split("#")[0]
    rig.fake.dispatch(
        "INTERACTION_CREATE",
        modal_submit(
            sam, STAFF_CHANNEL_ID, f"sb:modal.edit:{draft_id}", {"text": "SSO needs the Business plan: see the guide."}, GUILD_ID
        ),
    )
    rig.wait(lambda: any("Business plan" in text_of(m) for m in bot_messages(rig, channel)))


def test_doctor_and_invite_link(fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    import asyncio

    from bot.adapters.discord.setup import diagnose, invite_url, permissions
    from tests.adapters.discord_rig import settings_for
    from tests.platforms.discord_fake import APP_ID, discord_py_pointed_at

    with discord_py_pointed_at(fake_discord):
        settings = settings_for(fake_discord)
        good = asyncio.run(diagnose(settings))
        assert [f.text for f in good if f.level == "error"] == []
        fake_discord.set_app_flags(0)  # the Message Content intent switched off in the portal
        bad = asyncio.run(diagnose(settings))
    assert any("Message Content intent is off" in f.text for f in bad if f.level == "error")
    link = invite_url(APP_ID)
    assert f"client_id={APP_ID}" in link and "applications.commands" in link and f"permissions={permissions().value}" in link
    assert not permissions().administrator and not permissions().mention_everyone
