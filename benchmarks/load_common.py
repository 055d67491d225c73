"""What the two platform load benchmarks (`benchmarks.slack_load`, `benchmarks.discord_load`) share.

Both push customer DMs through a real adapter against a local fake platform and judge the run the same way:
the same latency summaries, the same checks on the bot's own tables, the same log counting, the same CLI
flags for the load's shape and the same result file. Keeping those here means a fix to a check or a figure
lands in both benchmarks at once, so their JSON results stay comparable. Everything platform-specific (the
fake, the driver, the bot's thread, the extra figures) stays in each script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import torch
from sqlmodel import Session, select

from benchmarks.common import peak_rss_mib, scratch_postgres, write_result
from bot.config import BUNDLED_INTENTS_TEST, load_settings
from bot.core.app import SupportBot
from bot.model_store import ensure_model
from bot.runtime import build_bot
from bot.storage.tables import Decision, Message, OutboxItem
from models.dataset import load_data

RELAY_NOTICE = re.compile(r"\b(cust\d{4,}) wrote:")  # the bot's relay of a customer's message to the agents
VARIABLE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\d+")  # ids and numbers, so log lines group by kind
REPLY_KINDS = ("CustomerReply", "RatingRequest")  # outbox kinds that post into the customer's DM
POLL_S = 0.002
QUIET_S = 1.5  # after the last event: no new post for this long means the bot is done

Position = TypeVar("Position", int, float)  # where a post sits in its channel: a Slack ts or a Discord snowflake


class LoadCustomer(Protocol):
    """The parts of a script's customer the shared checks read."""

    @property
    def number(self) -> int: ...

    @property
    def channel(self) -> str: ...


class LoadEvent(Protocol):
    """The parts of a script's event (one customer message) the shared checks and figures read."""

    @property
    def key(self) -> str: ...

    @property
    def n(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def customer(self) -> LoadCustomer: ...

    @property
    def reply(self) -> object: ...

    @property
    def answered_via(self) -> str: ...

    @property
    def lost(self) -> bool: ...

    @property
    def late(self) -> bool: ...


class LoadDriver(Protocol):
    """A script's driver: `run()` pushes the load and returns when the last event was settled, `drain()`
    waits for the bot to go quiet."""

    def run(self) -> float: ...

    def drain(self, limit: float = 30.0) -> None: ...


E = TypeVar("E", bound=LoadEvent)


# --------------------------------------------------------------------------------------------- the load


def test_texts() -> list[str]:
    """The customer messages: the held-out test split, so the model sees texts it was not trained on."""
    return [e.text for e in load_data(BUNDLED_INTENTS_TEST).examples]


def text_pool(texts: list[str], events: int, rng: random.Random) -> list[str]:
    """`events` texts in a seeded order, every test message once before any repeats."""
    pool: list[str] = []
    while len(pool) < events:
        batch = list(texts)
        rng.shuffle(batch)
        pool += batch
    return pool


def customer_count(events: int, per_customer: int) -> int:
    """Customers needed for `events` messages at `per_customer` each (the last may have fewer)."""
    return math.ceil(events / per_customer)


def load_bot(url: str, model: Path | None) -> SupportBot:
    """The real bot on the scratch database: the bundled model (trained first if missing) unless `model`."""
    settings = load_settings().model_copy(update={"database_url": url})
    if model is None:
        ensure_model(settings)
    return build_bot(settings, model)


@dataclass(frozen=True)
class Timing:
    """The load's wall time (first push to the last event settled) and this process's CPU time over it."""

    wall: float
    cpu: float


def timed_run(driver: LoadDriver) -> Timing:
    """Run the load and time it, then let the bot finish (the drain is outside the figures)."""
    cpu0, t0 = time.process_time(), time.monotonic()
    last = driver.run()
    wall = last - t0
    cpu = time.process_time() - cpu0
    driver.drain()
    return Timing(wall, cpu)


async def cancel_leftovers() -> int:
    """Cancel the tasks still on the bot's loop after `serve()` returned; their count is a figure (should be 0)."""
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
    return len(leftovers)


# --------------------------------------------------------------------------------------------- figures


def percentiles(values: list[float]) -> dict[str, float | int]:
    """A latency summary in ms (seconds in); just `n: 0` when there is nothing to summarise."""
    if not values:
        return {"n": 0}
    array = np.array(values) * 1000
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(array, 50)), 2),
        "p99_ms": round(float(np.percentile(array, 99)), 2),
        "max_ms": round(float(array.max()), 2),
        "mean_ms": round(float(array.mean()), 2),
    }


@dataclass(frozen=True)
class BotTables:
    """The bot's own record of the load, read once after it stopped: inbound messages by platform id, the
    decisions per message, and the outbox items per inbound message."""

    inbound: dict[str | None, Message]
    decisions: Counter[int]
    outcome_of: dict[int, str]
    by_inbound: defaultdict[int, list[OutboxItem]]
    items: list[OutboxItem]


def read_bot_tables(session: Session) -> BotTables:
    """Read what the shared checks need from the bot's database."""
    inbound = {m.platform_message_id: m for m in session.exec(select(Message).where(Message.direction == "inbound"))}
    rows = list(session.exec(select(Decision)))
    items = list(session.exec(select(OutboxItem)))
    by_inbound: defaultdict[int, list[OutboxItem]] = defaultdict(list)
    for item in items:
        if item.inbound_id is not None:
            by_inbound[item.inbound_id].append(item)
    return BotTables(
        inbound=inbound,
        decisions=Counter(d.message_id for d in rows),
        outcome_of={d.message_id: d.outcome for d in rows},
        by_inbound=by_inbound,
        items=items,
    )


def turn_checks(
    tables: BotTables,
    events: Sequence[E],
    ref_position: Callable[[str], Position],
    posted_position: Callable[[E], Position],
    start: Position,
    extra_inbound_ids: Sequence[int] = (),
) -> tuple[dict[str, Any], set[str]]:
    """The database checks on the load's turns: each event stored once, decided exactly once and `done`; its
    outbox items sent, once each, each reply ref used by one item, into the customer's own DM; and the post
    the driver counted as the event's first reply is one the outbox says that turn sent (it lies after the
    previous turn's last reply and no later than this turn's first). `ref_position` reads a post's position
    from the ref's id part, `posted_position` gives the position of an event's counted reply, `start` is
    before any post. Items of `extra_inbound_ids` (inbound rows that are not events) count as the load's
    too. Also returns the events decided more than once."""
    decisions = tables.decisions
    ids: dict[str, int] = {}
    for e in events:
        row = tables.inbound.get(e.key)
        if row is not None and row.id is not None:
            ids[e.key] = row.id
    missing = [e.key for e in events if e.key not in ids]
    no_decision = [k for k, i in ids.items() if decisions[i] == 0]
    several = {k: decisions[i] for k, i in ids.items() if decisions[i] > 1}
    not_done = Counter(tables.inbound[k].state for k in ids if tables.inbound[k].state != "done")
    ours = [item for i in [*ids.values(), *extra_inbound_ids] for item in tables.by_inbound[i]]
    refs = Counter(i.platform_ref for i in ours if i.platform_ref and i.kind in REPLY_KINDS)
    wrong_dm = []  # a reply to one customer's turn posted into another DM
    misattributed = []  # the post counted as an event's first reply is not one the outbox says that turn sent
    previous: dict[str, Position] = {}  # DM → the last reply of the customer's previous turn
    for e in sorted(events, key=lambda e: (e.customer.number, e.n)):
        replies = [i for i in tables.by_inbound.get(ids.get(e.key, -1), []) if i.kind in REPLY_KINDS and i.platform_ref]
        mine: list[Position] = []
        for item in replies:
            channel, _, ref = str(item.platform_ref).partition("/")
            if channel != e.customer.channel:
                wrong_dm.append(f"{e.key} -> {item.platform_ref}")
            else:
                mine.append(ref_position(ref))
        if e.reply is not None and e.answered_via == "dm" and mine:
            posted = posted_position(e)
            if not (previous.get(e.customer.channel, start) < posted <= min(mine)):
                misattributed.append(e.key)
        if mine:
            previous[e.customer.channel] = max(mine)
    figures = {
        "inbound_turns": len(ids),
        "inbound_missing": len(missing),
        "turns_without_decision": len(no_decision),
        "turns_with_several_decisions": len(several),
        "turns_not_done": dict(not_done),
        "outbox_items": len(ours),
        "outbox_pending": sum(i.status != "sent" for i in ours),
        "outbox_attempts_over_1": sum(i.attempts > 1 for i in ours),
        "outbox_kinds": dict(Counter(i.kind for i in ours)),
        "reply_refs_shared_by_two_items": sum(n > 1 for n in refs.values()),
        "replies_in_another_customers_dm": len(wrong_dm),
        "misattributed_first_replies": len(misattributed),
        "outcomes": dict(Counter(tables.outcome_of.get(i, "-") for i in ids.values())),
        "examples": {
            "missing": missing[:5],
            "without_decision": no_decision[:5],
            "several_decisions": dict(list(several.items())[:5]),
            "another_dm": wrong_dm[:5],
            "misattributed": misattributed[:5],
        },
    }
    return figures, set(several)


def outcome_figures(events: Sequence[LoadEvent], several: set[str], doubled_texts: list[str]) -> dict[str, Any]:
    """How the events were answered, which were lost (and answered late anyway), and which were doubled:
    decided more than once (`several`) or answered with the same text twice (`doubled_texts`)."""
    lost = [e for e in events if e.lost]
    return {
        "answered_via": dict(Counter(e.answered_via or "-" for e in events)),
        "lost_replies": len(lost),
        "lost_answered_late": sum(e.late for e in lost),
        "lost_examples": [{"key": e.key, "n": e.n, "text": e.text} for e in lost[:5]],
        "doubled_replies": len(several | set(doubled_texts)),
        "doubled_reply_texts": len(doubled_texts),
    }


def throughput_figures(timing: Timing, events: int, customers: int) -> dict[str, Any]:
    """The load's size, its wall time and rate, and how much of the wall time this process spent on CPU."""
    return {
        "wall_s": round(timing.wall, 2),
        "events_per_s": round(events / timing.wall, 2),
        "cpu_s": round(timing.cpu, 2),
        "cpu_share_of_wall": round(timing.cpu / timing.wall, 2),
        "events": events,
        "customers": customers,
    }


class LogCounter(logging.Handler):
    """Counts the bot's log lines (INFO and up from supportbot.*, WARNING and up from everything else)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = VARIABLE.sub("N", record.getMessage())[:70]
        self.counts[f"{record.levelname} {record.name}: {message}"] += 1
        if record.levelno >= logging.WARNING and len(self.problems) < 20:
            self.problems.append(f"{record.levelname} {record.name}: {record.getMessage()[:300]}")


@contextmanager
def counting_logs() -> Iterator[LogCounter]:
    """Count the logs over the run, with the bot's own INFO lines on, and put the levels back after."""
    handler = LogCounter()
    root, ours = logging.getLogger(), logging.getLogger("supportbot")
    level = ours.level
    root.addHandler(handler)
    ours.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)


def process_figures(logs: LogCounter) -> dict[str, Any]:
    """The bot's log line counts and warnings, and the process's peak memory."""
    return {
        "bot_log": {"counts": dict(logs.counts.most_common(25)), "warnings": logs.problems},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def machine(threads: int, fake: str) -> str:
    """The machine note: the figures depend on it, and the fake (`fake`), driver and bot share its CPU."""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{os.cpu_count()} CPU cores, {gpu}, torch {torch.__version__}, {threads} torch threads, "
        f"Python {platform.python_version()}; the {fake}, the load driver and the bot share this one process"
    )


# --------------------------------------------------------------------------------------------- main


def add_load_arguments(parser: argparse.ArgumentParser, redeliver_help: str) -> None:
    """The flags that shape the load, the same in both benchmarks (the platform's own flags follow them)."""
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--per-customer", type=int, default=5, help="messages per customer (customers = events / this)")
    parser.add_argument("--concurrency", type=int, default=50, help="events outstanding at most")
    parser.add_argument("--redeliver", type=float, default=0.1, help=redeliver_help)


def add_run_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """The flags for the customers' pace, the bot and where the result goes, the same in both benchmarks."""
    parser.add_argument("--reply-timeout", type=float, default=30.0, help="an event unanswered this long is lost")
    parser.add_argument("--think", type=float, default=0.2, help="a customer's pause between an answer and the next message")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--model", type=Path, default=None, help="default: the bundled model (trained if missing)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--out", type=Path, default=None, help=f"write the JSON here instead of benchmarks/results/{name}.json")
    parser.add_argument("--bursts", type=int, default=0, help="platform fault bursts during the run (5xx and 429, alternating)")
    parser.add_argument("--burst-size", type=int, default=20, help="failed sends in a row per burst")
    parser.add_argument("--burst-every", type=float, default=3.0, help="seconds between bursts")


class Bursts:
    """Fault bursts on the fake platform while the load runs: every `every` seconds the next `size` sends
    fail, alternately with 503 (the bot's outbox retries them) and 429 (the SDK waits out Retry-After)."""

    def __init__(self, inject: Callable[[int, int], None], count: int, size: int, every: float) -> None:
        self.inject, self.count, self.size, self.every = inject, count, size, every
        self.injected: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-bursts", daemon=True)

    def __enter__(self) -> Bursts:
        if self.count:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        for n in range(self.count):
            if self._stop.wait(self.every):
                return
            status = 503 if n % 2 == 0 else 429
            self.inject(status, self.size)
            self.injected.append((status, self.size))

    def figures(self) -> dict[str, Any]:
        return {"bursts": len(self.injected), "failed_sends_injected": sum(size for _, size in self.injected)}


def run_on_database(database: str, name: str, run: Callable[[str], dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """`run(url)` on a scratch database (PostgreSQL, or SQLite in a temporary folder); the result and the url."""
    with tempfile.TemporaryDirectory() as scratch:
        if database == "postgresql":
            with scratch_postgres() as url:
                return run(url), url
        url = f"sqlite:///{scratch}/{name}.db"
        return run(url), url


def common_settings(args: argparse.Namespace, database: str) -> dict[str, Any]:
    """The settings entry of the result for the shared flags (`database`: the described url)."""
    return {
        "events": args.events,
        "per_customer": args.per_customer,
        "concurrency": args.concurrency,
        "redeliver": args.redeliver,
        "reply_timeout_s": args.reply_timeout,
        "think_s": args.think,
        "seed": args.seed,
        "database": database,
        "model": str(args.model or load_settings().model_dir),
        "threads": args.threads,
    }


def finish_result(result: dict[str, Any], name: str, threads: int, fake: str, targets: dict[str, int]) -> None:
    """Add what every result carries besides the figures: the machine note, the command line and the targets."""
    result["machine"] = machine(threads, fake)
    result["command"] = f"python -m benchmarks.{name} " + " ".join(sys.argv[1:])
    result["targets"] = targets


def save_result(name: str, result: dict[str, Any], out: Path | None) -> Path:
    """Write the result to `out`, or to `benchmarks/results/{name}.json` when there is no `--out`."""
    if out is None:
        return write_result(name, result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return out
