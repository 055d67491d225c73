"""Load on the Discord side: customer DMs through the real discord.py client over the gateway, against the
local fake Discord, with events replayed after RESUMEs and button presses; time to the first reply,
interaction response time, lost and doubled replies.

    python -m benchmarks.discord_load [--events 1000] [--concurrency 50] [--redeliver 0.1] [--seed 13]
                                      [--database sqlite|postgresql] [--model DIR]

This benchmark uses the dev test fixtures: the fake Discord (`tests.platforms.discord_fake`, REST and
gateway on 127.0.0.1, so it needs the dev dependencies, pytest and jsonschema included), set up like
`tests.adapters.discord_rig` (`settings_for(fake)`, discord.py pointed at the fake and restored after).
Nothing of the bot is faked: `build_bot(settings)` with the bundled model, knowledge base and policy, the
real `DiscordAdapter` (discord.py) and `serve()`, on their own event loop in a background thread, as in
production.

The load: `--events` DMs from `--events / 5` customers, 5 messages each, texts drawn (seeded) from the
held-out test split `models/intents/orbitask.test.yaml`, each dispatched as a MESSAGE_CREATE. Each
customer waits for the bot's answer to one message before sending the next (plus `--think` seconds), and
at most `--concurrency` events are outstanding at once: the next one is pushed when one is answered or
has waited `--reply-timeout` seconds. Every ~`--resume-every` events the fake drops the gateway
connection (close 4000, resumable) with the MESSAGE_CREATE payloads of a few recently sent events as
"missed", so discord.py RESUMEs and gets them a second time in the replay, as Discord replays the
dispatches after the client's last sequence number; over the run a `--redeliver` share of the events is
replayed. Events dispatched while the client is away are logged and replayed too (they count as pushed
when the fake logged them). For about `--press` of the answered messages, among those that carry the
answer buttons, the customer presses "Not quite" or "That solved it" (a component INTERACTION_CREATE on
the bot's message as the fake stores it) `--think` seconds after the answer, and sends its next message
only once the press is answered (the interaction callback, then no new post in its DM for 0.5 s).

Figures (`benchmarks/results/discord_load.json`):
- message to first reply: the fake's dispatch of an event to the first successful bot message the fake
  received in that customer's DM after it (for a message relayed to an agent after a handoff, the
  customer gets nothing: the relay notice in the ticket's thread counts as the answer; counted apart as
  `answered_via`);
- lost: events with no answer within `--reply-timeout` s;
- doubled: events with more than one `Decision` row in the bot's database, or the same reply text (or
  relay notice) twice among the posts between that event and the customer's next one; the database
  checks also list inbound turns not `done`, outbox items pending or sent more than once, and replies
  posted to a customer other than the one that wrote; each first reply is checked against the outbox's
  record of what was posted for that turn (`misattributed`: should be 0);
- interaction response: the fake's INTERACTION_CREATE to the bot's interaction callback (the adapter
  defers at once), as the fake recorded it (`InteractionResponse.latency`); also apart for presses
  dispatched while the client was connected, and the time from the press to the bot's next post;
- resumes: connections dropped, RESUMEs accepted (and refused, and IDENTIFYs beyond the first), events
  the fake replayed in them, customer messages replayed, and the time from a drop to its RESUME.
Everything (fake, driver, bot) runs in this one process, so the figures include their share of the
CPU and of the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import discord.gateway
import discord.http
import torch
from sqlmodel import Session, col, select
from tqdm import tqdm

from benchmarks.load_common import (
    POLL_S,
    QUIET_S,
    RELAY_NOTICE,
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
from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.adapter import serve
from bot.core.app import SupportBot
from bot.storage import describe
from bot.storage.tables import Message
from tests.adapters.discord_rig import settings_for
from tests.platforms.discord_fake import (
    BOT_USER_ID,
    STAFF_CHANNEL_ID,
    Call,
    FakeDiscord,
    InteractionResponse,
    LoopThread,
    component_interaction,
    discord_py_pointed_at,
    dm_channel,
    message_create,
    new_snowflake,
    running_fake_discord,
    user,
)

NAME = "discord_load"
MESSAGES = re.compile(r"^/channels/(\d+)/messages$")  # POST: a bot message in a channel or thread
FOLLOWUP = re.compile(r"^/webhooks/\d+/([^/]+)$")  # POST: an interaction follow-up (ephemeral answers)
ANSWER_BUTTONS = ("Not quite", "That solved it")
WARM_UP_TEXT = "how do I export a project to csv"
PRESS_QUIET_S = 0.5  # a press is answered when its callback came and its DM had no new post for this long


# --------------------------------------------------------------------------------------------- the load


@dataclass(eq=False)
class Event:
    index: int
    customer: Customer = field(repr=False)
    n: int  # the message's number in its customer's conversation
    text: str
    message_id: str = ""  # the Discord message id; the bot knows the message by it
    body: dict[str, Any] = field(default_factory=dict)  # the MESSAGE_CREATE payload
    sent: float = 0.0  # driver clock, just before the dispatch
    pushed: float = 0.0  # Dispatch.at: when the fake sent it (or logged it while the client was away)
    replayed: float | None = None  # driver clock of the drop whose RESUME replayed it
    answered: float | None = None  # Call.at of the first post that answers it
    answered_via: str = ""  # dm | agents
    reply: Call | None = None
    lost: bool = False
    late: bool = False  # answered after it was counted lost
    posts: list[str] = field(default_factory=list)  # texts posted in the customer's DM while this was the latest
    relays: list[str] = field(default_factory=list)  # relay notices naming the customer while this was the latest
    press: Press | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.message_id


@dataclass(eq=False)
class Press:
    """A customer's button press on the bot's answer to `event`."""

    event: Event = field(repr=False)
    label: str
    custom_id: str
    due: float  # driver clock: when the customer presses
    interaction_id: str = ""
    token: str = ""
    message_id: str = ""  # the bot message pressed
    sent: float = 0.0  # driver clock, just before the dispatch
    dispatched: float | None = None  # Dispatch.at
    response: InteractionResponse | None = None
    posts: list[str] = field(default_factory=list)  # DM posts and follow-ups after the press
    first_post: float | None = None
    last_post: float = 0.0
    followups: int = 0
    settled: float | None = None
    timed_out: bool = False  # no callback, or no post, within --reply-timeout
    skipped: str = ""  # why it was never pressed


@dataclass(eq=False)
class Customer:
    number: int
    events: list[Event] = field(default_factory=list)
    next: int = 0
    ready_at: float = 0.0
    latest: Event | None = None  # the last event pushed
    press: Press | None = None  # a press not answered yet: the next message waits for it

    @property
    def user_id(self) -> str:
        return f"1200000000000{self.number:05d}"

    @property
    def channel(self) -> str:  # the DM channel between the customer and the bot
        return f"1300000000000{self.number:05d}"

    @property
    def name(self) -> str:
        return f"cust{self.number:04d}"

    @property
    def author(self) -> dict[str, Any]:
        return user(self.user_id, self.name, global_name=self.name)


def make_load(texts: list[str], events: int, per_customer: int, rng: random.Random) -> list[Customer]:
    pool = text_pool(texts, events, rng)
    customers = [Customer(i + 1) for i in range(customer_count(events, per_customer))]
    for index in range(events):
        customer = customers[index // per_customer]
        customer.events.append(Event(index, customer, len(customer.events), pool[index]))
    return customers


def resume_plan(events: int, every: int, redeliver: float) -> dict[int, int]:
    """After which push (1-based count) to drop the connection, and how many recent events to replay then:
    evenly spread drops, `redeliver` of the events replayed in all."""
    replays = round(events * redeliver)
    if replays <= 0 or events <= 0:
        return {}
    drops = max(1, round(events / max(every, 1)))
    spacing = events / drops
    plan: dict[int, int] = {}
    for j in range(drops):
        share = replays * (j + 1) // drops - replays * j // drops
        if share:
            plan[min(events, max(1, round((j + 0.5) * spacing)))] = share  # mid-interval: never in the last lull
    return plan


def text_of(body: Any) -> str:
    """A message's text as Discord shows it: content, then each embed's title, description and fields."""
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("content") or "")]
    for embed in body.get("embeds") or ():
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or ()]
    return "\n".join(p for p in parts if p)


def buttons_of(body: Any) -> dict[str, str]:
    """label → custom_id of a message's buttons (a request body or a stored message)."""
    if not isinstance(body, dict):
        return {}
    return {
        str(c.get("label")): str(c.get("custom_id"))
        for row in body.get("components") or ()
        for c in row.get("components") or ()
        if c.get("custom_id")
    }


# --------------------------------------------------------------------------------------------- the driver


@dataclass
class Drop:
    at: float  # driver clock, just before drop_connection
    missed: int  # customer messages handed over as missed, replayed by the RESUME


@dataclass
class Driver:
    """Dispatches the load from this thread and watches the fake's REST calls for the answers."""

    fake: FakeDiscord
    customers: list[Customer]
    concurrency: int
    reply_timeout: float
    think: float
    press_share: float
    plan: dict[int, int]  # push count → events to replay after it
    rng: random.Random
    outstanding: dict[str, Event] = field(default_factory=dict)  # DM channel → its unanswered event
    presses: list[Press] = field(default_factory=list)
    pending: list[Press] = field(default_factory=list)  # presses not answered yet (due or in flight)
    drops: list[Drop] = field(default_factory=list)
    pushed: int = 0
    due_replays: int = 0
    seen_calls: int = 0
    seen_responses: int = 0
    finished: int = 0
    answered_count: int = 0
    with_buttons: int = 0  # answered events whose answer carried the answer buttons
    stray_posts: int = 0  # DM posts before the customer's first event
    other_posts: Counter[str] = field(default_factory=Counter)  # posts outside customers' DMs, not relay notices
    lost: int = 0
    new_posts: bool = False  # the last read saw a post
    failed_calls: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.by_channel = {c.channel: c for c in self.customers}
        self.by_name = {c.name: c for c in self.customers}
        self.total = sum(len(c.events) for c in self.customers)
        self.by_interaction: dict[str, Press] = {}
        self.by_token: dict[str, Press] = {}
        window = 2 * max(self.plan.values(), default=1)
        self.recent: deque[Event] = deque(maxlen=window)  # the last events pushed: candidates for a replay

    def run(self) -> float:
        """Push every event; return the driver-clock time the last one was answered or given up."""
        ready = deque(self.rng.sample(self.customers, len(self.customers)))
        last = time.monotonic()
        with tqdm(total=self.total, unit="event", desc="discord load", smoothing=0.05) as bar:
            while self.finished < self.total or self.pending:
                now = time.monotonic()
                busy = self._drop_due(now)
                done = self._read_calls(now, ready)
                done += self._give_up(now, ready)
                busy = self._presses(now, ready) or busy
                while len(self.outstanding) < self.concurrency and ready and ready[0].ready_at <= now:
                    self._push(ready.popleft())
                    busy = True
                if done:
                    bar.update(done)
                    bar.set_postfix(
                        in_flight=len(self.outstanding),
                        lost=self.lost,
                        presses=len(self.presses),
                        resumes=len(self.drops),
                        refresh=False,
                    )
                    last = time.monotonic()
                if not (busy or done):
                    time.sleep(POLL_S)
        return last

    def drain(self, limit: float = 30.0) -> None:
        """Make the drops still due, wait for their RESUMEs, then until the bot has posted nothing for QUIET_S."""
        deadline = time.monotonic() + limit
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            if self._drop_due(now) or self._read_calls(now, deque()) or self.new_posts:
                quiet_since = now
            elif not self.due_replays and self._reconnected() >= len(self.drops) and now - quiet_since >= QUIET_S:
                return
            time.sleep(0.02)

    def events(self) -> Iterator[Event]:
        return (e for c in self.customers for e in c.events)

    # ---- pushing and replaying

    def _push(self, customer: Customer) -> None:
        event = customer.events[customer.next]
        customer.next += 1
        event.message_id = new_snowflake()
        event.body = message_create(customer.channel, customer.author, event.text, message_id=event.message_id)
        customer.latest = event
        self.outstanding[customer.channel] = event
        event.sent = time.monotonic()
        records = self.fake.dispatch("MESSAGE_CREATE", event.body)
        event.pushed = records[0].at if records else event.sent
        self.recent.append(event)
        self.pushed += 1
        self.due_replays += self.plan.get(self.pushed, 0)

    def _reconnected(self) -> int:
        """Drops the client has come back from: RESUMEs accepted, plus fresh IDENTIFYs after a refused one."""
        resumed = sum(r.accepted for r in self.fake.resumes)
        return resumed + max(0, sum(i.accepted for i in self.fake.identifies) - 1)

    def _drop_due(self, now: float) -> bool:
        if not self.due_replays or self._reconnected() < len(self.drops):  # one drop at a time
            return False
        candidates = [e for e in self.recent if e.replayed is None]
        picks = self.rng.sample(candidates, min(self.due_replays, len(candidates)))
        for event in picks:
            event.replayed = now
        self.due_replays = 0
        self.drops.append(Drop(now, len(picks)))
        self.fake.drop_connection(missed=[("MESSAGE_CREATE", e.body) for e in picks])
        return True

    # ---- answers

    def _read_calls(self, now: float, ready: deque[Customer]) -> int:
        calls = self.fake.calls
        new, self.seen_calls = calls[self.seen_calls :], len(calls)
        self.new_posts = False
        done = 0
        for call in new:
            if not call.ok:
                self.failed_calls[f"{call.method} {call.route}: {call.status}"] += 1
                continue
            if call.method != "POST":
                continue
            if found := MESSAGES.match(call.path):
                self.new_posts = True
                done += self._post(found.group(1), call, now, ready)
            elif found := FOLLOWUP.match(call.path):
                self.new_posts = True
                press = self.by_token.get(found.group(1))
                if press is None:
                    self.other_posts["follow-ups to other interactions"] += 1
                    continue
                press.followups += 1
                self._press_post(press, "(follow-up) " + text_of(call.json), call)
        return done

    def _post(self, channel: str, call: Call, now: float, ready: deque[Customer]) -> int:
        text = text_of(call.json)
        customer = self.by_channel.get(channel)
        if customer is None:
            if (found := RELAY_NOTICE.search(text)) and found.group(1) in self.by_name:
                event = self.by_name[found.group(1)].latest
                if event is not None and call.at >= event.pushed:
                    event.relays.append(text)
                    return self._answered(event, call, "agents", now, ready)
            self.other_posts["agents' channel" if channel == STAFF_CHANNEL_ID else "threads and other channels"] += 1
            return 0
        press = customer.press
        if press is not None and press.dispatched is not None and call.at >= press.dispatched:
            self._press_post(press, text, call)
            return 0
        event = customer.latest
        if event is None or call.at < event.pushed:
            self.stray_posts += 1
            return 0
        event.posts.append(text)
        self._maybe_press(event, call, now, ready)
        return self._answered(event, call, "dm", now, ready)

    def _answered(self, event: Event, call: Call, via: str, now: float, ready: deque[Customer]) -> int:
        if event.answered is not None:
            return 0
        event.answered, event.answered_via, event.reply = call.at, via, call
        if event.lost:  # already given up on and counted
            event.late = True
            return 0
        self.answered_count += 1
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
        self._requeue(customer, now, ready)

    def _requeue(self, customer: Customer, now: float, ready: deque[Customer]) -> None:
        if customer.press is None and customer.next < len(customer.events) and customer not in ready:
            customer.ready_at = now + self.think
            ready.append(customer)

    # ---- presses

    def _maybe_press(self, event: Event, call: Call, now: float, ready: deque[Customer]) -> None:
        """On the post that carries the answer buttons: press one for about `press_share` of the answered events."""
        customer = event.customer
        buttons = buttons_of(call.json)
        labels = [label for label in ANSWER_BUTTONS if label in buttons]
        if not labels or event.press is not None or event.lost or customer.press is not None or customer.latest is not event:
            return
        self.with_buttons += 1
        answered = self.answered_count + (event.answered is None)
        if len(self.presses) + 1 > self.press_share * answered:
            return
        label = self.rng.choice(labels)
        press = Press(event, label, buttons[label], due=now + self.think)
        event.press = customer.press = press
        self.presses.append(press)
        self.pending.append(press)
        if customer in ready:  # the answer came in several posts and the next message was already due
            ready.remove(customer)

    def _press_post(self, press: Press, text: str, call: Call) -> None:
        press.posts.append(text)
        press.last_post = call.at
        if press.first_post is None:
            press.first_post = call.at

    def _presses(self, now: float, ready: deque[Customer]) -> bool:
        busy = False
        if any(p.dispatched is not None and p.response is None for p in self.pending):
            responses = self.fake.interaction_responses
            for response in responses[self.seen_responses :]:
                if (press := self.by_interaction.get(response.interaction_id)) is not None and press.response is None:
                    press.response = response
            self.seen_responses = len(responses)
        for press in list(self.pending):
            if press.dispatched is None:
                if now >= press.due:
                    busy = True
                    if not self._dispatch_press(press):
                        self._settle(press, now, ready)
                continue
            answered = press.response is not None and bool(press.posts) and now - press.last_post >= PRESS_QUIET_S
            if answered or now - press.sent > self.reply_timeout:
                press.timed_out = not answered
                self._settle(press, now, ready)
        return busy

    def _dispatch_press(self, press: Press) -> bool:
        customer = press.event.customer
        bot_messages = [m for m in self.fake.messages(customer.channel) if m["author"]["id"] == BOT_USER_ID]
        message = next((m for m in reversed(bot_messages) if press.custom_id in buttons_of(m).values()), None)
        if message is None:
            press.skipped = "the message with the button is gone"
            return False
        payload = component_interaction(customer.author, customer.channel, message, press.custom_id)
        press.interaction_id, press.token, press.message_id = payload["id"], payload["token"], message["id"]
        self.by_interaction[press.interaction_id] = press
        self.by_token[press.token] = press
        press.sent = time.monotonic()
        records = self.fake.dispatch("INTERACTION_CREATE", payload)
        press.dispatched = records[0].at if records else press.sent
        return True

    def _settle(self, press: Press, now: float, ready: deque[Customer]) -> None:
        press.settled = now
        self.pending.remove(press)
        customer = press.event.customer
        customer.press = None
        if customer.channel not in self.outstanding:
            self._requeue(customer, now, ready)


# --------------------------------------------------------------------------------------------- the bot in a thread


class BotThread:
    """`serve(bot, adapter)` on its own event loop (a `LoopThread`), stopped cleanly."""

    def __init__(self, bot: SupportBot, adapter: DiscordAdapter) -> None:
        self.bot, self.adapter = bot, adapter
        self.runner = LoopThread("bot-loop")
        self.task: Any = None
        self.leftover_tasks = -1
        self.closed = False

    def start(self, fake: FakeDiscord) -> None:
        loop = self.runner.loop
        self.task = asyncio.run_coroutine_threadsafe(serve(self.bot, self.adapter), loop)
        ready = asyncio.run_coroutine_threadsafe(self.adapter.ready(), loop)
        deadline = time.monotonic() + 30
        while not ready.done():
            if self.task.done():
                self.task.result()  # serve() failed before it took events: raise why
                raise RuntimeError("serve() returned before the adapter was ready")
            if time.monotonic() > deadline:
                raise TimeoutError("the Discord adapter was not ready within 30 s")
            time.sleep(0.01)
        fake.wait_ready(timeout=10)

    def stop(self) -> None:
        try:
            if self.task is not None:
                self.runner.run(self.adapter.stop(), timeout=10)
                self.task.result(15)  # serve() returned, without an exception
            self.leftover_tasks = self.runner.run(cancel_leftovers(), timeout=10)
            self.runner.run(self.runner.loop.shutdown_default_executor(), timeout=30)
        finally:
            self.runner.close()
            self.closed = self.runner.loop.is_closed()


def warm_up(fake: FakeDiscord) -> None:
    """A question and a press first (discord.py's first dispatches, the first forward passes, the first
    interaction), outside the figures."""
    warm = Customer(0)
    fake.add_channel(dm_channel(warm.channel, warm.author))
    path = f"/channels/{warm.channel}/messages"

    def posts() -> int:
        return sum(c.method == "POST" and c.path == path and c.ok for c in fake.calls)

    fake.dispatch("MESSAGE_CREATE", message_create(warm.channel, warm.author, WARM_UP_TEXT))
    fake.wait_for(lambda calls: posts(), 60)
    time.sleep(0.5)  # the rest of the answer
    message = next((m for m in reversed(fake.messages(warm.channel)) if "Not quite" in buttons_of(m)), None)
    if message is None:
        return
    before = posts()
    payload = component_interaction(warm.author, warm.channel, message, buttons_of(message)["Not quite"])
    fake.dispatch("INTERACTION_CREATE", payload)
    fake.wait_for(lambda calls: any(r.interaction_id == payload["id"] for r in fake.interaction_responses), 30)
    fake.wait_for(lambda calls: posts() > before, 30)
    time.sleep(0.5)


# --------------------------------------------------------------------------------------------- figures


def gaps(drops: list[Drop], fake: FakeDiscord) -> list[tuple[float, float]]:
    """When the client was away: each drop to the first accepted RESUME (or IDENTIFY) after it."""
    back = sorted([r.at for r in fake.resumes if r.accepted] + [i.at for i in fake.identifies if i.accepted])
    spans = []
    for drop in drops:
        end = next((at for at in back if at >= drop.at), math.inf)
        spans.append((drop.at, end))
    return spans


def resume_figures(driver: Driver, fake: FakeDiscord, events: list[Event], away: list[tuple[float, float]]) -> dict[str, Any]:
    resumes = fake.resumes
    accepted = [r for r in resumes if r.accepted]
    return {
        "drops": len(driver.drops),
        "performed": len(accepted),
        "refused": len(resumes) - len(accepted),
        "identifies_after_the_first": max(0, len(fake.identifies) - 1),
        "replayed_events": sum(len(r.replayed) for r in accepted),  # every dispatch after the client's last seq
        "replayed_customer_messages": sum(d.missed for d in driver.drops),
        "replayed_before_first_reply": sum(
            1 for e in events if e.replayed is not None and (e.answered is None or e.replayed < e.answered)
        ),
        "events_dispatched_while_away": sum(any(a <= e.pushed <= b for a, b in away) for e in events),
        "drop_to_resume": percentiles([b - a for a, b in away if b != math.inf]),
        "never_back": sum(b == math.inf for _, b in away),
    }


def interaction_figures(driver: Driver, fake: FakeDiscord, away: list[tuple[float, float]]) -> dict[str, Any]:
    pressed = [p for p in driver.presses if p.dispatched is not None]
    answered = [p for p in pressed if p.response is not None]

    def connected(p: Press) -> bool:
        return not any(a <= (p.dispatched or 0.0) <= b for a, b in away)

    return {
        "response": percentiles([p.response.latency for p in answered if p.response is not None]),
        "response_while_connected": percentiles([p.response.latency for p in answered if p.response and connected(p)]),
        "press_to_bot_post": percentiles([p.first_post - p.dispatched for p in pressed if p.first_post and p.dispatched]),
        "answered_events_with_answer_buttons": driver.with_buttons,
        "presses": len(pressed),
        "by_label": dict(Counter(p.label for p in pressed)),
        "not_pressed": dict(Counter(p.skipped for p in driver.presses if p.skipped)),
        "pressed_while_away": sum(not connected(p) for p in pressed),
        "without_callback": sum(p.response is None for p in pressed),
        "callback_types": dict(Counter(str(p.response.type) for p in answered if p.response is not None)),
        "over_3_s": sum(p.response.latency > 3.0 for p in answered if p.response is not None),
        "without_bot_post": sum(not p.posts for p in pressed),
        "timed_out": sum(p.timed_out for p in pressed),
        "with_follow_ups": sum(p.followups > 0 for p in pressed),
        "posts_per_press": dict(Counter(str(len(p.posts)) for p in pressed)),
        "all_interaction_callbacks_in_fake": len(fake.interaction_responses),
    }


def post_ids_by_call(fake: FakeDiscord, channels: list[str]) -> tuple[dict[int, int], list[str]]:
    """The id of what each successful POST /channels/{id}/messages posted: per channel, calls and the bot's
    stored messages (not the interaction webhook's) come in the same order (the fake stores and records under
    one lock; snowflakes only increase)."""
    calls_by_channel: defaultdict[str, list[Call]] = defaultdict(list)
    for call in fake.calls:
        if call.ok and call.method == "POST" and (found := MESSAGES.match(call.path)):
            calls_by_channel[found.group(1)].append(call)
    mapping: dict[int, int] = {}
    mismatched = []
    for channel in channels:
        posted = [int(m["id"]) for m in fake.messages(channel) if m["author"]["id"] == BOT_USER_ID and "webhook_id" not in m]
        calls = calls_by_channel.get(channel, [])
        if len(posted) != len(calls):
            mismatched.append(channel)
            continue
        mapping.update((id(call), message_id) for call, message_id in zip(calls, posted, strict=True))
    return mapping, mismatched


def database_figures(
    bot: SupportBot, events: list[Event], presses: list[Press], id_of: dict[int, int]
) -> tuple[dict[str, Any], set[str]]:
    """The bot's own record of the load (the shared turn checks, reply positions as snowflakes, the presses'
    outbox items counted as the load's too, plus the presses' own checks); also returns the events decided
    more than once."""
    press_keys = {f"press/{p.interaction_id}" for p in presses if p.dispatched is not None}
    with Session(bot.store.engine) as session:
        tables = read_bot_tables(session)
        clicks = {
            m.platform_message_id: m
            for m in session.exec(select(Message).where(col(Message.platform_message_id).in_(sorted(press_keys))))
        }
    click_ids = [m.id for m in clicks.values() if m.id is not None]
    figures, several = turn_checks(tables, events, int, lambda e: id_of.get(id(e.reply), -1), 0, click_ids)
    figures.update(
        {
            "presses_stored": len(clicks),
            "presses_missing": len(press_keys - set(clicks)),
            "presses_with_several_decisions": sum(tables.decisions[i] > 1 for i in click_ids),
            "outbox_pending_all": sum(i.status != "sent" for i in tables.items),
            "press_outcomes": dict(Counter(tables.outcome_of.get(i, "-") for i in click_ids)),
        }
    )
    return figures, several


def discord_py_globals() -> tuple[str, str]:
    return str(discord.http.Route.BASE), str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


# --------------------------------------------------------------------------------------------- main


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    customers = make_load(test_texts(), args.events, args.per_customer, rng)
    plan = resume_plan(args.events, args.resume_every, args.redeliver)
    bot = load_bot(url, args.model)
    globals_before = discord_py_globals()
    result: dict[str, Any] = {}
    with running_fake_discord() as fake, counting_logs() as logs:
        for c in customers:
            fake.add_channel(dm_channel(c.channel, c.author))
        driver = Driver(fake, customers, args.concurrency, args.reply_timeout, args.think, args.press, plan, rng)
        with discord_py_pointed_at(fake):
            runner = BotThread(bot, DiscordAdapter(settings_for(fake)))
            try:
                runner.start(fake)
                warm_up(fake)
                driver.seen_calls = len(fake.calls)  # the warm-up's calls are not the load's
                driver.seen_responses = len(fake.interaction_responses)
                route = "/channels/{channel_id}/messages"
                with Bursts(
                    lambda status, n: fake.fail_next(route, status=status, method="POST", times=n),
                    args.bursts,
                    args.burst_size,
                    args.burst_every,
                ) as bursts:
                    timing = timed_run(driver)
            finally:
                runner.stop()
        events = list(driver.events())
        away = gaps(driver.drops, fake)
        to_reply = [e.answered - e.pushed for e in events if e.answered is not None and not e.late]
        id_of, unmapped = post_ids_by_call(fake, [c.channel for c in customers])
        db, several = database_figures(bot, events, driver.presses, id_of)
        doubled_texts = [e.key for e in events if len(e.posts) != len(set(e.posts)) or len(e.relays) != len(set(e.relays))]
        interactions = interaction_figures(driver, fake, away)
        result = {
            "event_to_reply": percentiles(to_reply),
            "event_to_reply_dm_only": percentiles(
                [e.answered - e.pushed for e in events if e.answered is not None and e.answered_via == "dm"]
            ),
            "event_to_reply_replayed": percentiles(
                [e.answered - e.pushed for e in events if e.answered is not None and e.replayed is not None]
            ),
            **outcome_figures(events, several, doubled_texts),
            "doubled_text_examples": [
                {"key": k, "posts": e.posts, "relays": e.relays} for k in doubled_texts[:3] for e in events if e.key == k
            ],
            "interactions": interactions,
            "resumes": resume_figures(driver, fake, events, away),
            "database": db,
            **throughput_figures(timing, len(events), len(customers)),
            "posts": {
                "customer_dms": sum(len(e.posts) for e in events),
                "after_presses": sum(len(p.posts) for p in driver.presses),
                "relay_notices": sum(len(e.relays) for e in events),
                "stray": driver.stray_posts,
                "other": dict(driver.other_posts),
                "channels_call_log_mismatch": unmapped,
            },
            "failed_rest_calls": dict(driver.failed_calls),
            "rest_calls": dict(Counter(f"{c.method} {c.route}" for c in fake.calls)),
            "gateway_dispatches": len(fake.dispatches),
            "spec_violations": len(fake.spec_violations),
            "response_violations": len(fake.response_violations),
            "faults": bursts.figures(),
            "spec_violation_examples": fake.spec_violations[:3],
            "serve_ended_cleanly": runner.task is not None and runner.task.done() and runner.task.exception() is None,
            "bot_loop_closed": runner.closed,
            "leftover_tasks_bot_loop": runner.leftover_tasks,
            **process_figures(logs),
        }
    result["leftover_tasks_fake"] = fake.leaked_tasks
    result["discord_py_globals_restored"] = discord_py_globals() == globals_before
    bot.store.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, redeliver_help="share of events replayed after a RESUME")
    parser.add_argument("--resume-every", type=int, default=100, help="drop the gateway connection about every this many events")
    parser.add_argument("--press", type=float, default=0.1, help="share of answered events whose answer buttons get pressed")
    add_run_arguments(parser, NAME)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result, url = run_on_database(args.database, NAME, lambda url: run(args, url))
    result["settings"] = {**common_settings(args, describe(url)), "resume_every": args.resume_every, "press": args.press}
    finish_result(
        result, NAME, args.threads, "fake Discord", {"interaction_p99_ms": 500, "lost_replies": 0, "doubled_replies": 0}
    )
    path = save_result(NAME, result, args.out)
    reply, press, resumes = result["event_to_reply"], result["interactions"]["response"], result["resumes"]
    print(
        f"{result['events']} events ({resumes['replayed_customer_messages']} replayed in {resumes['performed']} resumes, "
        f"{resumes['replayed_events']} events replayed), {args.concurrency} in flight, {args.database}: "
        f"message to first reply p50 {reply.get('p50_ms')} / p99 {reply.get('p99_ms')} ms; "
        f"interactions ({press.get('n')}) p50 {press.get('p50_ms')} / p99 {press.get('p99_ms')} ms (target ≤ 500); "
        f"lost {result['lost_replies']}, doubled {result['doubled_replies']} (targets 0, 0); "
        f"{result['wall_s']} s, {result['events_per_s']} events/s; {result['machine'].split(';')[0]} → {path}"
    )


if __name__ == "__main__":
    main()
