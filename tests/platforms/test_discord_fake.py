"""The fake Discord itself, driven by a real discord.py Client (REST, gateway, interactions, app commands, resume)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import threading
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
from discord import app_commands

from tests.platforms.discord_fake import (
    API_PREFIX,
    BOT_TOKEN,
    BOT_USER_ID,
    CUSTOMER_ID,
    FORUM_CHANNEL_ID,
    FORUM_TAGS,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    SUPPORT_CHANNEL_ID,
    FakeDiscord,
    LoopThread,
    bot_user,
    command_interaction,
    component_interaction,
    customer_user,
    discord_py_pointed_at,
    fake_discord,  # noqa: F401  (fixture)
    guild,
    member,
    message_create,
    modal_submit,
    running_fake_discord,
    staff_user,
    text_channel,
)

T = TypeVar("T")
FULL_INTENTS = discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True, members=True)


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(scenario())  # type: ignore[arg-type]


class SupportClient(discord.Client):
    """A bare discord.py client, as the adapter builds one, that remembers what it received."""

    def __init__(self, intents: discord.Intents = FULL_INTENTS) -> None:
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.ready = asyncio.Event()
        self.received: list[discord.Message] = []
        self.resumed = asyncio.Event()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s before re-identifying; tests need not wait

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.id != self.user.id:
            self.received.append(message)


async def _first(waiting: Awaitable[Any], task: asyncio.Task[None], timeout: float = 5.0) -> None:
    """Wait for `waiting` unless the client task dies first (discord.py ends it on a payload it cannot parse)."""
    waiter = asyncio.ensure_future(waiting)
    done, _ = await asyncio.wait({waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        if task.done():
            raise AssertionError(f"the client task ended early: {task.exception()!r}")
        raise AssertionError(f"timed out after {timeout}s")


async def until(condition: Callable[[], Any], task: asyncio.Task[None], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await _first(poll(), task, timeout)


@contextlib.asynccontextmanager
async def connected(
    fake: FakeDiscord, client: SupportClient | None = None
) -> AsyncIterator[tuple[SupportClient, asyncio.Task[None]]]:
    """A ready client talking to the fake; on exit it is closed and its task must have ended without an exception."""
    client = client or SupportClient()
    with discord_py_pointed_at(fake):
        task = asyncio.create_task(client.start(BOT_TOKEN))
        try:
            await _first(client.ready.wait(), task)
            yield client, task
        finally:
            await client.close()
            await asyncio.wait({task}, timeout=5)
    assert task.done() and not task.cancelled()
    assert task.exception() is None, repr(task.exception())
    await _no_keepalive_threads()


async def _no_keepalive_threads() -> None:
    deadline = time.monotonic() + 2
    while any(t.name.startswith("keep-alive-handler") and t.is_alive() for t in threading.enumerate()):
        assert time.monotonic() < deadline, "discord.py's heartbeat thread outlived the client"
        await asyncio.sleep(0.01)


def at_least(count: int, items: list[T]) -> list[T]:
    return items if len(items) >= count else []


def assert_clean(fake: FakeDiscord) -> None:
    assert fake.spec_violations == [], fake.spec_violations
    assert fake.response_violations == [], fake.response_violations


# --------------------------------------------------------------------------------------------- connecting


def test_client_connects_through_the_fake_and_sees_the_guild(fake_discord: FakeDiscord) -> None:  # noqa: F811
    original = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    async def scenario() -> dict[str, Any]:
        async with connected(fake_discord) as (client, _task):
            support = client.get_channel(int(SUPPORT_CHANNEL_ID))
            forum = client.get_channel(int(FORUM_CHANNEL_ID))
            staff = client.get_channel(int(STAFF_CHANNEL_ID))
            the_guild = client.get_guild(int(GUILD_ID))
            assert the_guild is not None and isinstance(support, discord.TextChannel) and isinstance(forum, discord.ForumChannel)
            assert isinstance(staff, discord.TextChannel)
            everyone = the_guild.default_role
            return {
                "user": client.user and client.user.id,
                "app": client.application_id,
                "names": sorted(c.name for c in the_guild.channels),
                "tags": sorted(t.name for t in forum.available_tags),
                "members": sorted(m.name for m in the_guild.members),
                "chunked": the_guild.chunked,
                "bot_roles": [r.name for r in the_guild.me.roles],
                "everyone_sees_staff": staff.permissions_for(everyone).view_channel,
                "bot_sees_staff": staff.permissions_for(the_guild.me).view_channel,
                "base_during": discord.http.Route.BASE,
            }

    seen = run(scenario)

    assert seen["user"] == seen["app"] == int(BOT_USER_ID)
    assert seen["names"] == ["staff", "support", "tickets"] and seen["tags"] == sorted(FORUM_TAGS.values())
    assert seen["members"] == ["alice", "sam", "supportbot"] and seen["chunked"]
    assert seen["bot_roles"] == ["@everyone", "supportbot"]
    assert (seen["everyone_sees_staff"], seen["bot_sees_staff"]) == (False, True)
    assert seen["base_during"] == fake_discord.api_base
    restored = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert restored == original
    [identify] = fake_discord.identifies
    assert identify.accepted and identify.token == BOT_TOKEN and identify.intents == FULL_INTENTS.value
    [opened] = fake_discord.gateway_connections
    assert (opened.path, opened.version, opened.encoding, opened.compress) == ("/", "10", "json", "zlib-stream")
    binary, text = fake_discord.frame_counts
    assert binary >= 3 and text == 0  # HELLO, READY, GUILD_CREATE... all zlib-stream chunks
    assert fake_discord.heartbeats >= 1
    assert [d.event for d in fake_discord.dispatches][:2] == ["READY", "GUILD_CREATE"]
    assert [c.route for c in fake_discord.calls] == ["/users/@me", "/oauth2/applications/@me"]
    assert_clean(fake_discord)


def test_a_dispatched_message_reaches_on_message_and_the_bot_replies(fake_discord: FakeDiscord) -> None:  # noqa: F811
    alice = member(customer_user())
    dm = fake_discord.open_dm(CUSTOMER_ID)

    async def scenario() -> tuple[list[discord.Message], discord.Message, discord.Message]:
        async with connected(fake_discord) as (client, task):
            fake_discord.dispatch(
                "MESSAGE_CREATE", message_create(SUPPORT_CHANNEL_ID, alice, "my order is late", guild_id=GUILD_ID)
            )
            fake_discord.dispatch("MESSAGE_CREATE", message_create(dm["id"], customer_user(), "hello in private"))
            await until(lambda: len(client.received) == 2, task)
            in_guild, in_dm = client.received
            reply = await in_guild.reply("Sorry! Let me check.")
            private = await in_dm.channel.send("Hi Alice")
            await until(lambda: len(client.received) == 2 and client.user, task)
            return client.received, reply, private

    (in_guild, in_dm), reply, private = run(scenario)

    assert in_guild.content == "my order is late" and isinstance(in_guild.author, discord.Member)
    assert in_guild.guild is not None and in_guild.guild.id == int(GUILD_ID)
    assert isinstance(in_dm.channel, discord.DMChannel) and in_dm.content == "hello in private"
    assert reply.reference is not None and reply.reference.message_id == in_guild.id and reply.type is discord.MessageType.reply
    assert private.channel.id == int(dm["id"]) and fake_discord.messages(dm["id"])[-1]["content"] == "Hi Alice"
    stored = fake_discord.message(SUPPORT_CHANNEL_ID, str(reply.id))
    assert stored["referenced_message"]["content"] == "my order is late" and stored["guild_id"] == GUILD_ID
    # discord.py sends message_reference ids as integers: tolerated (Discord accepts them), not a violation
    assert any("message_reference" in t for t in fake_discord.spec_tolerated)
    assert_clean(fake_discord)


# --------------------------------------------------------------------------------------------- sending, threads


class TicketView(discord.ui.View):
    """A persistent-style view: an ephemeral acknowledgement and a button that opens the ticket modal."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Thanks", style=discord.ButtonStyle.success, custom_id="ticket:ack")
    async def ack(self, interaction: discord.Interaction, _button: discord.ui.Button[TicketView]) -> None:
        await interaction.response.send_message("Glad to help!", ephemeral=True)

    @discord.ui.button(label="Open a ticket", style=discord.ButtonStyle.primary, custom_id="ticket:open")
    async def open(self, interaction: discord.Interaction, _button: discord.ui.Button[TicketView]) -> None:
        await interaction.response.send_modal(TicketModal())


class TicketModal(discord.ui.Modal, title="New ticket"):
    summary: discord.ui.TextInput[TicketModal] = discord.ui.TextInput(label="Summary", custom_id="ticket:summary")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send(f"Ticket opened: {self.summary.value}", ephemeral=True, wait=True)


def test_send_embed_and_view_edit_and_start_a_thread(fake_discord: FakeDiscord) -> None:  # noqa: F811
    async def scenario() -> tuple[discord.Message, discord.Thread, discord.Thread | None, discord.Message]:
        async with connected(fake_discord) as (client, task):
            channel = client.get_channel(int(SUPPORT_CHANNEL_ID))
            assert isinstance(channel, discord.TextChannel)
            embed = discord.Embed(title="Order #42", description="Shipped", colour=0x5865F2).add_field(name="ETA", value="2 days")
            sent = await channel.send("Here is your order", embed=embed, view=TicketView())
            edited = await sent.edit(content="Here is your order (updated)")
            thread = await edited.create_thread(name="Order #42", auto_archive_duration=1440)
            await until(lambda: client.get_channel(thread.id) is not None, task)
            in_thread = await thread.send("Follow-up in the thread", file=discord.File(io.BytesIO(b"order log"), "log.txt"))
            assert await in_thread.attachments[0].read() == b"order log"  # served by the fake's attachment URL
            return edited, thread, client.get_channel(thread.id), in_thread  # type: ignore[return-value]

    edited, thread, cached_thread, in_thread = run(scenario)

    assert edited.content == "Here is your order (updated)" and edited.edited_at is not None
    assert edited.embeds[0].title == "Order #42" and edited.embeds[0].fields[0].value == "2 days"
    assert [c.custom_id for c in edited.components[0].children] == ["ticket:ack", "ticket:open"]  # type: ignore[union-attr]
    post = fake_discord.calls_to("/channels/{channel_id}/messages", "POST")[0].json
    assert post["components"][0]["components"][0]["custom_id"] == "ticket:ack" and post["embeds"][0]["title"] == "Order #42"
    stored = fake_discord.message(SUPPORT_CHANNEL_ID, str(edited.id))
    assert stored["content"].endswith("(updated)") and stored["thread"]["id"] == str(edited.id)
    echoed = [d.event for d in fake_discord.dispatches if d.event != "GUILD_CREATE"][1:]  # Discord echoes the bot's own acts
    assert echoed == ["MESSAGE_CREATE", "MESSAGE_UPDATE", "THREAD_CREATE", "MESSAGE_UPDATE", "MESSAGE_CREATE"]
    assert thread.id == edited.id and thread.parent_id == int(SUPPORT_CHANNEL_ID) and thread.owner_id == int(BOT_USER_ID)
    assert cached_thread is not None and cached_thread.type is discord.ChannelType.public_thread
    assert fake_discord.messages(str(thread.id))[0]["content"] == in_thread.content == "Follow-up in the thread"
    [upload] = fake_discord.calls_to("/channels/{channel_id}/messages", "POST")[1:]
    assert upload.files == ("log.txt",) and upload.json["attachments"][0]["filename"] == "log.txt"  # payload_json, validated
    assert in_thread.attachments[0].filename == "log.txt" and in_thread.attachments[0].size == 9
    assert_clean(fake_discord)


def test_forum_post_and_a_channel_the_bot_cannot_use(fake_discord: FakeDiscord) -> None:  # noqa: F811
    locked = text_channel(
        "1100000000000000130", "locked", GUILD_ID, overwrites=[{"id": GUILD_ID, "type": 0, "allow": "0", "deny": str(1 << 11)}]
    )
    fake_discord.add_channel(locked)

    async def scenario() -> tuple[Any, ...]:
        async with connected(fake_discord) as (client, _task):
            forum = client.get_channel(int(FORUM_CHANNEL_ID))
            assert isinstance(forum, discord.ForumChannel)
            tag = next(t for t in forum.available_tags if t.name == "billing")
            post = await forum.create_thread(name="Refund request", content="Please refund order #7", applied_tags=[tag])
            with pytest.raises(discord.Forbidden) as forbidden:
                await client.http.send_message(int(locked["id"]), params=discord.http.handle_message_parameters(content="hi"))
            with pytest.raises(discord.NotFound) as unknown:
                await client.http.get_message(int(SUPPORT_CHANNEL_ID), 42)
            return post, forbidden.value.code, unknown.value.code

    post, forbidden, unknown = run(scenario)

    assert post.thread.id == post.message.id and post.thread.parent_id == int(FORUM_CHANNEL_ID)
    assert [t.name for t in post.thread.applied_tags] == ["billing"] and post.message.content == "Please refund order #7"
    assert (forbidden, unknown) == (50013, 10008)
    assert_clean(fake_discord)


# --------------------------------------------------------------------------------------------- interactions


def test_component_and_modal_interactions_are_answered(fake_discord: FakeDiscord) -> None:  # noqa: F811
    alice = member(customer_user())

    async def scenario() -> None:
        async with connected(fake_discord) as (client, task):
            client.add_view(TicketView())
            channel = client.get_channel(int(SUPPORT_CHANNEL_ID))
            assert isinstance(channel, discord.TextChannel)
            sent = await channel.send("Need more help?", view=TicketView())
            shown = fake_discord.message(SUPPORT_CHANNEL_ID, str(sent.id))
            fake_discord.dispatch(
                "INTERACTION_CREATE", component_interaction(alice, SUPPORT_CHANNEL_ID, shown, "ticket:ack", GUILD_ID)
            )
            await until(lambda: len(fake_discord.interaction_responses) == 1, task)
            fake_discord.dispatch(
                "INTERACTION_CREATE", component_interaction(alice, SUPPORT_CHANNEL_ID, shown, "ticket:open", GUILD_ID)
            )
            await until(lambda: len(fake_discord.interaction_responses) == 2, task)
            submit = modal_submit(
                alice,
                SUPPORT_CHANNEL_ID,
                fake_discord.interaction_responses[1].data["custom_id"],
                {"ticket:summary": "Broken zipper"},
                GUILD_ID,
            )
            fake_discord.dispatch("INTERACTION_CREATE", submit)
            await until(lambda: fake_discord.calls_to("/webhooks/{webhook_id}/{webhook_token}"), task)

    run(scenario)

    ack, modal, deferred = fake_discord.interaction_responses
    assert (ack.type, ack.ephemeral, ack.data["content"]) == (4, True, "Glad to help!")
    assert modal.type == 9 and modal.data["title"] == "New ticket"
    assert deferred.type == 6 and max(r.latency for r in fake_discord.interaction_responses) < 3
    callbacks = fake_discord.calls_to("/interactions/{interaction_id}/{interaction_token}/callback")
    assert all(c.query == {"with_response": "1"} and c.status in (200,) for c in callbacks)
    [followup] = fake_discord.calls_to("/webhooks/{webhook_id}/{webhook_token}")
    assert followup.status == 200 and followup.json["content"] == "Ticket opened: Broken zipper"
    contents = [(m["content"], bool(m["flags"] & 64)) for m in fake_discord.messages(SUPPORT_CHANNEL_ID)]
    assert ("Glad to help!", True) in contents and ("Ticket opened: Broken zipper", True) in contents
    assert_clean(fake_discord)


def test_command_tree_sync_and_a_slash_command(fake_discord: FakeDiscord) -> None:  # noqa: F811
    staff = member(staff_user(), [STAFF_ROLE_ID])

    async def scenario() -> list[app_commands.AppCommand]:
        client = SupportClient()

        @client.tree.command(name="ticket", description="Open a support ticket", guild=discord.Object(int(GUILD_ID)))
        @app_commands.describe(topic="What is it about?")
        @app_commands.default_permissions(send_messages=True)
        async def ticket(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.defer(thinking=True)  # type 5: a "thinking" original message
            await interaction.edit_original_response(content=f"Ticket about {topic} opened")  # PATCH @original

        async with connected(fake_discord, client) as (_client, task):
            synced = await client.tree.sync(guild=discord.Object(int(GUILD_ID)))
            command_id = fake_discord.command("ticket", GUILD_ID)["id"]
            options = [{"name": "topic", "type": 3, "value": "billing"}]
            fake_discord.dispatch(
                "INTERACTION_CREATE",
                command_interaction(staff, SUPPORT_CHANNEL_ID, "ticket", options, GUILD_ID, command_id=command_id),
            )
            await until(lambda: fake_discord.calls_to("/webhooks/{webhook_id}/{webhook_token}/messages/@original"), task)
            return synced

    synced = run(scenario)

    assert [c.name for c in synced] == ["ticket"] and synced[0].options[0].name == "topic"
    [put] = fake_discord.calls_to("/applications/{application_id}/guilds/{guild_id}/commands", "PUT")
    assert put.json[0]["name"] == "ticket" and put.path.endswith(f"/guilds/{GUILD_ID}/commands")
    [answer] = fake_discord.interaction_responses
    assert (answer.type, answer.ephemeral) == (5, False)
    original = fake_discord.messages(SUPPORT_CHANNEL_ID)[-1]
    assert original["content"] == "Ticket about billing opened" and original["flags"] & 128 == 0  # no longer loading
    assert original["type"] == 20 and original["interaction_metadata"]["user"]["id"] == staff["user"]["id"]
    assert_clean(fake_discord)


def test_late_or_repeated_interaction_answers_fail_like_discord(fake_discord: FakeDiscord) -> None:  # noqa: F811
    received: list[discord.Interaction] = []
    client = SupportClient()

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        received.append(interaction)

    async def scenario() -> tuple[int, Any]:
        dm_id = fake_discord.open_dm(CUSTOMER_ID)["id"]
        async with connected(fake_discord, client) as (_client, task):
            first = command_interaction(customer_user(), dm_id, "help")
            fake_discord.dispatch("INTERACTION_CREATE", first)
            await until(lambda: received, task)
            await received[0].response.send_message("on time")
            url = f"{fake_discord.api_base}/interactions/{first['id']}/{first['token']}/callback"
            async with (
                aiohttp.ClientSession() as session,
                session.post(url, json={"type": 4, "data": {"content": "again"}}) as again,
            ):
                repeated = (again.status, await again.json())
            fake_discord.world.interaction_window = 0.0  # Discord gives 3 s; make the next answer late
            fake_discord.dispatch("INTERACTION_CREATE", command_interaction(customer_user(), dm_id, "help"))
            await until(lambda: len(received) == 2, task)
            with pytest.raises(discord.NotFound) as late:
                await received[1].response.send_message("too late")
            return late.value.code, repeated

    late, repeated = run(scenario)

    assert late == 10062  # Unknown interaction
    assert repeated == (400, {"message": "Interaction has already been acknowledged.", "code": 40060})
    assert [r.data["content"] for r in fake_discord.interaction_responses] == ["on time"]
    assert isinstance(received[0].user, discord.User)  # a DM interaction carries `user`, not `member`
    assert_clean(fake_discord)


# --------------------------------------------------------------------------------------------- faults and reconnects


def test_a_429_with_via_is_retried_after_retry_after(fake_discord: FakeDiscord) -> None:  # noqa: F811
    fake_discord.fail_next("/channels/{channel_id}/messages", retry_after=0.3, method="POST")

    async def scenario() -> float:
        async with connected(fake_discord) as (client, _task):
            channel = client.get_channel(int(SUPPORT_CHANNEL_ID))
            assert isinstance(channel, discord.TextChannel)
            started = time.monotonic()
            await channel.send("after the rate limit")
            return time.monotonic() - started

    elapsed = run(scenario)

    limited, sent = fake_discord.calls_to("/channels/{channel_id}/messages", "POST")
    assert (limited.status, sent.status) == (429, 200) and elapsed >= 0.3
    assert fake_discord.messages(SUPPORT_CHANNEL_ID)[-1]["content"] == "after the rate limit"
    assert_clean(fake_discord)


def test_rate_limit_answer_carries_discords_headers(fake_discord: FakeDiscord) -> None:  # noqa: F811
    fake_discord.fail_next("/users/@me", retry_after=0.5, global_=True)

    async def scenario() -> tuple[int, dict[str, str], Any, int, Any]:
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bot {BOT_TOKEN}"}
            async with session.get(fake_discord.api_base + "/users/@me", headers=headers) as limited:
                first = (limited.status, dict(limited.headers), await limited.json())
            async with session.get(fake_discord.api_base + "/no/such/route", headers=headers) as missing:
                assert (missing.status, await missing.json()) == (404, {"message": "404: Not Found", "code": 0})
            async with session.get(fake_discord.api_base + "/users/@me", headers={"Authorization": "Bot wrong"}) as denied:
                return (*first, denied.status, await denied.json())

    status, headers, body, denied, denied_body = run(scenario)

    assert status == 429 and headers["Content-Type"] == "application/json" and headers["Via"]
    assert headers["X-RateLimit-Remaining"] == "0" and headers["X-RateLimit-Global"] == "true" and "Retry-After" in headers
    assert body == {"message": "You are being rate limited.", "retry_after": 0.5, "global": True}
    assert (denied, denied_body) == (401, {"message": "401: Unauthorized", "code": 0})


def test_resume_after_a_dropped_connection_replays_what_was_missed(fake_discord: FakeDiscord) -> None:  # noqa: F811
    alice = member(customer_user())

    async def scenario() -> list[str]:
        async with connected(fake_discord) as (client, task):
            missed = message_create(SUPPORT_CHANNEL_ID, alice, "sent while you were away", guild_id=GUILD_ID)
            fake_discord.drop_connection(4000, missed=[("MESSAGE_CREATE", missed)])
            await _first(client.resumed.wait(), task)
            fake_discord.dispatch(
                "MESSAGE_CREATE", message_create(SUPPORT_CHANNEL_ID, alice, "after the resume", guild_id=GUILD_ID)
            )
            await until(lambda: len(client.received) >= 2, task)
            client.resumed.clear()
            fake_discord.request_reconnect()  # op 7: the client closes and resumes again, nothing to replay
            await _first(client.resumed.wait(), task)
            await asyncio.sleep(0.1)  # a duplicate would arrive within this
            return [m.content for m in client.received]

    contents = run(scenario)

    assert contents == ["sent while you were away", "after the resume"]
    [identify] = fake_discord.identifies
    resume, again = fake_discord.resumes
    assert resume.accepted and resume.session_id == identify.session_id and resume.path == "/resume/"
    missed_seq = next(d.seq for d in fake_discord.dispatches if d.data.get("content") == "sent while you were away")
    assert resume.replayed == (missed_seq,) and again.accepted and again.replayed == ()
    assert_clean(fake_discord)


def test_invalid_session_makes_the_client_identify_again(fake_discord: FakeDiscord) -> None:  # noqa: F811
    async def scenario() -> None:
        async with connected(fake_discord) as (client, task):
            client.ready.clear()
            fake_discord.invalidate_session()
            await _first(client.ready.wait(), task)

    run(scenario)

    first, second = fake_discord.identifies
    assert first.session_id != second.session_id and second.accepted
    assert_clean(fake_discord)


# --------------------------------------------------------------------------------------------- intents and auth


def test_without_message_content_guild_messages_arrive_empty(fake_discord: FakeDiscord) -> None:  # noqa: F811
    alice = member(customer_user())
    dm = fake_discord.open_dm(CUSTOMER_ID)
    intents = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)

    async def scenario() -> list[str]:
        async with connected(fake_discord, SupportClient(intents)) as (client, task):
            fake_discord.dispatch("MESSAGE_CREATE", message_create(SUPPORT_CHANNEL_ID, alice, "secret", guild_id=GUILD_ID))
            mention = message_create(
                SUPPORT_CHANNEL_ID, alice, f"<@{BOT_USER_ID}> help", guild_id=GUILD_ID, mentions=[bot_user()]
            )
            fake_discord.dispatch("MESSAGE_CREATE", mention)
            fake_discord.dispatch("MESSAGE_CREATE", message_create(dm["id"], customer_user(), "private"))
            await until(lambda: len(client.received) == 3, task)
            return [m.content for m in client.received]

    assert run(scenario) == ["", f"<@{BOT_USER_ID}> help", "private"]
    assert fake_discord.identifies[0].intents == intents.value
    assert_clean(fake_discord)


def test_privileged_intents_the_app_lacks_are_refused_with_4014() -> None:
    with running_fake_discord(app_flags=0) as fake, discord_py_pointed_at(fake):

        async def scenario() -> BaseException | None:
            client = SupportClient()
            try:
                await asyncio.wait_for(client.start(BOT_TOKEN), timeout=5)
            except discord.PrivilegedIntentsRequired as exc:
                return exc
            finally:
                await client.close()
            return None

        assert isinstance(run(scenario), discord.PrivilegedIntentsRequired)
        assert [i.close_code for i in fake.identifies] == [4014]


def test_a_wrong_gateway_token_is_closed_with_4004(fake_discord: FakeDiscord) -> None:  # noqa: F811
    async def scenario() -> tuple[Any, int | None]:
        inflate = zlib.decompressobj()
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(fake_discord.gateway_url + "?v=10&encoding=json&compress=zlib-stream") as ws,
        ):
            hello = await ws.receive()
            assert hello.type is aiohttp.WSMsgType.BINARY and hello.data.endswith(b"\x00\x00\xff\xff")
            payload = json.loads(inflate.decompress(hello.data))
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 513, "properties": {}}})
            closed = await ws.receive()
            return payload, closed.data if closed.type is aiohttp.WSMsgType.CLOSE else ws.close_code

    hello, code = run(scenario)

    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
    assert code == 4004 and fake_discord.identifies[0].close_code == 4004


def test_spec_violations_are_recorded_not_refused(fake_discord: FakeDiscord) -> None:  # noqa: F811
    async def scenario() -> list[tuple[int, Any]]:
        answers = []
        async with aiohttp.ClientSession() as session:
            url = f"{fake_discord.api_base}/channels/{SUPPORT_CHANNEL_ID}/messages"
            for body in ({"content": "x", "embeds": [{"title": 5}]}, {"content": "x", "embeds": {"title": "not a list"}}):
                async with session.post(url, json=body, headers={"Authorization": f"Bot {BOT_TOKEN}"}) as response:
                    answers.append((response.status, await response.json()))
        return answers

    (accepted, _message), (refused, error) = run(scenario)

    assert accepted == 200 and refused == 400 and error["code"] == 50035  # the fake answers; the spec check only records
    assert any("embeds[0].title" in v for v in fake_discord.spec_violations), fake_discord.spec_violations
    assert any("$.embeds" in v for v in fake_discord.spec_violations[1:]), fake_discord.spec_violations
    assert fake_discord.calls[0].route == "/channels/{channel_id}/messages" and fake_discord.api_base.endswith(API_PREFIX)


def test_a_second_guild_from_the_builders() -> None:
    extra = guild(
        "1100000000000000300", "Partners", owner_id=CUSTOMER_ID, channels=[text_channel("1100000000000000301", "general")]
    )
    extra["members"] = [member(bot_user()), member(customer_user())]
    with running_fake_discord(guilds=[extra]) as fake:

        async def scenario() -> list[str]:
            async with connected(fake) as (client, _task):
                return [g.name for g in client.guilds]

        assert run(scenario) == ["Partners"]
        assert_clean(fake)


def test_rest_tour_answers_are_shaped_like_discords(fake_discord: FakeDiscord) -> None:  # noqa: F811
    """Each answer the fake gives is validated against the spec's response schema (response_violations)."""

    async def scenario() -> dict[str, Any]:
        async with connected(fake_discord) as (client, _task):
            the_guild = client.get_guild(int(GUILD_ID))
            assert the_guild is not None
            channel = await client.fetch_channel(int(SUPPORT_CHANNEL_ID))
            assert isinstance(channel, discord.TextChannel)
            channels = await the_guild.fetch_channels()
            alice = await the_guild.fetch_member(int(CUSTOMER_ID))
            dm = await alice.create_dm()
            sent = await channel.send("checking")
            fetched = await channel.fetch_message(sent.id)
            await fetched.add_reaction("✅")
            async with channel.typing():
                pass
            history = [m.id async for m in channel.history(limit=10)]
            await fetched.delete()
            global_commands = await client.tree.sync()
            gateway = await client.http.get_bot_gateway()
            return {
                "channel": channel.name,
                "channels": sorted(c.name for c in channels),
                "alice": (alice.name, alice.joined_at is not None),
                "dm": (dm.id, dm.recipient and dm.recipient.id),
                "history": history,
                "sent": sent.id,
                "global": global_commands,
                "gateway": gateway,
            }

    seen = run(scenario)

    assert seen["channel"] == "support" and seen["channels"] == ["staff", "support", "tickets"]
    assert seen["alice"] == ("alice", True) and seen["dm"][1] == int(CUSTOMER_ID)
    assert seen["dm"][0] == int(fake_discord.open_dm(CUSTOMER_ID)["id"])
    assert seen["history"] == [seen["sent"]] and seen["global"] == []
    assert seen["gateway"][0] == 1 and seen["gateway"][1] == fake_discord.gateway_url
    assert str(seen["sent"]) not in {m["id"] for m in fake_discord.messages(SUPPORT_CHANNEL_ID)}  # deleted
    statuses = {(c.method, c.route): c.status for c in fake_discord.calls}
    assert statuses[("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me")] == 204
    assert statuses[("POST", "/channels/{channel_id}/typing")] == 204
    assert_clean(fake_discord)


def test_an_auto_sharded_client_asks_gateway_bot_and_identifies_as_shard_0(fake_discord: FakeDiscord) -> None:  # noqa: F811
    class Sharded(discord.AutoShardedClient):
        def __init__(self) -> None:
            super().__init__(intents=FULL_INTENTS, guild_ready_timeout=0.05)
            self.ready = asyncio.Event()

        async def on_ready(self) -> None:
            self.ready.set()

    async def scenario() -> list[str]:
        client = Sharded()
        with discord_py_pointed_at(fake_discord):
            task = asyncio.create_task(client.start(BOT_TOKEN))
            try:
                await _first(client.ready.wait(), task)
                return [g.name for g in client.guilds]
            finally:
                await client.close()
                await asyncio.wait({task}, timeout=5)
                assert task.done() and task.exception() is None, task

    assert run(scenario) == ["Support HQ"]
    assert fake_discord.calls_to("/gateway/bot") and [i.shard for i in fake_discord.identifies] == [(0, 1)]
    assert_clean(fake_discord)


def test_blocking_waiters_drive_a_bot_running_in_another_thread(fake_discord: FakeDiscord) -> None:  # noqa: F811
    """How benchmarks use it: the bot runs in its own thread; the test thread dispatches and waits on the fake."""

    class EchoBot(SupportClient):
        async def on_message(self, message: discord.Message) -> None:
            if self.user is not None and message.author.id != self.user.id:
                await message.channel.send(f"echo: {message.content}")

    client = EchoBot()
    bot = LoopThread("echo-bot")
    with discord_py_pointed_at(fake_discord):
        started = asyncio.run_coroutine_threadsafe(client.start(BOT_TOKEN), bot.loop)
        try:
            fake_discord.wait_connected()
            fake_discord.wait_ready()
            bot.run(client.ready.wait())  # discord.py's own on_ready, so no ready dispatch races the close
            for n in range(3):
                fake_discord.dispatch("MESSAGE_CREATE", message_create(SUPPORT_CHANNEL_ID, customer_user(), f"hi {n}", GUILD_ID))
            replies = fake_discord.wait_for(
                lambda calls: at_least(3, [c for c in calls if c.route == "/channels/{channel_id}/messages"])
            )
        finally:
            bot.run(client.close())
            outcome = started.exception(5)  # the connection task: None when it ended cleanly
            bot.close()

    assert sorted(c.json["content"] for c in replies) == ["echo: hi 0", "echo: hi 1", "echo: hi 2"]
    assert outcome is None
    fake_discord.wait_disconnected()
    assert_clean(fake_discord)
