"""The whole bot on Discord for tests: the real discord.py client against the local fake Discord, the real
core on a SQLite file, on a loop in its own thread as in production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.settings import DiscordSettings, GuildConfig
from bot.core.adapter import serve
from bot.core.app import SupportBot
from bot.core.services import Services
from tests.core.conftest import make_bot
from tests.platforms.discord_fake import (
    BOT_TOKEN,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    SUPPORT_CHANNEL_ID,
    FakeDiscord,
    LoopThread,
    discord_py_pointed_at,
)


def settings_for(fake: FakeDiscord) -> DiscordSettings:
    guild = GuildConfig(
        guild=GUILD_ID,
        staff_channel=STAFF_CHANNEL_ID,
        staff_role=STAFF_ROLE_ID,
        support_channels=[SUPPORT_CHANNEL_ID],
        forum_channels=[FORUM_CHANNEL_ID],
    )
    return DiscordSettings(token=SecretStr(BOT_TOKEN), api_url=fake.api_base, gateway_url=fake.gateway_url, guilds=[guild])


@dataclass
class DiscordRig:
    fake: FakeDiscord
    bot: SupportBot
    adapter: DiscordAdapter
    runner: LoopThread
    task: Any = None

    def start(self) -> None:
        import asyncio

        self.task = asyncio.run_coroutine_threadsafe(serve(self.bot, self.adapter), self.runner.loop)
        self.runner.run(asyncio.wait_for(self.adapter.ready(), 15), timeout=20)

    def stop(self) -> None:
        self.runner.run(self.adapter.stop())
        self.task.result(10)  # serve() ended without an exception

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        return self.fake.messages(channel_id)

    def wait(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        import time

        deadline = time.monotonic() + timeout
        while not (result := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.02)
        return result


@contextmanager
def discord_rig(fake: FakeDiscord, services: Services, tmp_path: Path) -> Iterator[DiscordRig]:
    with discord_py_pointed_at(fake):
        bot = make_bot(f"sqlite:///{tmp_path / 'discord.db'}", services)
        runner = LoopThread("bot")
        rig = DiscordRig(fake, bot, DiscordAdapter(settings_for(fake)), runner)
        rig.start()
        try:
            yield rig
        finally:
            rig.stop()
            runner.close()
            bot.store.engine.dispose()
