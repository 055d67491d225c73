"""Is this process ready to take customers? Named checks for `/readyz` (bot.ops_server).

Ready means: the database answers `SELECT 1`, a model and a knowledge index are loaded, and every
platform adapter is connected. A check returns a bool or raises; a failure is reported by name and
exception type only, since an exception's text may quote a database URL with its password.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text

from bot.core.adapter import Adapter
from bot.core.app import SupportBot

TIMEOUT_SECONDS = 3.0  # a check that hangs (a database behind a dead network) counts as failed


@dataclass(frozen=True)
class Check:
    name: str
    probe: Callable[[], bool | Awaitable[bool]]


@dataclass(frozen=True)
class Readiness:
    results: dict[str, str]  # check name -> "ok", "not ready", "timed out" or "error: ExceptionType"

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.results.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.results.items() if result != "ok"]


async def _run(check: Check, timeout: float) -> str:
    try:
        async with asyncio.timeout(timeout):
            result = check.probe()
            if inspect.isawaitable(result):
                result = await result
    except TimeoutError:
        return "timed out"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok" if result else "not ready"


async def evaluate(checks: Sequence[Check], timeout: float = TIMEOUT_SECONDS) -> Readiness:
    results = await asyncio.gather(*(_run(check, timeout) for check in checks))
    return Readiness(dict(zip((check.name for check in checks), results, strict=True)))


def database(engine: Engine) -> Check:
    def select_one() -> bool:
        with engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1

    return Check("database", lambda: asyncio.to_thread(select_one))


def adapter_connected(adapter: Adapter) -> Check:
    """The adapter's own `connected()` (Slack, Discord); one without it is always connected (the console)."""
    own = getattr(adapter, "connected", None)
    return Check(adapter.name, (lambda: bool(own())) if callable(own) else (lambda: True))


def standard_checks(bot: SupportBot, adapters: Iterable[Adapter] = ()) -> list[Check]:
    """database, model, index, then one check per adapter, named after it (slack, discord, console)."""
    services = bot.services  # reloads replace its fields, not the object: read them at check time
    return [
        database(bot.store.engine),
        Check("model", lambda: services.classifier is not None),
        Check("index", lambda: services.index is not None),
        *(adapter_connected(adapter) for adapter in adapters),
    ]
