"""Load on the Slack side: customer DMs through the real bolt app over Socket Mode, against the local fake
Slack, with Slack-style re-deliveries; ack latency, time to the first reply, lost and doubled replies.

    python -m benchmarks.slack_load [--events 1000] [--concurrency 50] [--redeliver 0.1] [--seed 13]
                                    [--database sqlite|postgresql] [--model DIR]

This benchmark uses the dev test fixtures: the fake Slack (`tests.platforms.slack_fake`, Web API and
Socket Mode on 127.0.0.1, so it needs the dev dependencies, pytest included), set up like
`tests.adapters.slack_rig` (same agents' channel, adapter settings pointing at the fake). Nothing of
the bot is faked: `build_bot(settings)` with the bundled model, knowledge base and policy, the real
`SlackAdapter` (bolt + slack_sdk) and `serve()`, on their own event loop in a background thread, as in
production.

The load: `--events` DMs from `--events / 5` customers, 5 messages each, texts drawn (seeded) from the
held-out test split `models/intents/orbitask.test.yaml`. Each customer waits for the bot's answer to
one message before sending the next (plus `--think` seconds), and at most `--concurrency` events are
outstanding at once: the next one is pushed when one is answered or has waited `--reply-timeout`
seconds. A `--redeliver` share of the events is pushed a second time, with the same envelope id and
payload and `retry_attempt=1`, a random 0.02-`--redeliver-after` s after the first push, as Slack does
when it doubts an ack arrived.

Figures (`benchmarks/results/slack_load.json`):
- ack latency: each push (re-deliveries too) to the client's Socket Mode ack, both as the fake
  recorded them (`Push.at` → first `Ack.at` after it);
- event to reply: the first push of an event to the first `chat.postMessage` the fake received in that
  customer's DM after it (for a message relayed to an agent after a handoff, the customer gets nothing:
  the relay notice in the agents' channel counts as the answer; counted apart as `answered_via`);
- lost: events with no answer within `--reply-timeout` s;
- doubled: events with more than one `Decision` row in the bot's database, or the same reply text
  twice among the posts between that event and the customer's next one; the database checks also
  list inbound turns not `done`, outbox items pending or sent more than once, and replies posted to
  a customer other than the one that wrote; each first reply is checked against the outbox's record
  of what was posted for that turn (`misattributed`: should be 0).
Everything (fake, driver, bot) runs in this one process, so the figures include their share of the
CPU and of the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
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
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import SecretStr
from sqlmodel import Session, select
from tqdm import tqdm

from benchmarks.common import peak_rss_mib, scratch_postgres, write_result
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.config import BUNDLED_INTENTS_TEST, load_settings
from bot.core.adapter import serve
from bot.core.app import SupportBot
from bot.model_store import ensure_model
from bot.runtime import build_bot
from bot.storage import describe
from bot.storage.tables import Decision, Message, OutboxItem
from models.dataset import load_data
from tests.platforms.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    Call,
    FakeSlack,
    message_event,
    new_ts,
    running_fake_slack,
)

NAME = "slack_load"
AGENTS = "G0AGENTS"  # the private agents' channel, as in tests/adapters/slack_rig.py
AGENT = "U0SAM"
RELAY_NOTICE = re.compile(r"\b(cust\d{4,}) wrote:")
VARIABLE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\d+")  # ids and numbers, so log lines group by kind
REPLY_KINDS = ("CustomerReply", "RatingRequest")  # outbox kinds that post into the customer's DM
POLL_S = 0.002
QUIET_S = 1.5  # after the last event: no new post for this long means the bot is done


# --------------------------------------------------------------------------------------------- the load


@dataclass(eq=False)
class Event:
    index: int
    customer: Customer = field(repr=False)
    n: int  # the message's number in its customer's conversation
    text: str
    ts: str  # the Slack message ts; the bot knows the message as "channel/ts"
    body: dict[str, Any] = field(default_factory=dict)
    envelope_id: str = ""
    sent: float = 0.0  # driver clock, just before the first push
    redeliver: bool = False
    answered: float | None = None  # Call.at of the first post that answers it
    answered_via: str = ""  # dm | agents
    reply: Call | None = None
    lost: bool = False
    late: bool = False  # answered after it was counted lost
    posts: list[str] = field(default_factory=list)  # texts posted in the customer's DM while this was the latest

    @property
    def key(self) -> str:
        return f"{self.customer.channel}/{self.ts}"


@dataclass(eq=False)
class Customer:
    number: int
    events: list[Event] = field(default_factory=list)
    next: int = 0
    ready_at: float = 0.0
    latest: Event | None = None  # the last event pushed

    @property
    def user(self) -> str:
        return f"U0CUST{self.number:04d}"

    @property
    def channel(self) -> str:
        return f"D0CUST{self.number:04d}"

    @property
    def name(self) -> str:
        return f"cust{self.number:04d}"


def make_load(texts: list[str], events: int, per_customer: int, redeliver: float, rng: random.Random) -> list[Customer]:
    pool: list[str] = []
    while len(pool) < events:  # every test message once before any repeats
        batch = list(texts)
        rng.shuffle(batch)
        pool += batch
    customers = [Customer(i + 1) for i in range(math.ceil(events / per_customer))]
    for index in range(events):
        customer = customers[index // per_customer]
        customer.events.append(Event(index, customer, len(customer.events), pool[index], ""))
    for index in rng.sample(range(events), round(events * redeliver)):
        customers[index // per_customer].events[index % per_customer].redeliver = True
    return customers


def workspace(fake: FakeSlack, customers: list[Customer]) -> SlackSettings:
    """The agents' channel and the customers with their DMs; the adapter's settings for this fake."""
    fake.add_user(AGENT, "sam", email="sam@ourco.example", real_name="Sam Agent")
    fake.add_channel(AGENTS, "support-agents", is_private=True, members=[AGENT])
    for c in customers:
        fake.add_user(c.user, c.name, email=f"{c.name}@customer{c.number % 37}.example", real_name=f"Customer {c.number}")
        fake.add_channel(c.channel, "", is_im=True, members=[c.user])
    return SlackSettings(
        bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN), api_url=fake.base_url, agents_channel=AGENTS
    )


# --------------------------------------------------------------------------------------------- the driver


@dataclass
class Driver:
    """Pushes the load from this thread and watches the fake's Web API calls for the answers."""

    fake: FakeSlack
    customers: list[Customer]
    concurrency: int
    reply_timeout: float
    think: float
    redeliver_after: float
    rng: random.Random
    outstanding: dict[str, Event] = field(default_factory=dict)  # DM channel → its unanswered event
    redeliveries: list[tuple[float, int, Event]] = field(default_factory=list)  # a heap by due time
    seen_calls: int = 0
    finished: int = 0
    stray_posts: int = 0  # DM posts before the customer's first event, or in a DM that is not a customer's
    lost: int = 0
    new_posts: bool = False  # the last read saw a chat.postMessage
    failed_calls: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.by_channel = {c.channel: c for c in self.customers}
        self.by_name = {c.name: c for c in self.customers}
        self.total = sum(len(c.events) for c in self.customers)

    def run(self) -> float:
        """Push every event; return the driver-clock time the last one was answered or given up."""
        ready = deque(self.rng.sample(self.customers, len(self.customers)))
        last = time.monotonic()
        with tqdm(total=self.total, unit="event", desc="slack load", smoothing=0.05) as bar:
            while self.finished < self.total:
                now = time.monotonic()
                busy = self._redeliver_due(now)
                done = self._read_calls(now, ready)
                done += self._give_up(now, ready)
                while len(self.outstanding) < self.concurrency and ready and ready[0].ready_at <= now:
                    self._push(ready.popleft())
                    busy = True
                if done:
                    bar.update(done)
                    bar.set_postfix(in_flight=len(self.outstanding), lost=self.lost, refresh=False)
                    last = time.monotonic()
                if not (busy or done):
                    time.sleep(POLL_S)
        return last

    def drain(self, limit: float = 30.0) -> None:
        """Push the re-deliveries still due, then wait until the bot has posted nothing for QUIET_S."""
        deadline = time.monotonic() + limit
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            if self._redeliver_due(now) or self._read_calls(now, deque()) or self.new_posts:
                quiet_since = now
            elif not self.redeliveries and now - quiet_since >= QUIET_S:
                return
            time.sleep(0.02)

    def events(self) -> Iterator[Event]:
        return (e for c in self.customers for e in c.events)

    # ---- pushing

    def _push(self, customer: Customer) -> None:
        event = customer.events[customer.next]
        customer.next += 1
        event.ts = new_ts()
        event.body = message_event(customer.channel, customer.user, event.text, ts=event.ts, channel_type="im")
        customer.latest = event
        self.outstanding[customer.channel] = event
        event.sent = time.monotonic()
        event.envelope_id = self.fake.push_envelope("events_api", event.body)
        if event.redeliver:
            due = event.sent + self.rng.uniform(0.02, self.redeliver_after)
            heapq.heappush(self.redeliveries, (due, event.index, event))

    def _redeliver_due(self, now: float) -> bool:
        pushed = False
        while self.redeliveries and self.redeliveries[0][0] <= now:
            _, _, event = heapq.heappop(self.redeliveries)
            self.fake.push_envelope(
                "events_api", event.body, envelope_id=event.envelope_id, retry_attempt=1, retry_reason="timeout"
            )
            pushed = True
        return pushed

    # ---- answers

    def _read_calls(self, now: float, ready: deque[Customer]) -> int:
        calls = self.fake.calls
        new, self.seen_calls = calls[self.seen_calls :], len(calls)
        self.new_posts = False
        done = 0
        for call in new:
            if not call.ok:
                self.failed_calls[f"{call.method}:{call.error or call.http_status}"] += 1
                continue
            if call.method != "chat.postMessage":
                continue
            self.new_posts = True
            channel, text = str(call.params.get("channel", "")), str(call.params.get("text") or "")
            customer = self.by_channel.get(channel)
            if customer is not None:
                event = customer.latest
                if event is None or call.at < event.sent:
                    self.stray_posts += 1
                    continue
                event.posts.append(text)
                done += self._answered(event, call, "dm", now, ready)
            elif channel == AGENTS and (found := RELAY_NOTICE.search(text)) and found.group(1) in self.by_name:
                event = self.by_name[found.group(1)].latest
                if event is not None and call.at >= event.sent:
                    done += self._answered(event, call, "agents", now, ready)
            elif channel.startswith("D"):
                self.stray_posts += 1
        return done

    def _answered(self, event: Event, call: Call, via: str, now: float, ready: deque[Customer]) -> int:
        if event.answered is not None:
            return 0
        event.answered, event.answered_via, event.reply = call.at, via, call
        if event.lost:  # already given up on and counted
            event.late = True
            return 0
        self._finish(event, now, ready)
        return 1

    def _give_up(self, now: float, ready: deque[Customer]) -> int:
        expired = [e for e in self.outstanding.values() if now - e.sent > self.reply_timeout]
        for event in expired:
            event.lost = True
            self.lost += 1
            self._finish(event, now, ready)
        return len(expired)

    def _finish(self, event: Event, now: float, ready: deque[Customer]) -> None:
        customer = event.customer
        self.outstanding.pop(customer.channel, None)
        self.finished += 1
        if customer.next < len(customer.events):
            customer.ready_at = now + self.think
            ready.append(customer)


# --------------------------------------------------------------------------------------------- the bot in a thread


class BotThread:
    """`serve(bot, adapter)` on its own event loop in a daemon thread, stopped cleanly."""

    def __init__(self, bot: SupportBot, adapter: SlackAdapter) -> None:
        self.bot, self.adapter = bot, adapter
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bot-loop", daemon=True)
        self.leftover_tasks = -1

    def start(self, fake: FakeSlack) -> None:
        self.thread.start()
        self.task = asyncio.run_coroutine_threadsafe(serve(self.bot, self.adapter), self.loop)
        ready = asyncio.run_coroutine_threadsafe(self.adapter.ready(), self.loop)
        deadline = time.monotonic() + 30
        while not ready.done():
            if self.task.done():
                self.task.result()  # serve() failed before it took events: raise why
                raise RuntimeError("serve() returned before the adapter was ready")
            if time.monotonic() > deadline:
                raise TimeoutError("the Slack adapter was not ready within 30 s")
            time.sleep(0.01)
        fake.wait_connected(timeout=10)

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.adapter.stop(), self.loop).result(5)
            self.task.result(15)  # serve() returned, without an exception
            self.leftover_tasks = asyncio.run_coroutine_threadsafe(_cancel_leftovers(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            if not self.thread.is_alive():
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
                self.loop.close()


async def _cancel_leftovers() -> int:
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
    return len(leftovers)


def warm_up(fake: FakeSlack) -> None:
    """One message first (bolt's first dispatch, the first forward passes), outside the figures."""
    fake.add_user("U0WARM", "warmup")
    fake.add_channel("D0WARM", "", is_im=True, members=["U0WARM"])
    fake.push_envelope("events_api", message_event("D0WARM", "U0WARM", "hello", channel_type="im"))
    fake.wait_for(lambda calls: any(c.method == "chat.postMessage" and c.params.get("channel") == "D0WARM" for c in calls), 30)


# --------------------------------------------------------------------------------------------- figures


def percentiles(values: list[float]) -> dict[str, float | int]:
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


def ack_figures(fake: FakeSlack, first_pushes: set[str]) -> dict[str, Any]:
    """Pair each push with the first ack of its envelope after it, in order."""
    acks: defaultdict[str, list[float]] = defaultdict(list)
    for envelope_id, ack in fake.ack_log:
        acks[envelope_id].append(ack.at)
    first: list[float] = []
    again: list[float] = []
    unacked = 0
    seen: Counter[str] = Counter()
    for push in fake.pushes:
        if push.envelope_id not in first_pushes:
            continue  # the warm-up
        later = [at for at in acks[push.envelope_id] if at >= push.at]
        if not later:
            unacked += 1
            continue
        acks[push.envelope_id].remove(later[0])
        (again if seen[push.envelope_id] else first).append(later[0] - push.at)
        seen[push.envelope_id] += 1
    return {
        "all": percentiles(first + again),
        "first_deliveries": percentiles(first),
        "re_deliveries": percentiles(again),
        "unacked_pushes": unacked,
        "pushes": len(first) + len(again) + unacked,
    }


def post_ts_by_call(fake: FakeSlack, channels: list[str]) -> tuple[dict[int, str], list[str]]:
    """The ts of what each successful chat.postMessage posted: per channel, calls and the bot's stored
    messages come in the same order (the fake stores and records under one lock; ts only increase)."""
    calls_by_channel: defaultdict[str, list[Call]] = defaultdict(list)
    for call in fake.calls_to("chat.postMessage"):
        if call.ok:
            calls_by_channel[str(call.params.get("channel", ""))].append(call)
    mapping: dict[int, str] = {}
    mismatched = []
    for channel in channels:
        posted = [m.ts for m in fake.messages(channel) if m.user == BOT_USER_ID]
        calls = calls_by_channel.get(channel, [])
        if len(posted) != len(calls):
            mismatched.append(channel)
            continue
        mapping.update((id(call), ts) for call, ts in zip(calls, posted, strict=True))
    return mapping, mismatched


def database_figures(bot: SupportBot, events: list[Event], ts_of: dict[int, str]) -> tuple[dict[str, Any], set[str]]:
    """The bot's own record of the load; also returns the events decided more than once."""
    with Session(bot.store.engine) as session:
        inbound = {m.platform_message_id: m for m in session.exec(select(Message).where(Message.direction == "inbound"))}
        rows = list(session.exec(select(Decision)))
        items = list(session.exec(select(OutboxItem)))
    decisions = Counter(d.message_id for d in rows)
    outcome_of = {d.message_id: d.outcome for d in rows}
    by_inbound: defaultdict[int, list[OutboxItem]] = defaultdict(list)
    for item in items:
        if item.inbound_id is not None:
            by_inbound[item.inbound_id].append(item)
    ids: dict[str, int] = {}
    for e in events:
        row = inbound.get(e.key)
        if row is not None and row.id is not None:
            ids[e.key] = row.id
    missing = [e.key for e in events if e.key not in ids]
    no_decision = [k for k, i in ids.items() if decisions[i] == 0]
    several = {k: decisions[i] for k, i in ids.items() if decisions[i] > 1}
    not_done = Counter(inbound[k].state for k in ids if inbound[k].state != "done")
    ours = [item for i in ids.values() for item in by_inbound[i]]
    refs = Counter(i.platform_ref for i in ours if i.platform_ref and i.kind in REPLY_KINDS)
    wrong_dm = []  # a reply to one customer's turn posted into another DM
    misattributed = []  # the post counted as an event's first reply is not one the outbox says that turn sent
    previous: dict[str, float] = {}  # DM → the last reply ts of the customer's previous turn
    for e in sorted(events, key=lambda e: (e.customer.number, e.n)):
        replies = [i for i in by_inbound.get(ids.get(e.key, -1), []) if i.kind in REPLY_KINDS and i.platform_ref]
        mine = []
        for item in replies:
            channel, _, ts = str(item.platform_ref).partition("/")
            if channel != e.customer.channel:
                wrong_dm.append(f"{e.key} -> {item.platform_ref}")
            else:
                mine.append(float(ts))
        if e.reply is not None and e.answered_via == "dm" and mine:
            posted = float(ts_of.get(id(e.reply), "nan"))
            if not (previous.get(e.customer.channel, 0.0) < posted <= min(mine)):
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
        "outcomes": dict(Counter(outcome_of.get(i, "-") for i in ids.values())),
        "examples": {
            "missing": missing[:5],
            "without_decision": no_decision[:5],
            "several_decisions": dict(list(several.items())[:5]),
            "another_dm": wrong_dm[:5],
            "misattributed": misattributed[:5],
        },
    }
    return figures, set(several)


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


def machine(threads: int) -> str:
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{os.cpu_count()} CPU cores, {gpu}, torch {torch.__version__}, {threads} torch threads, "
        f"Python {platform.python_version()}; the fake Slack, the load driver and the bot share this one process"
    )


# --------------------------------------------------------------------------------------------- main


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    texts = [e.text for e in load_data(BUNDLED_INTENTS_TEST).examples]
    customers = make_load(texts, args.events, args.per_customer, args.redeliver, rng)
    settings = load_settings().model_copy(update={"database_url": url})
    if args.model is None:
        ensure_model(settings)
    bot = build_bot(settings, args.model)
    result: dict[str, Any] = {}
    with running_fake_slack() as fake, counting_logs() as logs:
        slack = workspace(fake, customers)
        runner = BotThread(bot, SlackAdapter(slack, http=False, port=0, host="127.0.0.1"))
        driver = Driver(fake, customers, args.concurrency, args.reply_timeout, args.think, args.redeliver_after, rng)
        try:
            runner.start(fake)
            warm_up(fake)
            driver.seen_calls = len(fake.calls)  # the warm-up's calls are not the load's
            cpu0, t0 = time.process_time(), time.monotonic()
            last = driver.run()
            wall = last - t0
            cpu = time.process_time() - cpu0
            driver.drain()
        finally:
            runner.stop()
        events = list(driver.events())
        first_push = {p.envelope_id: p.at for p in reversed(fake.pushes)}  # the earliest push of each envelope
        redelivered_at = {p.envelope_id: p.at for p in fake.pushes if p.at > first_push[p.envelope_id]}
        to_reply = [e.answered - first_push[e.envelope_id] for e in events if e.answered is not None and not e.late]
        ts_of, unmapped = post_ts_by_call(fake, [c.channel for c in customers] + [AGENTS])
        db, several = database_figures(bot, events, ts_of)
        doubled_texts = [e.key for e in events if len(e.posts) != len(set(e.posts))]
        lost = [e for e in events if e.lost]
        result = {
            "ack": ack_figures(fake, {e.envelope_id for e in events}),
            "event_to_reply": percentiles(to_reply),
            "event_to_reply_dm_only": percentiles(
                [e.answered - first_push[e.envelope_id] for e in events if e.answered is not None and e.answered_via == "dm"]
            ),
            "answered_via": dict(Counter(e.answered_via or "-" for e in events)),
            "lost_replies": len(lost),
            "lost_answered_late": sum(e.late for e in lost),
            "lost_examples": [{"key": e.key, "n": e.n, "text": e.text} for e in lost[:5]],
            "doubled_replies": len(several | set(doubled_texts)),
            "doubled_reply_texts": len(doubled_texts),
            "doubled_text_examples": [
                {"key": k, "posts": next(e.posts for e in events if e.key == k)} for k in doubled_texts[:3]
            ],
            "database": db,
            "wall_s": round(wall, 2),
            "events_per_s": round(len(events) / wall, 2),
            "cpu_s": round(cpu, 2),
            "cpu_share_of_wall": round(cpu / wall, 2),
            "events": len(events),
            "customers": len(customers),
            "redelivered": sum(e.redeliver for e in events),
            "redelivered_before_first_reply": sum(
                1
                for e in events
                if e.redeliver and e.answered is not None and redelivered_at.get(e.envelope_id, 0.0) < e.answered
            ),
            "posts": {
                "customer_dms": sum(len(e.posts) for e in events),
                "stray": driver.stray_posts,
                "channels_call_log_mismatch": unmapped,
            },
            "failed_web_api_calls": dict(driver.failed_calls),
            "web_api_calls": dict(Counter(c.method for c in fake.calls)),
            "spec_violations": len(fake.spec_violations),
            "leftover_tasks_bot_loop": runner.leftover_tasks,
            "bot_log": {"counts": dict(logs.counts.most_common(25)), "warnings": logs.problems},
            "peak_rss_mib": round(peak_rss_mib(), 1),
        }
    result["leftover_tasks_fake"] = fake.leaked_tasks
    bot.store.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--per-customer", type=int, default=5, help="messages per customer (customers = events / this)")
    parser.add_argument("--concurrency", type=int, default=50, help="events outstanding at most")
    parser.add_argument("--redeliver", type=float, default=0.1, help="share of events pushed a second time")
    parser.add_argument("--redeliver-after", type=float, default=1.0, help="re-delivery 0.02 s to this long after the push")
    parser.add_argument("--reply-timeout", type=float, default=30.0, help="an event unanswered this long is lost")
    parser.add_argument("--think", type=float, default=0.2, help="a customer's pause between an answer and the next message")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--model", type=Path, default=None, help="default: the bundled model (trained if missing)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--out", type=Path, default=None, help=f"write the JSON here instead of benchmarks/results/{NAME}.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        if args.database == "postgresql":
            with scratch_postgres() as url:
                result = run(args, url)
        else:
            url = f"sqlite:///{scratch}/slack_load.db"
            result = run(args, url)
    result["settings"] = {
        "events": args.events,
        "per_customer": args.per_customer,
        "concurrency": args.concurrency,
        "redeliver": args.redeliver,
        "redeliver_after_s": args.redeliver_after,
        "reply_timeout_s": args.reply_timeout,
        "think_s": args.think,
        "seed": args.seed,
        "database": describe(url),
        "model": str(args.model or load_settings().model_dir),
        "threads": args.threads,
    }
    result["machine"] = machine(args.threads)
    result["command"] = "python -m benchmarks.slack_load " + " ".join(sys.argv[1:])
    result["targets"] = {"ack_p99_ms": 100, "lost_replies": 0, "doubled_replies": 0}
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        path = args.out
    else:
        path = write_result(NAME, result)
    ack, reply = result["ack"]["all"], result["event_to_reply"]
    print(
        f"{result['events']} events ({result['redelivered']} re-delivered), {args.concurrency} in flight, {args.database}: "
        f"ack p50 {ack.get('p50_ms')} / p99 {ack.get('p99_ms')} ms (target ≤ 100); "
        f"event to reply p50 {reply.get('p50_ms')} / p99 {reply.get('p99_ms')} ms; "
        f"lost {result['lost_replies']}, doubled {result['doubled_replies']} (targets 0, 0); "
        f"{result['wall_s']} s, {result['events_per_s']} events/s; {result['machine'].split(';')[0]} → {path}"
    )


if __name__ == "__main__":
    main()
