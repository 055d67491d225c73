"""/healthz and /readyz on the ops port: ready only with a reachable database, a model and an index
loaded and every platform adapter connected; a 503 names what failed and never quotes an error's text."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from sqlalchemy import create_engine

from bot.adapters.console import ConsoleAdapter
from bot.adapters.slack.adapter import SlackAdapter
from bot.core.metrics import Metrics
from bot.ops_server import OpsServer
from bot.readiness import Check, evaluate, standard_checks
from tests.adapters.slack_rig import prepare, settings_for
from tests.platforms.slack_fake import FakeSlack, fake_slack  # noqa: F401

UNREACHABLE = "postgresql+psycopg://supportbot:secretpw@127.0.0.1:1/supportbot?connect_timeout=2"


def stub_bot(url: str) -> Any:
    """What the ops server reads of a bot: its engine, its loaded services and its metrics."""
    services = SimpleNamespace(classifier=object(), index=object())
    return SimpleNamespace(store=SimpleNamespace(engine=create_engine(url)), services=services, metrics=Metrics())


async def fetch(port: int, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.json()


async def probe(bot: Any, adapters: list[Any], *paths: str) -> list[tuple[int, Any]]:
    server = OpsServer(bot, standard_checks(bot, adapters))
    port = await server.start("127.0.0.1", 0)
    try:
        return [await fetch(port, path) for path in paths]
    finally:
        await server.stop()


def test_ready_when_the_database_answers_and_everything_is_loaded(tmp_path: Path) -> None:
    bot = stub_bot(f"sqlite:///{tmp_path / 'ops.db'}")
    (health, healthy), (status, body) = asyncio.run(probe(bot, [ConsoleAdapter()], "/healthz", "/readyz"))
    assert (health, healthy) == (200, {"status": "ok"})
    assert status == 200
    assert body == {
        "ready": True,
        "failed": [],
        "checks": {"database": "ok", "model": "ok", "index": "ok", "console": "ok"},
    }


def test_an_unreachable_database_is_named_and_its_url_never_shown() -> None:
    bot = stub_bot(UNREACHABLE)
    (health, _), (status, body) = asyncio.run(probe(bot, [ConsoleAdapter()], "/healthz", "/readyz"))
    assert health == 200  # up, just not ready
    assert status == 503 and body["ready"] is False and body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("error: ")
    assert "secretpw" not in str(body) and "127.0.0.1" not in str(body)


def test_a_missing_model_or_index_is_named(tmp_path: Path) -> None:
    bot = stub_bot(f"sqlite:///{tmp_path / 'ops.db'}")
    bot.services.classifier = None
    [(status, body)] = asyncio.run(probe(bot, [], "/readyz"))
    assert status == 503 and body["failed"] == ["model"]


def test_the_slack_adapter_is_ready_only_while_connected(fake_slack: FakeSlack, tmp_path: Path) -> None:  # noqa: F811
    prepare(fake_slack)
    bot = stub_bot(f"sqlite:///{tmp_path / 'ops.db'}")

    async def scenario() -> list[tuple[int, Any]]:
        adapter = SlackAdapter(settings_for(fake_slack))
        server = OpsServer(bot, standard_checks(bot, [adapter]))
        port = await server.start("127.0.0.1", 0)

        async def ignore(_: object) -> None:
            return None

        seen = [await fetch(port, "/readyz")]
        running = asyncio.create_task(adapter.run(ignore))
        await asyncio.wait_for(adapter.ready(), 10)
        seen.append(await fetch(port, "/readyz"))
        await adapter.stop()
        await asyncio.wait_for(running, 10)
        seen.append(await fetch(port, "/readyz"))
        await server.stop()
        return seen

    before, connected, stopped = asyncio.run(scenario())
    assert before[0] == 503 and before[1]["failed"] == ["slack"]
    assert connected == (
        200,
        {"ready": True, "failed": [], "checks": {"database": "ok", "model": "ok", "index": "ok", "slack": "ok"}},
    )
    assert stopped[0] == 503 and stopped[1]["failed"] == ["slack"]


def test_a_check_that_raises_or_hangs_fails_by_name_only() -> None:
    def broken() -> bool:
        raise RuntimeError("password=hunter2")

    async def hangs() -> bool:
        await asyncio.sleep(10)
        return True

    checks = [Check("broken", broken), Check("hangs", hangs), Check("fine", lambda: True)]
    readiness = asyncio.run(evaluate(checks, timeout=0.2))
    assert readiness.results == {"broken": "error: RuntimeError", "hangs": "timed out", "fine": "ok"}
    assert readiness.failed == ["broken", "hangs"] and not readiness.ready


def test_a_taken_port_is_a_clear_configuration_error(tmp_path: Path) -> None:
    from bot.config import ConfigError

    bot = stub_bot(f"sqlite:///{tmp_path / 'ops.db'}")

    async def scenario() -> str:
        first = OpsServer(bot, [])
        port = await first.start("127.0.0.1", 0)
        try:
            await OpsServer(bot, []).start("127.0.0.1", port)
        except ConfigError as exc:
            return str(exc)
        finally:
            await first.stop()
        return ""

    assert "SUPPORTBOT_OPS_PORT" in asyncio.run(scenario())


def test_the_discord_adapter_is_connected_from_ready_until_closed() -> None:
    from pydantic import SecretStr

    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.adapters.discord.settings import DiscordSettings
    from bot.readiness import adapter_connected

    async def scenario() -> list[bool]:
        adapter = DiscordAdapter(DiscordSettings(token=SecretStr("not-a-token")))
        check = adapter_connected(adapter)
        seen = [bool(check.probe())]
        adapter.ready_event.set()  # what on_ready does once the gateway session is up
        seen.append(bool(check.probe()))
        await adapter.stop()
        seen.append(bool(check.probe()))
        return seen

    assert asyncio.run(scenario()) == [False, True, False]
