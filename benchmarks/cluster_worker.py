"""One bot process of a test cluster: the real core (`build_bot`: model, knowledge base, policy, the
database from DATABASE_URL) behind a small webhook platform, for the scale-out tests, the fault suite
and the throughput benchmark (benchmarks/cluster.py starts several and drives them).

The platform is deliberately plain: `POST /events` with a JSON event is handled before it is answered
(as Slack's HTTP mode with `process_before_response`, or a queue consumer that acks after the work), and
every outbound event is POSTed to the driver's collector, which can answer 5xx or 429 to play an
unhealthy platform. The bot's own scheduler runs (outbox retries, recovery), as in production.

    python -m benchmarks.cluster_worker --port 0 --collector http://127.0.0.1:PORT --ready-file F
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot.core.adapter import EventSink, serve
from bot.core.events import CustomerMessage, InboundEvent, OutboundEvent, Person, Place, SlashCommand
from bot.core.outbox import encode

PLATFORM = "web"


class PlatformError(Exception):
    """The collector refused a send (its status is the code the bot records)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"platform answered {status}")
        self.status = status


def inbound(body: dict[str, Any]) -> InboundEvent:
    person = Person(PLATFORM, str(body["user"]), str(body.get("name") or body["user"]))
    if body.get("kind") == "command":
        return SlashCommand(person, str(body["name"]), str(body.get("text", "")), None, str(body["id"]))
    return CustomerMessage(str(body["id"]), person, Place(PLATFORM, f"dm-{body['user']}"), str(body["text"]))


class WebhookAdapter:
    name = PLATFORM

    def __init__(self, port: int, collector: str, ready_file: Path | None) -> None:
        self.port = port
        self.collector = collector.rstrip("/")
        self.ready_file = ready_file
        self.http: ClientSession | None = None
        self._stopped = asyncio.Event()

    async def run(self, sink: EventSink) -> None:
        async def events(request: web.Request) -> web.Response:
            await sink(inbound(await request.json()))
            return web.json_response({"ok": True, "pid": os.getpid()})

        server = web.Application(client_max_size=1 << 20)
        server.router.add_post("/events", events)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self.ready_file is not None:
            self.ready_file.write_text(json.dumps({"port": port, "pid": os.getpid()}))
        try:
            await self._stopped.wait()
        finally:
            await runner.cleanup()
            if self.http is not None:
                await self.http.close()

    async def send(self, event: OutboundEvent) -> str | None:
        if self.http is None:
            self.http = ClientSession(timeout=ClientTimeout(total=10))
        async with self.http.post(f"{self.collector}/send", data=encode(event), headers={"X-Worker": str(os.getpid())}) as r:
            if r.status != 200:
                raise PlatformError(r.status)
            return str((await r.json())["ref"])

    async def stop(self) -> None:
        self._stopped.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--collector", default="")
    parser.add_argument("--ready-file", type=Path)
    parser.add_argument("--prepare", action="store_true", help="build the index and answer gate caches, then exit")
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("SUPPORTBOT_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s %(message)s")
    from bot.config import load_settings
    from bot.runtime import build_bot

    bot = build_bot(load_settings())
    if args.prepare:  # one process fills the caches, so the workers do not race to write them
        return
    asyncio.run(serve(bot, WebhookAdapter(args.port, args.collector, args.ready_file)))


if __name__ == "__main__":
    main()
