"""One desk for both platforms, end to end: a Discord customer's ticket is worked in the Slack agents'
channel, through the real discord.py and slack_bolt against both local fakes, over one bot."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.slack.adapter import SlackAdapter
from bot.core.adapter import serve_all
from bot.core.services import Services
from tests.adapters import discord_rig, slack_rig
from tests.adapters.slack_rig import AGENTS, SAM
from tests.core.conftest import make_bot
from tests.platforms.discord_fake import (  # noqa: F401
    CUSTOMER_ID,
    FakeDiscord,
    LoopThread,
    customer_user,
    discord_py_pointed_at,
    fake_discord,
    message_create,
)
from tests.platforms.slack_fake import FakeSlack, fake_slack, view_submission  # noqa: F401


def test_a_discord_customer_is_answered_from_the_slack_desk(
    fake_slack: FakeSlack,  # noqa: F811
    fake_discord: FakeDiscord,  # noqa: F811
    services: Services,
    tmp_path: Path,
) -> None:
    slack_rig.prepare(fake_slack)
    with discord_py_pointed_at(fake_discord):
        bot = make_bot(f"sqlite:///{tmp_path / 'both.db'}", services)
        slack = SlackAdapter(slack_rig.settings_for(fake_slack), port=0, host="127.0.0.1")
        discord = DiscordAdapter(discord_rig.settings_for(fake_discord))
        runner = LoopThread("bot")
        task = asyncio.run_coroutine_threadsafe(serve_all(bot, {"slack": slack, "discord": discord}, "slack"), runner.loop)
        try:

            async def both_ready() -> None:
                await asyncio.gather(slack.ready(), discord.ready())

            runner.run(asyncio.wait_for(both_ready(), 15), timeout=20)
            fake_slack.wait_connected()
            dm = fake_discord.open_dm(CUSTOMER_ID)["id"]
            fake_discord.dispatch(
                "MESSAGE_CREATE", message_create(dm, customer_user(), "I want to talk to a person about my invoice")
            )
            card = fake_slack.wait_for(
                lambda calls: [c for c in calls if c.method == "chat.postMessage" and c.params.get("channel") == AGENTS],
                timeout=20,
            )[0]
            blocks = card.params["blocks"] if isinstance(card.params["blocks"], list) else json.loads(card.params["blocks"])
            reply = next(
                e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Reply to customer"
            )
            ts = fake_slack.messages(AGENTS)[0].ts
            rig = slack_rig.SlackRig(fake_slack, bot, slack)
            rig.press(SAM, AGENTS, {"ts": ts, **card.params}, reply["action_id"], reply["value"])
            opened = fake_slack.wait_for(lambda calls: [c for c in calls if c.method == "views.open" and c.ok], timeout=20)
            view = opened[0].params["view"]
            view = json.loads(view) if isinstance(view, str) else view
            fake_slack.push_envelope(
                "interactive",
                view_submission(
                    SAM, "slack.reply", {"text": {"text": "Hi from Slack!"}}, private_metadata=view["private_metadata"]
                ),
            )
            end = time.monotonic() + 20
            while not any("Hi from Slack!" in (m.get("content") or "") for m in fake_discord.messages(dm)):
                assert time.monotonic() < end, "the Slack agent's reply never reached the Discord customer"
                time.sleep(0.05)
        finally:
            runner.run(slack.stop())
            runner.run(discord.stop())
            task.result(10)
            runner.close()
            bot.store.engine.dispose()
    assert fake_slack.spec_violations == [] and fake_discord.spec_violations == []
