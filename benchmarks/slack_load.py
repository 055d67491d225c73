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
import random
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from pydantic import SecretStr
from sqlmodel import Session
from tqdm import tqdm

from benchmarks.load_common import (
    POLL_S,
    QUIET_S,
    RELAY_NOTICE,
    BotTables,
    Bursts,
    add_load_arguments,
    add_run_arguments,
    cancel_leftovers,
    common_settings,
    counting_logs,
    customer_count,
    finish_result,
    load_bot,
    outcome_figures,
    percentiles,
    process_figures,
    read_bot_tables,
    run_on_database,
    save_result,
    test_texts,
    text_pool,
    throughput_figures,
    timed_run,
    turn_checks,
)
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.core.adapter import serve
from bot.core.app import SupportBot
from bot.storage import describe
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
    pool = text_pool(texts, events, rng)
    customers = [Customer(i + 1) for i in range(customer_count(events, per_customer))]
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
            self.leftover_tasks = asyncio.run_coroutine_threadsafe(cancel_leftovers(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            if not self.thread.is_alive():
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
                self.loop.close()


def warm_up(fake: FakeSlack) -> None:
    """One message first (bolt's first dispatch, the first forward passes), outside the figures."""
    fake.add_user("U0WARM", "warmup")
    fake.add_channel("D0WARM", "", is_im=True, members=["U0WARM"])
    fake.push_envelope("events_api", message_event("D0WARM", "U0WARM", "hello", channel_type="im"))
    fake.wait_for(lambda calls: any(c.method == "chat.postMessage" and c.params.get("channel") == "D0WARM" for c in calls), 30)


# --------------------------------------------------------------------------------------------- figures


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
    """The bot's own record of the load (the shared turn checks, reply positions as Slack ts); also returns
    the events decided more than once."""
    with Session(bot.store.engine) as session:
        tables: BotTables = read_bot_tables(session)
    return turn_checks(tables, events, float, lambda e: float(ts_of.get(id(e.reply), "nan")), 0.0)


# --------------------------------------------------------------------------------------------- main


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    customers = make_load(test_texts(), args.events, args.per_customer, args.redeliver, rng)
    bot = load_bot(url, args.model)
    result: dict[str, Any] = {}
    with running_fake_slack() as fake, counting_logs() as logs:
        slack = workspace(fake, customers)
        runner = BotThread(bot, SlackAdapter(slack, http=False, port=0, host="127.0.0.1"))
        driver = Driver(fake, customers, args.concurrency, args.reply_timeout, args.think, args.redeliver_after, rng)
        try:
            runner.start(fake)
            warm_up(fake)
            driver.seen_calls = len(fake.calls)  # the warm-up's calls are not the load's
            with Bursts(
                lambda status, n: fake.fail_next("chat.postMessage", status=status, times=n),
                args.bursts,
                args.burst_size,
                args.burst_every,
            ) as bursts:
                timing = timed_run(driver)
        finally:
            runner.stop()
        events = list(driver.events())
        first_push = {p.envelope_id: p.at for p in reversed(fake.pushes)}  # the earliest push of each envelope
        redelivered_at = {p.envelope_id: p.at for p in fake.pushes if p.at > first_push[p.envelope_id]}
        to_reply = [e.answered - first_push[e.envelope_id] for e in events if e.answered is not None and not e.late]
        ts_of, unmapped = post_ts_by_call(fake, [c.channel for c in customers] + [AGENTS])
        db, several = database_figures(bot, events, ts_of)
        doubled_texts = [e.key for e in events if len(e.posts) != len(set(e.posts))]
        result = {
            "ack": ack_figures(fake, {e.envelope_id for e in events}),
            "event_to_reply": percentiles(to_reply),
            "event_to_reply_dm_only": percentiles(
                [e.answered - first_push[e.envelope_id] for e in events if e.answered is not None and e.answered_via == "dm"]
            ),
            **outcome_figures(events, several, doubled_texts),
            "doubled_text_examples": [
                {"key": k, "posts": next(e.posts for e in events if e.key == k)} for k in doubled_texts[:3]
            ],
            "database": db,
            **throughput_figures(timing, len(events), len(customers)),
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
            "faults": bursts.figures(),
            "leftover_tasks_bot_loop": runner.leftover_tasks,
            **process_figures(logs),
        }
    result["leftover_tasks_fake"] = fake.leaked_tasks
    bot.store.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, redeliver_help="share of events pushed a second time")
    parser.add_argument("--redeliver-after", type=float, default=1.0, help="re-delivery 0.02 s to this long after the push")
    add_run_arguments(parser, NAME)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result, url = run_on_database(args.database, NAME, lambda url: run(args, url))
    result["settings"] = {**common_settings(args, describe(url)), "redeliver_after_s": args.redeliver_after}
    finish_result(result, NAME, args.threads, "fake Slack", {"ack_p99_ms": 100, "lost_replies": 0, "doubled_replies": 0})
    path = save_result(NAME, result, args.out)
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
