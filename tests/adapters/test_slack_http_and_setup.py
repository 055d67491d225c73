"""Slack over HTTP (signed requests, bolt's signature check), the app manifest, and `supportbot slack doctor`
against the fake Slack."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.slack.doctor import Context, diagnose
from bot.adapters.slack.manifest import SCOPES, manifest
from bot.adapters.slack.settings import SlackSettings
from bot.core.services import Services
from tests.adapters.slack_rig import AGENTS, ALICE, DM, ROOT, SlackRig, settings_for, slack_rig
from tests.platforms.slack_fake import FakeSlack, fake_slack, message_event, new_ts, signed_request  # noqa: F401

SECRET = "s3cret"


@pytest.fixture
def http_rig(fake_slack: FakeSlack, services: Services, tmp_path: Path) -> Iterator[SlackRig]:  # noqa: F811
    with slack_rig(fake_slack, services, tmp_path, http=True) as running:
        yield running
    assert fake_slack.spec_violations == []


def post(rig: SlackRig, body: str, headers: dict[str, str]) -> int:
    url = f"http://127.0.0.1:{rig.adapter.bound_port}/slack/events"
    request = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_a_signed_event_is_answered_and_a_retry_is_handled_once(http_rig: SlackRig) -> None:
    body = json.dumps(message_event(DM, ALICE, "how do I export a project to csv", ts=new_ts(), channel_type="im"))
    assert post(http_rig, body, signed_request(SECRET, body)) == 200
    retry = {**signed_request(SECRET, body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert post(http_rig, body, retry) == 200
    http_rig.wait_posts(DM, 1)
    time.sleep(0.5)  # give a wrongly doubled reply the time to show up
    assert len(http_rig.posts(DM)) == 1


def test_bad_and_stale_signatures_are_refused_before_the_core(http_rig: SlackRig) -> None:
    body = json.dumps(message_event(DM, ALICE, "I want to talk to a person", ts=new_ts(), channel_type="im"))
    assert post(http_rig, body, signed_request("wrong-secret", body)) == 401
    stale = signed_request(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    assert post(http_rig, body, stale) == 401
    assert post(http_rig, body, {}) == 401
    time.sleep(0.5)
    assert http_rig.posts() == []
    with http_rig.bot.store.session() as session:
        from sqlmodel import select

        from bot.storage.tables import Message

        assert session.exec(select(Message)).all() == []


def test_the_manifest_asks_for_what_the_bot_uses() -> None:
    socket = manifest()
    http = manifest("Acme Help", "/acme", "https://bot.acme.example/slack/events")
    assert socket["settings"]["socket_mode_enabled"] is True and "request_url" not in socket["settings"]["event_subscriptions"]
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["interactivity"]["request_url"] == "https://bot.acme.example/slack/events"
    assert http["features"]["slash_commands"][0] == {**http["features"]["slash_commands"][0], "command": "/acme"}
    assert set(socket["oauth_config"]["scopes"]["bot"]) == set(SCOPES)
    assert "chat:write" in SCOPES and "im:history" in SCOPES and "admin" not in " ".join(SCOPES)


def run_doctor(fake: FakeSlack, settings: SlackSettings, admins: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    from bot.adapters.slack.adapter import web_client

    context = Context(settings, web_client(settings), admins, frozenset(), http=False)
    return [(name, f.level, f.text) for name, f in asyncio.run(diagnose(context))]


def test_doctor_passes_a_good_setup(fake_slack: FakeSlack) -> None:  # noqa: F811
    from tests.adapters.slack_rig import prepare

    prepare(fake_slack)
    results = run_doctor(fake_slack, settings_for(fake_slack), frozenset({f"slack:{ROOT}"}))
    assert [r for r in results if r[1] == "error"] == []
    assert any("agents' channel #support-agents" in text for _, _, text in results)


def test_doctor_names_a_missing_scope_and_a_bot_outside_the_agents_channel(fake_slack: FakeSlack) -> None:  # noqa: F811
    fake_slack.add_channel(AGENTS, "support-agents", is_private=True, members=["U0SAM"], bot_is_member=False)
    fake_slack.set_granted_scopes(set(SCOPES) - {"users:read.email"})
    results = run_doctor(fake_slack, settings_for(fake_slack), frozenset({"slack:U0NOBODY"}))
    errors = [text for _, level, text in results if level == "error"]
    assert any("missing scopes: users:read.email" in e for e in errors)
    assert any(AGENTS in e and ("does not have the bot" in e or "is the bot invited" in e) for e in errors)
    assert any("slack:U0NOBODY" in e for e in errors)


def test_the_command_line_prints_the_manifest_and_runs_the_doctor(
    fake_slack: FakeSlack,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("SUPPORTBOT_SLACK_AGENTS_CHANNEL", AGENTS)  # not created in the fake: the doctor must say so
    assert main(["slack", "manifest", "--name", "Acme Help"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["display_information"]["name"] == "Acme Help"
    assert main(["slack", "doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  agents' channel: agents' channel G0AGENTS: channel_not_found" in out and "xoxb-test" not in out
    monkeypatch.setenv("SUPPORTBOT_SLACK_AGENTS_CHANNEL", "general")
    assert main(["slack", "doctor"]) == 2  # a name, not an id: refused before anything connects
    assert "SUPPORTBOT_SLACK_AGENTS_CHANNEL" in capsys.readouterr().err
