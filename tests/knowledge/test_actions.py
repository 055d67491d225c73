"""The webhook action against a real HTTP server on 127.0.0.1: success and every way it can fail."""

import asyncio
import logging
from pathlib import Path

import pytest
from aiohttp import web

from knowledge.actions import HANDOFF_MESSAGE, WebhookAction, load_actions
from knowledge.errors import ActionError
from knowledge.types import CustomerContext, ResolveRequest

REQUEST = ResolveRequest(
    "send me a reset link", "password_reset", 0.95, CustomerContext("c-1", email="ana@example.com"), idempotency_key="turn-7"
)
received: list[dict[str, object]] = []


async def reset_ok(request: web.Request) -> web.Response:
    received.append(
        {
            "body": await request.json(),
            "auth": request.headers.get("Authorization"),
            "key": request.headers.get("Idempotency-Key"),
        }
    )
    return web.json_response({"sent_to": "ana@example.com", "expires_minutes": 30})


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({})


async def broken(request: web.Request) -> web.Response:
    return web.Response(status=500, text="internal error")


async def not_json(request: web.Request) -> web.Response:
    return web.Response(text="<html>oops</html>")


async def json_list(request: web.Request) -> web.Response:
    return web.json_response([1, 2])


async def lookup(request: web.Request) -> web.Response:
    return web.json_response({"status": "active", "customer": request.query.get("id")})


async def run_with_server(action_path: str, **kwargs: object) -> object:
    app = web.Application()
    for path, handler in {"/ok": reset_ok, "/slow": slow, "/500": broken, "/html": not_json, "/list": json_list}.items():
        app.router.add_post(path, handler)
    app.router.add_get("/lookup", lookup)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        values = {"name": "reset", "url": f"http://127.0.0.1:{port}{action_path}", **kwargs}
        action = WebhookAction(**values)  # type: ignore[arg-type]
        return await action.run(REQUEST)
    finally:
        await runner.cleanup()


def test_success_sends_the_configured_fields_and_fills_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESET_TOKEN", "s3cret-token")
    result = asyncio.run(
        run_with_server(
            "/ok",
            fields={"email": "customer.email", "customer": "customer.id"},
            headers={"Authorization": "Bearer ${RESET_TOKEN}"},
            response_template="I've sent a reset link to {sent_to}; it works for {expires_minutes} minutes.",
        )
    )
    assert result.ok and result.message == "I've sent a reset link to ana@example.com; it works for 30 minutes."  # type: ignore[attr-defined]
    assert received[-1] == {
        "body": {"email": "ana@example.com", "customer": "c-1"},
        "auth": "Bearer s3cret-token",
        "key": "turn-7",  # a re-run of the same turn after a crash sends the same key
    }


def test_get_sends_fields_as_query_parameters() -> None:
    result = asyncio.run(
        run_with_server("/lookup", method="GET", fields={"id": "customer.id"}, response_template="{customer}: {status}")
    )
    assert result.ok and result.message == "c-1: active"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "kwargs", "detail"),
    [
        ("/slow", {"timeout_seconds": 0.3}, "no answer within 0.3 s"),
        ("/500", {}, "HTTP 500 from the webhook"),
        ("/html", {}, "not JSON"),
        ("/list", {}, "not a JSON object"),
        ("/ok", {"response_template": "Sent to {nonexistent}"}, "lacks what the template needs"),
        ("/ok", {"fields": {"phone": "customer.extra.phone"}}, "no customer.extra.phone"),
    ],
)
def test_failures_hand_off_honestly(path: str, kwargs: dict[str, object], detail: str) -> None:
    result = asyncio.run(run_with_server(path, **kwargs))
    assert not result.ok and result.message == HANDOFF_MESSAGE  # type: ignore[attr-defined]
    assert detail in result.detail  # type: ignore[attr-defined]


def test_connection_refused_hands_off() -> None:
    action = WebhookAction("reset", "http://127.0.0.1:9/nothing", timeout_seconds=2)
    result = asyncio.run(action.run(REQUEST))
    assert not result.ok and "request failed" in result.detail


def test_actions_file_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "actions.yaml"
    path.write_text(
        "actions:\n  password_reset:\n    type: webhook\n    url: http://x/reset\n    fields: {email: customer.email}\n"
    )
    registry = load_actions(path, {"password_reset"})
    assert registry.intents() == ["password_reset"]
    for body, fragment in [
        ("actions:\n  nope:\n    url: http://x\n", "unknown intent 'nope'"),
        ("actions:\n  password_reset:\n    url: ftp://x\n", "'url' must be an http(s) URL"),
        (
            "actions:\n  password_reset:\n    url: http://x\n    fields: {a: customer.shoe_size}\n",
            "unknown value 'customer.shoe_size'",
        ),
        ("actions:\n  password_reset:\n    type: carrier_pigeon\n", "unknown type 'carrier_pigeon'"),
        ("actions:\n  password_reset:\n    url: http://x\n    retries: 3\n", "unknown key(s) retries"),
        ("nothing: here\n", "expected a top-level 'actions:'"),
    ]:
        path.write_text(body)
        with pytest.raises(ActionError) as caught:
            load_actions(path, {"password_reset"})
        assert fragment in str(caught.value) and str(path) in str(caught.value)


def test_secrets_in_headers_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    action = WebhookAction("reset", "http://x", headers={"Authorization": "Bearer literal-secret"})
    assert "literal-secret" not in repr(action)


WITH_HEADER = 'actions:\n  password_reset:\n    url: http://x/reset\n    headers: {{Authorization: "{value}"}}\n'


def test_a_missing_header_variable_names_action_header_and_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "actions.yaml"
    path.write_text(WITH_HEADER.format(value="Bearer ${RESET_TOKEN}"))
    monkeypatch.delenv("RESET_TOKEN", raising=False)
    with pytest.raises(ActionError) as caught:
        load_actions(path, {"password_reset"})
    assert str(caught.value) == (
        f"{path}: action 'password_reset': header 'Authorization' needs environment variable RESET_TOKEN, which is not set (or empty)"
    )
    monkeypatch.setenv("RESET_TOKEN", "tok-\r\nX-Injected: 1")
    with pytest.raises(ActionError, match=r"RESET_TOKEN \(header 'Authorization'\) contains a line break") as caught:
        load_actions(path, {"password_reset"})
    assert "tok-" not in str(caught.value)
    path.write_text(WITH_HEADER.format(value="Bearer ${reset-token}"))
    with pytest.raises(ActionError, match="not an environment variable") as caught:
        load_actions(path, {"password_reset"})
    assert "reset-token" not in str(caught.value)
    monkeypatch.setenv("RESET_TOKEN", "s3cret-token")
    path.write_text(WITH_HEADER.format(value="Bearer ${RESET_TOKEN}"))
    assert load_actions(path, {"password_reset"}).intents() == ["password_reset"]


def test_a_header_variable_gone_at_call_time_fails_without_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESET_TOKEN", raising=False)
    sent = len(received)
    result = asyncio.run(run_with_server("/ok", headers={"Authorization": "Bearer ${RESET_TOKEN}"}))
    assert not result.ok and result.message == HANDOFF_MESSAGE  # type: ignore[attr-defined]
    assert result.detail == "header 'Authorization' needs environment variable RESET_TOKEN, which is not set"  # type: ignore[attr-defined]
    assert len(received) == sent


@pytest.mark.parametrize(
    ("path", "token"), [("/500", "tok-SECRET-42"), ("/html", "tok-SECRET-42"), ("/ok", "tok-SECRET\r\nX-Evil: 1")]
)
def test_secret_header_values_never_reach_logs_or_details(
    path: str, token: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RESET_TOKEN", token)
    with caplog.at_level(logging.DEBUG):
        result = asyncio.run(run_with_server(path, headers={"Authorization": "Bearer ${RESET_TOKEN}"}))
        nobody = WebhookAction("reset", "http://127.0.0.1:9/", headers={"Authorization": "${RESET_TOKEN}"})
        refused = asyncio.run(nobody.run(REQUEST))
    for outcome in (result, refused):
        assert not outcome.ok and "SECRET" not in repr(outcome)  # type: ignore[attr-defined]
    assert "SECRET" not in caplog.text
