"""The whole bot on Slack for tests: the real bolt app and slack_sdk, the real core on a SQLite file,
and the local fake Slack. The bot runs on its own event loop in a thread, as in production; the test
pushes Slack payloads and waits for the Web API calls the bot makes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.core.adapter import serve
from bot.core.app import SupportBot
from bot.core.directory import CustomerDirectory, load_directory
from bot.core.services import Services
from tests.core.conftest import make_bot
from tests.platforms.common import LoopThread
from tests.platforms.slack_fake import Call, FakeSlack, block_action, message_event, new_ts, slash_command

AGENTS = "G0AGENTS"
SUPPORT = "C0SUPPORT"
CONNECT = "C0CONNECT"  # a Slack Connect channel shared with Initech
DM = "D0ALICE"
ALICE, SAM, MALLORY, ROOT = "U0ALICE", "U0SAM", "U0MALLORY", "U0ROOT"
INITECH_TEAM = "T0INITECH"


def prepare(fake: FakeSlack) -> None:
    fake.add_user(ALICE, "alice", email="alice@kestrel.example", real_name="Alice Doe")
    fake.add_user(SAM, "sam", email="sam@ourco.example", real_name="Sam Agent")
    fake.add_user(MALLORY, "mallory", email="m@initech.example", real_name="Mallory", team_id=INITECH_TEAM)
    fake.add_user(ROOT, "root", real_name="Root Admin")
    fake.add_channel(AGENTS, "support-agents", is_private=True, members=[SAM, ROOT])
    fake.add_channel(SUPPORT, "help", members=[ALICE])
    fake.add_channel(CONNECT, "initech-support", is_ext_shared=True, external_team_id=INITECH_TEAM, members=[MALLORY])
    fake.add_channel(DM, "", is_im=True, members=[ALICE])


@dataclass
class SlackRig:
    fake: FakeSlack
    bot: SupportBot
    adapter: SlackAdapter
    runner: LoopThread = field(default_factory=lambda: LoopThread("bot"))
    task: Any = None

    def start(self) -> None:
        self.task = asyncio.run_coroutine_threadsafe(serve(self.bot, self.adapter), self.runner.loop)
        self.runner.run(asyncio.wait_for(self.adapter.ready(), 10), timeout=15)
        if not self.adapter.http:
            self.fake.wait_connected()

    def stop(self) -> None:
        self.runner.run(self.adapter.stop(), timeout=5)
        self.task.result(10)  # serve() returned without an exception
        self.runner.close()  # cancels and awaits what bolt left running, so nothing is destroyed pending

    # Pushing -------------------------------------------------------------------------------------

    def event(self, body: dict[str, Any], envelope_id: str | None = None, retry: int = 0, **extra: Any) -> str:
        """Push an `event_callback` body (from the fake's builders); `extra` goes into its event."""
        body = {**body, "event": {**body["event"], **extra}}
        return self.fake.push_envelope("events_api", body, envelope_id=envelope_id, retry_attempt=retry)

    def dm(self, text: str, ts: str | None = None) -> str:
        ts = ts or new_ts()
        self.event(message_event(DM, ALICE, text, ts=ts, channel_type="im"))
        return ts

    def press(self, user: str, channel: str, message: Call | dict[str, Any], action_id: str, value: str) -> str:
        posted = message.params if isinstance(message, Call) else message
        ts = str(posted.get("ts") or self.fake.calls_to("chat.postMessage")[-1].params.get("ts", new_ts()))
        body = block_action(user, channel, ts, action_id, value, self.fake.new_trigger_id(), message={"ts": ts, **posted})
        return self.fake.push_envelope("interactive", body)

    def command(self, user: str, text: str, channel: str = DM) -> str:
        body = slash_command(
            user, "/supportbot", text, channel, self.fake.new_trigger_id(), response_url=self.fake.new_response_url()
        )
        return self.fake.push_envelope("slash_commands", dict(body))

    # Waiting ---------------------------------------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[Call]:
        return [
            c for c in self.fake.calls_to("chat.postMessage") if c.ok and (channel is None or c.params.get("channel") == channel)
        ]

    def wait_posts(self, channel: str, count: int, timeout: float = 20.0) -> list[Call]:
        self.fake.wait_for(lambda calls: len(self.posts(channel)) >= count, timeout=timeout)
        return self.posts(channel)

    def wait(self, predicate: Callable[[list[Call]], Any], timeout: float = 20.0) -> Any:
        return self.fake.wait_for(predicate, timeout=timeout)


def settings_for(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(
        bot_token=SecretStr("xoxb-test"),
        app_token=SecretStr("xapp-test"),
        signing_secret=SecretStr("s3cret"),
        api_url=fake.base_url,
        agents_channel=AGENTS,
        support_channels=f"{SUPPORT},{CONNECT}",
    )


def directory_file(tmp_path: Path) -> Path:
    path = tmp_path / "customers.yaml"
    path.write_text(
        "customers:\n"
        "  - company: Initech\n    tier: enterprise\n    account_value: 250000\n"
        f"    match: [slack-team:{INITECH_TEAM}, email-domain:initech.example]\n"
        "  - company: Kestrel Labs\n    tier: team\n    account_value: 6000\n    match: [email-domain:kestrel.example]\n",
        encoding="utf-8",
    )
    return path


@contextmanager
def slack_rig(fake: FakeSlack, services: Services, tmp_path: Path, http: bool = False) -> Iterator[SlackRig]:
    prepare(fake)
    bot = make_bot(f"sqlite:///{tmp_path / 'slack.db'}", services)
    bot.access = type(bot.access)(frozenset({f"slack:{ROOT}"}), frozenset())
    bot.directory = CustomerDirectory(load_directory(directory_file(tmp_path)))
    rig = SlackRig(fake, bot, SlackAdapter(settings_for(fake), http=http, port=0, host="127.0.0.1"))
    rig.start()
    try:
        yield rig
    finally:
        rig.stop()
        bot.store.engine.dispose()
