"""Several real bot processes on one PostgreSQL database, driven like a platform would drive them.

`Cluster` starts `benchmarks.cluster_worker` processes (the real core, each with its own model copy) and
posts events to them; `Collector` is the platform's side that receives every send (and can answer 5xx
or 429 on demand); `check` reads the database and the collector and counts what was stored, decided,
answered, lost and doubled. Used by tests/scale (the 4-process test), benchmarks/faults.py and
benchmarks/throughput.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from benchmarks.common import REPO
from bot.storage.tables import Decision, Message, OutboxItem

HELDOUT_INTENTS = REPO / "models" / "intents" / "orbitask.test.yaml"


# The platform's side ---------------------------------------------------------------------------


@dataclass
class Collector:
    """Receives every outbound event; `failing` decides the HTTP status of each send (200: taken)."""

    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    failing: Callable[[dict[str, Any]], int] | None = None
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        async def send(request: web.Request) -> web.Response:
            payload = json.loads(await request.text())
            status = self.failing(payload) if self.failing else 200
            if status != 200:
                self.refused += 1
                headers = {"Retry-After": "1"} if status == 429 else {}
                return web.json_response({"ok": False}, status=status, headers=headers)
            self.received.append({**payload, "_worker": request.headers.get("X-Worker"), "_at": time.monotonic()})
            return web.json_response({"ok": True, "ref": f"ref-{len(self.received)}"})

        server = web.Application(client_max_size=4 << 20)
        server.router.add_post("/send", send)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def customer_texts(self) -> dict[str, list[str]]:
        """What each customer's place received, in order."""
        by_place: dict[str, list[str]] = {}
        for item in self.received:
            place = item.get("place")
            if item.get("__type__") in ("CustomerReply", "RatingRequest") and isinstance(place, dict):
                by_place.setdefault(place["channel_id"], []).append(_plain(item.get("text")))
        return by_place


def _plain(rich: Any) -> str:
    if isinstance(rich, dict):
        return "".join(str(span.get("text", "")) for span in rich.get("spans", ()))
    return str(rich)


# The bot's side ----------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


class Cluster:
    def __init__(self, database_url: str, collector_url: str, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.collector_url = collector_url
        self.env = env or {}
        self.workers: list[Worker] = []
        self.folder = Path(tempfile.mkdtemp(prefix="supportbot-cluster-"))

    def prepare(self) -> None:
        """Migrate the database and fill the model's caches once, before several processes start."""
        env = {**os.environ, "DATABASE_URL": self.database_url, "HF_HUB_OFFLINE": "1", **self.env}
        subprocess.run([sys.executable, "-m", "benchmarks.cluster_worker", "--prepare"], cwd=REPO, env=env, check=True)

    def start(self, processes: int, timeout: float = 300) -> None:
        """Start `processes` workers and wait until each takes events (each loads the model: seconds)."""
        pending = [self._spawn(n) for n in range(processes)]
        deadline = time.monotonic() + timeout
        for ready, process, log in pending:
            while not ready.exists():
                if process.poll() is not None:
                    raise RuntimeError(f"a worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"a worker did not start in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
            self.workers.append(Worker(process, json.loads(ready.read_text())["port"], log))

    def _spawn(self, n: int) -> tuple[Path, subprocess.Popen[bytes], Path]:
        ready = self.folder / f"ready-{n}-{time.monotonic_ns()}.json"
        log = self.folder / f"worker-{n}-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SUPPORTBOT_TORCH_THREADS": "1",
            "HF_HUB_OFFLINE": "1",
            "SUPPORTBOT_OPS_PORT": "0",
            **self.env,
        }
        command = [sys.executable, "-m", "benchmarks.cluster_worker", "--collector", self.collector_url]
        command += ["--ready-file", str(ready)]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        return ready, process, log

    def kill(self, n: int, sig: int = signal.SIGKILL) -> None:
        self.workers[n].process.send_signal(sig)
        self.workers[n].process.wait(30)

    def replace(self, n: int, timeout: float = 300) -> None:
        """Start a fresh process in slot `n` (after a kill)."""
        ready, process, log = self._spawn(n)
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the replacement worker failed:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        self.workers[n] = Worker(process, json.loads(ready.read_text())["port"], log)

    def alive(self) -> list[int]:
        return [n for n, w in enumerate(self.workers) if w.process.poll() is None]

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(20)
            except subprocess.TimeoutExpired:
                worker.process.kill()

    def rss_mib(self) -> list[float]:
        sizes = []
        for worker in self.workers:
            status = Path(f"/proc/{worker.process.pid}/status")
            lines = status.read_text().splitlines() if status.exists() else []
            sizes += [int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")]
        return sizes

    async def post(self, http: ClientSession, n: int, body: dict[str, Any]) -> int:
        """Deliver one event to worker `n`; the HTTP status (0 when the process is gone)."""
        try:
            async with http.post(f"http://127.0.0.1:{self.workers[n].port}/events", json=body) as response:
                return response.status
        except (TimeoutError, ClientError, OSError):
            return 0


def client(timeout: float = 120) -> ClientSession:
    return ClientSession(timeout=ClientTimeout(total=timeout))


# Workload ----------------------------------------------------------------------------------------


def customer_messages(customers: int, per_customer: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Each customer's messages, in the order they write them: held-out phrasings of every intent."""
    import yaml

    data = yaml.safe_load(HELDOUT_INTENTS.read_text(encoding="utf-8"))
    texts = [text for intent in data["intents"].values() for text in intent["examples"]]
    rng = random.Random(seed)
    return {
        f"c{c:04d}": [{"id": f"c{c:04d}-m{m:02d}", "user": f"c{c:04d}", "text": rng.choice(texts)} for m in range(per_customer)]
        for c in range(customers)
    }


# Checking ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    sent: int  # distinct events the platform delivered (re-deliveries not counted)
    stored: int  # customer messages in the database
    decided: int  # with a decision row
    answered: int  # decided, and every reply it produced confirmed sent
    lost: int  # delivered, and not stored, not decided, or with a reply never sent
    doubled_messages: int  # an event stored twice
    doubled_decisions: int  # a message decided twice
    doubled_sends: int  # an outbox item the platform received twice (command answers skip the outbox)
    out_of_order: int  # conversations whose stored order differs from the order the customer wrote
    pending: int
    failed: int

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def check(engine: Engine, written: dict[str, list[dict[str, Any]]], collector: Collector) -> Tally:
    ids = {m["id"] for messages in written.values() for m in messages}
    with Session(engine) as session:
        rows = session.exec(
            select(Message.platform_message_id, Message.state, Message.conversation_id, Message.id).where(
                Message.author == "customer", Message.direction == "inbound"
            )
        ).all()
        per_message = Counter(
            session.exec(select(Decision.message_id)).all()
        )
        outbox = Counter(session.exec(select(OutboxItem.status)).all())
        unsent = set(
            session.exec(select(OutboxItem.inbound_id).where(col(OutboxItem.status) != "sent")).all()
        )
        sent_items = session.exec(select(func.count()).select_from(OutboxItem).where(col(OutboxItem.status) == "sent")).one()
    stored = Counter(r[0] for r in rows)
    done = {r[0] for r in rows if r[1] in ("decided", "done") and r[3] not in unsent}  # decided, and all of it sent
    order_by_id = sorted((r[3], r[0]) for r in rows if r[0] in ids)
    out_of_order = 0
    for user, messages in written.items():
        expected = [m["id"] for m in messages]
        seen = [mid for _, mid in order_by_id if mid is not None and mid.startswith(user + "-")]
        out_of_order += seen != expected
    decided_ids = {r[3] for r in rows if r[3] is not None and per_message.get(r[3])}
    return Tally(
        sent=len(ids),
        stored=sum(1 for i in ids if stored.get(i)),
        decided=len(decided_ids),
        answered=len(ids & done),
        lost=len(ids) - len(ids & done),
        doubled_messages=sum(1 for i in ids if stored.get(i, 0) > 1),
        doubled_decisions=sum(1 for count in per_message.values() if count > 1),
        doubled_sends=max(0, sum(1 for r in collector.received if r.get("__type__") != "CommandResponse") - int(sent_items)),
        out_of_order=out_of_order,
        pending=outbox.get("pending", 0),
        failed=outbox.get("failed", 0),
    )


async def drive(
    cluster: Cluster,
    written: dict[str, list[dict[str, Any]]],
    duplicate_share: float = 0.1,
    seed: int = 11,
    retry_for: float = 60.0,
    fault_at: int | None = None,
    fault: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> list[float]:
    """Each customer writes their messages one after another, each sent to a random process (a share of
    them also, at the same moment, to another: a re-delivery); customers write side by side. A delivery
    that fails (the process died) is re-sent to another process, as a platform retries. Returns each
    event's reply time (seconds). `fault` runs once, beside the traffic, when `fault_at` events are done."""
    rng = random.Random(seed)
    times: list[float] = []
    faults: list[asyncio.Task[None]] = []

    async def deliver(http: ClientSession, body: dict[str, Any]) -> None:
        started = time.monotonic()
        deadline = started + retry_for
        while True:
            alive = cluster.alive()
            targets = rng.sample(alive, 2) if len(alive) > 1 and rng.random() < duplicate_share else [rng.choice(alive)]
            statuses = await asyncio.gather(*(cluster.post(http, n, body) for n in targets))
            if 200 in statuses:
                times.append(time.monotonic() - started)
                if fault is not None and len(times) == fault_at:
                    faults.append(asyncio.create_task(fault()))
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"event {body['id']} was not taken: {statuses}")
            await asyncio.sleep(0.5)

    async def customer(http: ClientSession, messages: list[dict[str, Any]]) -> None:
        for body in messages:
            await deliver(http, body)

    async with client() as http:
        await asyncio.gather(*(customer(http, messages) for messages in written.values()))
    for task in faults:
        await task
    return times


async def settle(engine: Engine, seconds: float = 60) -> None:
    """Wait until nothing is pending in the outbox (the processes' retry loops catch up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with Session(engine) as session:
            pending = session.exec(select(func.count()).select_from(OutboxItem).where(col(OutboxItem.status) == "pending")).one()
        if not pending:
            return
        await asyncio.sleep(0.5)
