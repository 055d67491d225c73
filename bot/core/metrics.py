"""What the bot counts and times, for Prometheus (`/metrics`, served by bot.ops_server).

Each `SupportBot` owns one `Metrics` with its own registry, so several bots in one process (tests,
`supportbot run` with one bot) never collide. Labels carry platforms, paths, triggers, stages and
kinds only: never a customer's words or ids, which would also make the series unbounded.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, Info, generate_latest

from bot import __version__
from bot.core.outcomes import Outcome

T = TypeVar("T")
CONTENT_TYPE = CONTENT_TYPE_LATEST
STAGES = ("classify", "retrieve", "action", "store", "send")
# From a millisecond (a SQLite write) to tens of seconds (a platform that retries a send).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._received = Counter(
            "supportbot_messages_received", "Customer messages received, re-deliveries included", ["platform"], registry=r
        )
        self._decisions = Counter(
            "supportbot_decisions", "Decisions on customer turns by path (the stored Decision.outcome)", ["path"], registry=r
        )
        self._escalations = Counter(
            "supportbot_escalations",
            "Escalation triggers that fired on handed-off turns (one turn may fire several)",
            ["trigger"],
            registry=r,
        )
        self._stage = Histogram(
            "supportbot_stage_seconds", "Time spent per pipeline stage", ["stage"], buckets=BUCKETS, registry=r
        )
        self._lock_wait = Histogram(
            "supportbot_lock_wait_seconds",
            "Time an event waited for its conversation's or ticket's turn (queued behind another event)",
            buckets=BUCKETS,
            registry=r,
        )
        self._sent = Counter("supportbot_sent", "Outbound events the platform confirmed, by kind", ["kind"], registry=r)
        self._send_failed = Counter(
            "supportbot_send_failures",
            "Outbound events the platform refused (left in the outbox to retry), by kind",
            ["kind"],
            registry=r,
        )
        self._build = Info("supportbot_build", "The running supportbot, model and knowledge base", registry=r)
        for stage in STAGES:  # known series start at zero, so a rate() works from the first scrape
            self._stage.labels(stage=stage)
        for outcome in Outcome:
            self._decisions.labels(path=outcome.value)
        self.versions("-", "-")

    def received(self, platform: str) -> None:
        self._received.labels(platform=platform).inc()

    def decided(self, path: str, triggers: Sequence[str] = ()) -> None:
        """One decision recorded; `triggers` are the escalation triggers that fired on it, if any."""
        self._decisions.labels(path=path).inc()
        for trigger in triggers:
            self._escalations.labels(trigger=trigger).inc()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a block as `supportbot_stage_seconds{stage=name}`, whether it succeeds or raises."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self._stage.labels(stage=name).observe(time.perf_counter() - started)

    async def timed(self, name: str, awaitable: Awaitable[T]) -> T:
        """`await` one call as a stage: `await bot.metrics.timed("classify", ...)`."""
        with self.stage(name):
            return await awaitable

    def lock_wait(self, seconds: float) -> None:
        self._lock_wait.observe(seconds)

    def sent(self, kind: str) -> None:
        self._sent.labels(kind=kind).inc()

    def send_failed(self, kind: str) -> None:
        self._send_failed.labels(kind=kind).inc()

    def versions(self, model: str, kb: str) -> None:
        """`supportbot_build_info{version, model, kb} 1`: which model and knowledge base answer right now."""
        self._build.info({"version": __version__, "model": model, "kb": kb})

    def render(self) -> bytes:
        return generate_latest(self.registry)
