"""The operator's HTTP port: `/metrics` (Prometheus), `/healthz` (the process is up) and `/readyz`
(200 only when every readiness check passes, else 503 naming the failed ones).

It binds to SUPPORTBOT_OPS_HOST (127.0.0.1 by default: metrics are for the scraper next to the bot,
not the internet) and is never on the path of a customer's message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any

from aiohttp import web

from bot.config import ConfigError, Settings
from bot.core.adapter import Adapter
from bot.core.app import SupportBot
from bot.core.metrics import CONTENT_TYPE
from bot.readiness import Check, evaluate, standard_checks
from bot.versions import kb_version, model_version

log = logging.getLogger("supportbot.ops")


def _json(body: object, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


class OpsServer:
    def __init__(self, bot: SupportBot, readiness_checks: Sequence[Check]) -> None:
        self.bot = bot
        self.checks = list(readiness_checks)
        self.port: int | None = None  # the bound port once started (useful with port 0)
        self._runner: web.AppRunner | None = None
        self._versions_of: tuple[object, object] | None = None

    async def start(self, host: str, port: int) -> int:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        runner = web.AppRunner(app, access_log=None)  # a scrape every few seconds is not news
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"SUPPORTBOT_OPS_PORT: cannot listen on {host}:{port} ({exc.strerror}); pick another port, or 0 to turn it off"
            ) from None
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("ops.listening host=%s port=%s paths=/metrics,/healthz,/readyz", host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _refresh_versions(self) -> None:
        """Fingerprint the model and knowledge base again only when a reload swapped them."""
        services = self.bot.services
        loaded = (services.classifier, services.index)
        if self._versions_of is None or any(a is not b for a, b in zip(self._versions_of, loaded, strict=True)):
            self.bot.metrics.versions(model_version(services.classifier), kb_version(services.index))
            self._versions_of = loaded

    async def _metrics(self, _: web.Request) -> web.Response:
        self._refresh_versions()
        response = web.Response(body=self.bot.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def _healthz(self, _: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        readiness = await evaluate(self.checks)
        body = {"ready": readiness.ready, "failed": readiness.failed, "checks": readiness.results}
        return _json(body, 200 if readiness.ready else 503)


async def with_ops(settings: Settings, bot: SupportBot, adapters: Iterable[Adapter], serving: Coroutine[Any, Any, None]) -> None:
    """Run `serving` (the adapters' loop) with the ops port open beside it, when SUPPORTBOT_OPS_PORT is set."""
    if not settings.ops_port:
        await serving
        return
    server = OpsServer(bot, standard_checks(bot, adapters))
    try:
        await server.start(settings.ops_host, settings.ops_port)
    except ConfigError:
        serving.close()  # it never runs: no "coroutine was never awaited" warning
        raise
    try:
        await serving
    finally:
        await server.stop()
