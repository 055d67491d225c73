"""The fake Slack itself, driven by the real slack_sdk AsyncWebClient, Socket Mode client and a bolt app."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.platforms.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    app_mention_event,
    block_action,
    fake_slack,  # noqa: F401  (fixture)
    message_event,
    running_fake_slack,
    signed_request,
    slash_command,
    view_submission,
)

T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(scenario())  # type: ignore[arg-type]


def web(fake: FakeSlack, token: str | None = BOT_TOKEN, **options: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.base_url, **options)


async def slack_error(call: Awaitable[Any]) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


# --------------------------------------------------------------------------------------------- Web API


def test_auth_test_answers_the_bot_identity_and_the_granted_scopes_header(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.granted_scopes.discard("users:read.email")
    response = run(lambda: web(fake_slack).auth_test())

    assert (response["user_id"], response["bot_id"], response["team_id"]) == ("UBOT", "B0001", "T0001")
    scopes = set(response.headers["x-oauth-scopes"].split(","))
    assert "chat:write" in scopes and "users:read.email" not in scopes
    assert [c.method for c in fake_slack.calls] == ["auth.test"] and fake_slack.spec_violations == []


def test_post_update_and_ephemeral_keep_the_latest_message(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_user("U1", "alice", email="alice@example.com")
    fake_slack.add_channel("C1", "support", members=["U1"])
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hi*"}}]

    async def scenario() -> tuple[Any, ...]:
        client = web(fake_slack)
        first = await client.chat_postMessage(channel="C1", text="Hi", blocks=blocks)
        reply = await client.chat_postMessage(channel="C1", text="in thread", thread_ts=first["ts"])
        updated = await client.chat_update(channel="C1", ts=first["ts"], text="Hi again", blocks=[])
        ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
        unknown = await slack_error(client.chat_update(channel="C1", ts="1.000001", text="x"))
        return first, reply, updated, ephemeral, unknown

    first, reply, updated, ephemeral, unknown = run(scenario)

    assert first["channel"] == "C1" and first["message"]["blocks"] == blocks and first["message"]["bot_id"] == "B0001"
    assert reply["ts"] > first["ts"] and reply["message"]["thread_ts"] == first["ts"]
    assert updated["text"] == "Hi again" and unknown == "message_not_found"
    latest = fake_slack.message("C1", first["ts"])
    assert (latest.text, latest.blocks, latest.edits) == ("Hi again", [], 1)
    assert ephemeral["message_ts"] and fake_slack.ephemerals[0].user == "U1"
    assert fake_slack.spec_violations == []


def test_posting_follows_slacks_channel_rules(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel("C1", "support")
    fake_slack.add_channel("C2", "elsewhere", bot_is_member=False)

    async def scenario() -> tuple[Any, list[str]]:
        client = web(fake_slack)
        by_name = await client.chat_postMessage(channel="#support", text="hi")
        errors = [
            await slack_error(client.chat_postMessage(channel="C2", text="hi")),
            await slack_error(client.chat_postMessage(channel="C404", text="hi")),
            await slack_error(client.api_call("chat.postMessage", json={"channel": "C1"})),
            await slack_error(client.chat_postMessage(channel="C1", text="x", blocks=[{"text": "no type"}])),
        ]
        return by_name, errors

    by_name, errors = run(scenario)

    assert by_name["channel"] == "C1"
    assert errors == ["not_in_channel", "channel_not_found", "no_text", "invalid_blocks"]


def test_form_encoded_calls_are_understood_like_json_ones(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel("C1", "support")
    blocks = [{"type": "divider"}]

    response = run(
        lambda: web(fake_slack).api_call("chat.postMessage", data={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)})
    )

    assert fake_slack.message("C1", response["ts"]).blocks == blocks
    assert fake_slack.calls_to("chat.postMessage")[0].params["channel"] == "C1"


def test_conversations_and_users_answer_like_slack(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_user("U1", "alice", email="alice@example.com")
    fake_slack.add_user("UX", "xavier", email="x@partner.example", team_id="T_EXT")
    fake_slack.add_channel(
        "C9", "shared-support", is_private=True, members=["U1", "UX"], is_ext_shared=True, external_team_id="T_EXT"
    )
    fake_slack.add_channel("D1", "", is_im=True, members=["U1"])

    async def scenario() -> tuple[Any, ...]:
        client = web(fake_slack)
        info = await client.conversations_info(channel="C9")
        im = await client.conversations_info(channel="D1")
        pages = [page["members"] async for page in await client.conversations_members(channel="C9", limit=2)]
        user = await client.users_info(user="UX")
        missing = await slack_error(client.users_info(user="U404"))
        return info, im, pages, user, missing

    info, im, pages, user, missing = run(scenario)

    channel = info["channel"]
    assert (channel["is_private"], channel["is_ext_shared"], channel["is_member"], channel["context_team_id"]) == (
        True,
        True,
        True,
        "T0001",
    )
    assert "T_EXT" in channel["shared_team_ids"]
    assert im["channel"]["is_im"] and im["channel"]["user"] == "U1" and "name" not in im["channel"]
    assert pages == [["U1", "UX"], ["UBOT"]]
    assert user["user"]["team_id"] == "T_EXT" and user["user"]["profile"]["email"] == "x@partner.example"
    assert missing == "user_not_found"
    assert fake_slack.spec_violations == []


def test_missing_scopes_hide_email_and_refuse_methods(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_user("U1", "alice", email="alice@example.com")
    fake_slack.add_channel("C1", "support")
    fake_slack.granted_scopes.difference_update({"users:read.email", "channels:read"})

    async def scenario() -> tuple[Any, str]:
        client = web(fake_slack)
        return await client.users_info(user="U1"), await slack_error(client.conversations_info(channel="C1"))

    user, refused = run(scenario)

    assert "email" not in user["user"]["profile"] and refused == "missing_scope"


def test_replies_and_permalinks_follow_threads(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_user("U1", "alice")
    fake_slack.add_channel("C1", "support", members=["U1"])
    parent = fake_slack.add_message("C1", "U1", "my invoice is wrong")

    async def scenario() -> tuple[Any, Any, str]:
        client = web(fake_slack)
        answer = await client.chat_postMessage(channel="C1", text="On it", thread_ts=parent.ts)
        replies = await client.conversations_replies(channel="C1", ts=parent.ts)
        link = await client.chat_getPermalink(channel="C1", message_ts=answer["ts"])
        return replies, link, await slack_error(client.conversations_replies(channel="C1", ts="1.000002"))

    replies, link, unknown = run(scenario)

    assert [m["text"] for m in replies["messages"]] == ["my invoice is wrong", "On it"]
    assert replies["messages"][0]["reply_count"] == 1 and unknown == "thread_not_found"
    assert link["permalink"].startswith("https://fake-workspace.slack.com/archives/C1/p")


def test_views_open_needs_a_trigger_younger_than_three_seconds(fake_slack: FakeSlack) -> None:  # noqa: F811
    modal = {"type": "modal", "callback_id": "refund", "title": {"type": "plain_text", "text": "Refund"}, "blocks": []}

    async def scenario() -> tuple[Any, ...]:
        client = web(fake_slack)
        opened = await client.views_open(trigger_id=fake_slack.new_trigger_id(), view=modal)
        expired = await slack_error(client.views_open(trigger_id=fake_slack.new_trigger_id(age=3.5), view=modal))
        invalid = await slack_error(client.views_open(trigger_id="123.456.nope", view=modal))
        view = opened["view"]
        updated = await client.views_update(view_id=view["id"], hash=view["hash"], view=modal | {"callback_id": "refund2"})
        conflict = await slack_error(client.views_update(view_id=view["id"], hash=view["hash"], view=modal))
        return opened, expired, invalid, updated, conflict

    opened, expired, invalid, updated, conflict = run(scenario)

    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "refund"
    assert (expired, invalid, conflict) == ("expired_trigger_id", "invalid_trigger_id", "hash_conflict")
    assert updated["view"]["callback_id"] == "refund2"
    assert fake_slack.spec_violations == []


def test_token_errors_match_slack(fake_slack: FakeSlack) -> None:  # noqa: F811
    async def scenario() -> list[str]:
        return [
            await slack_error(web(fake_slack, token=None).auth_test()),
            await slack_error(web(fake_slack, token="xoxb-wrong").auth_test()),
            await slack_error(web(fake_slack, token=APP_TOKEN).chat_postMessage(channel="C1", text="x")),
            await slack_error(web(fake_slack).apps_connections_open(app_token=BOT_TOKEN)),
            await slack_error(web(fake_slack).api_call("chat.sendCarrierPigeon")),
        ]

    assert run(scenario) == ["not_authed", "invalid_auth", "not_allowed_token_type", "not_allowed_token_type", "unknown_method"]


def test_spec_check_flags_missing_and_unknown_parameters_only(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel("C1", "support")

    async def scenario() -> None:
        client = web(fake_slack)
        await slack_error(client.api_call("chat.postMessage", json={"text": "where to?"}))
        await client.chat_postMessage(channel="C1", text="hi", colour="red")
        # Newer than the 2020 spec but real: metadata, team_id; apps.connections.open is checked against slack_sdk.
        await client.chat_postMessage(channel="C1", text="hi", metadata={"event_type": "t", "event_payload": {}}, team_id="T0001")
        await client.apps_connections_open(app_token=APP_TOKEN)
        await slack_error(client.api_call("chat.sendCarrierPigeon"))

    run(scenario)

    assert fake_slack.spec_violations == [
        "chat.postMessage: missing required parameter 'channel'",
        "chat.postMessage: parameter 'colour' is not in the spec",
        "chat.sendCarrierPigeon: not in the spec and not a slack_sdk AsyncWebClient method",
    ]


def test_a_429_is_retried_after_retry_after_by_the_sdk_handler(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel("C1", "support")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = web(fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])

    started = time.monotonic()
    response = run(lambda: client.chat_postMessage(channel="C1", text="eventually"))

    assert response["ok"] and time.monotonic() - started >= 1.0
    assert [(c.http_status, c.error) for c in fake_slack.calls_to("chat.postMessage")] == [(429, "ratelimited"), (200, None)]


def test_injected_errors_reach_the_caller_once(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel("C1", "support")
    fake_slack.fail_next("chat.postMessage", error="channel_is_archived")
    fake_slack.fail_next("auth.test", status=429, retry_after=7)

    async def scenario() -> tuple[str, str, Any]:
        client = web(fake_slack, retry_handlers=[])
        with pytest.raises(SlackApiError) as limited:
            await client.auth_test()
        retry_after = limited.value.response.headers["Retry-After"]
        return (
            await slack_error(client.chat_postMessage(channel="C1", text="x")),
            retry_after,
            await client.chat_postMessage(channel="C1", text="x"),
        )

    archived, retry_after, later = run(scenario)

    assert (archived, retry_after, later["ok"]) == ("channel_is_archived", "7", True)


def test_custom_handlers_and_response_urls_are_recorded(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.set_handler("reactions.add", lambda params: {})
    response_url = fake_slack.new_response_url()

    async def scenario() -> int:
        await web(fake_slack).reactions_add(channel="C1", name="eyes", timestamp="1.000001")
        return (await AsyncWebhookClient(response_url).send(text="done", replace_original=True)).status_code

    assert run(scenario) == 200
    [reaction] = fake_slack.calls_to("reactions.add")
    [responded] = fake_slack.calls_to("response_url")
    assert reaction.params["name"] == "eyes" and responded.params["replace_original"] is True
    assert fake_slack.spec_violations == []


def test_wait_for_fails_with_the_recorded_calls(fake_slack: FakeSlack) -> None:  # noqa: F811
    run(lambda: web(fake_slack).auth_test())

    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake_slack.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage"], timeout=0.1)


# --------------------------------------------------------------------------------------------- Socket Mode


def test_the_sdk_socket_mode_client_receives_acks_and_sees_redeliveries(fake_slack: FakeSlack) -> None:  # noqa: F811
    received: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "ok"}))

    async def scenario() -> str:
        client = SocketModeClient(app_token=APP_TOKEN, web_client=web(fake_slack, token=None), auto_reconnect_enabled=False)
        client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
        try:
            await client.connect()
            await fake_slack.wait_connected_async()
            event = message_event("D1", "U1", "hello")
            envelope_id = fake_slack.push_envelope("events_api", event)
            await fake_slack.wait_for_ack_async(envelope_id)
            fake_slack.push_envelope("events_api", event, envelope_id=envelope_id, retry_attempt=1, retry_reason="timeout")
            await fake_slack.wait_for_ack_async(envelope_id, count=2)
            return envelope_id
        finally:
            await client.close()

    envelope_id = run(scenario)

    assert [r.payload["event_id"] for r in received] == [received[0].payload["event_id"]] * 2
    assert received[1].retry_attempt == 1 and received[1].retry_reason == "timeout"
    assert fake_slack.acks[envelope_id].payload == {"text": "ok"}
    assert len(fake_slack.ack_log) == 2 and 0 <= fake_slack.ack_latency(envelope_id) < 5
    assert [c.method for c in fake_slack.calls] == ["apps.connections.open"] and fake_slack.spec_violations == []


def test_a_disconnect_message_makes_the_sdk_reconnect(fake_slack: FakeSlack) -> None:  # noqa: F811
    async def ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    async def scenario() -> None:
        client = SocketModeClient(app_token=APP_TOKEN, web_client=web(fake_slack, token=None))
        client.socket_mode_request_listeners.append(ack)  # type: ignore[arg-type]
        try:
            await client.connect()
            await fake_slack.wait_connected_async()
            fake_slack.disconnect_clients(grace=0.2)
            await fake_slack.wait_for_async(lambda calls: len([c for c in calls if c.method == "apps.connections.open"]) == 2)
            await asyncio.sleep(0.3)  # past the grace: only the new connection is left
            assert fake_slack.connections == 1
            await fake_slack.wait_for_ack_async(fake_slack.push_envelope("events_api", message_event("D1", "U1", "still there?")))
        finally:
            await client.close()

    run(scenario)


def test_a_bolt_app_over_socket_mode_answers_through_the_web_api(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_user("U1", "alice")
    fake_slack.add_channel("D1", "", is_im=True, members=["U1"])

    async def scenario() -> None:
        app = AsyncApp(client=web(fake_slack), signing_secret="unused-in-socket-mode")

        @app.event("message")
        async def echo(event: dict[str, Any], say: Callable[..., Awaitable[Any]]) -> None:
            await say(text=f"you said {event['text']}")

        handler = AsyncSocketModeHandler(app, APP_TOKEN)
        try:
            await handler.connect_async()
            await fake_slack.wait_connected_async()
            envelope_id = fake_slack.push_envelope("events_api", message_event("D1", "U1", "ping"))
            await fake_slack.wait_for_ack_async(envelope_id)
            await fake_slack.wait_for_async(lambda calls: [c for c in calls if c.method == "chat.postMessage"])
        finally:
            await handler.close_async()

    run(scenario)

    [posted] = fake_slack.messages("D1")
    assert posted.text == "you said ping"
    assert fake_slack.spec_violations == []


def test_the_fake_also_runs_in_the_callers_loop() -> None:
    async def scenario() -> tuple[Any, ...]:
        async with FakeSlack() as fake:
            client = SocketModeClient(app_token=APP_TOKEN, web_client=web(fake, token=None), auto_reconnect_enabled=False)
            client.socket_mode_request_listeners.append(ack)  # type: ignore[arg-type]
            try:
                await client.connect()
                await fake.wait_connected_async()
                envelope_id = fake.push_envelope("slash_commands", slash_command("U1", "/support", "help", "C1", "t"))
                with pytest.raises(RuntimeError, match="_async"):
                    fake.wait_for_ack(envelope_id)
                return await fake.wait_for_ack_async(envelope_id), fake.connections
            finally:
                await client.close()

    async def ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    acked, connections = run(scenario)

    assert acked.payload is None and connections == 1


def test_pushing_with_nobody_connected_fails_loudly(fake_slack: FakeSlack) -> None:  # noqa: F811
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        fake_slack.push_envelope("events_api", message_event("D1", "U1", "hello"))


# --------------------------------------------------------------------------------------------- lifecycle and builders


def _port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_each_use_starts_fresh_and_shuts_down_completely() -> None:
    threads_before = threading.active_count()
    ports = []
    for _ in range(2):
        with running_fake_slack() as fake:
            run(lambda fake=fake: web(fake).auth_test())  # type: ignore[misc]
            assert len(fake.calls) == 1
            ports += [int(fake.base_url.split(":")[2].split("/")[0]), fake.socket_mode_port]
        assert fake.leaked_tasks == 0

    assert threading.active_count() == threads_before
    assert all(_port_is_closed(port) for port in ports)


def test_payload_builders_have_slacks_shapes() -> None:
    body = json.dumps(message_event("C1", "UX", "hi", channel_type="channel", user_team="T_EXT"))
    headers = signed_request("s3cret", body)
    event = json.loads(body)
    mention = app_mention_event("C1", "U1", "help")
    action = block_action("U1", "C1", "1.000001", "escalate", "ticket-7", "trigger")
    submission = view_submission("U1", "refund", {"amount": {"value": "12"}}, private_metadata="T-7")
    command = slash_command("U1", "/support", "status", "C1", "trigger")

    assert SignatureVerifier("s3cret").is_valid(
        body=body, timestamp=headers["X-Slack-Request-Timestamp"], signature=headers["X-Slack-Signature"]
    )
    assert event["type"] == "event_callback" and event["is_ext_shared_channel"] and event["event"]["user_team"] == "T_EXT"
    assert event["authorizations"][0]["user_id"] == "UBOT" and event["event_id"].startswith("Ev")
    assert mention["event"]["text"] == "<@UBOT> help"
    assert action["actions"][0]["action_id"] == "escalate" and action["container"]["message_ts"] == "1.000001"
    assert submission["view"]["state"]["values"]["amount"]["value"] == {"type": "plain_text_input", "value": "12"}
    assert submission["view"]["private_metadata"] == "T-7"
    assert all(isinstance(v, str) for v in command.values()) and command["command"] == "/support"
