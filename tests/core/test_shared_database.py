"""What lets several bot processes share one database: per-key locks (in-process and PostgreSQL advisory),
inbound receipts, job leases, and outbox leases with back-off and a final `failed`. Each "process" here
is its own store on its own engine, on real SQLite and PostgreSQL; tests/scale runs real processes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from bot.core.events import AgentNotice, CustomerReply, Place
from bot.core.jobs import Job, Scheduler
from bot.core.locks import AdvisoryLocks, KeyedLocks, locks_for
from bot.core.outbox_records import MAX_ATTEMPTS, backoff
from bot.core.store import ConversationStore
from bot.core.text import rich
from bot.core.work import Work
from bot.storage import open_database
from bot.storage.tables import Conversation, Customer, OutboxItem, utcnow
from tests.databases import database_url, postgres_database  # noqa: F401  (fixture)

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[ConversationStore, ConversationStore]]:  # noqa: F811
    """Two processes' stores on one database."""
    engines = [open_database(database_url), open_database(database_url)]
    yield ConversationStore(engines[0]), ConversationStore(engines[1])
    for engine in engines:
        engine.dispose()


def conversation(store: ConversationStore, user: str) -> int:
    with Session(store.engine) as session:
        customer = Customer(platform="test", platform_user_id=user)
        session.add(customer)
        session.flush()
        assert customer.id is not None
        row = Conversation(customer_id=customer.id, platform="test", channel_id=f"dm-{user}")
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def queue(store: ConversationStore, conversation_id: int | None, *texts: str) -> list[int]:
    def write(work: Work) -> None:
        for text in texts:
            if conversation_id is None:
                work.send(AgentNotice(rich(text)))
            else:
                work.send(CustomerReply(Place("test", "dm"), rich(text), "answer"), conversation_id)

    _, outgoing = store.transaction(write)
    return [item.outbox_id for item in outgoing if item.outbox_id is not None]


# Locks -------------------------------------------------------------------------------------------


def test_in_process_locks_are_forgotten_when_nobody_holds_them() -> None:
    locks = KeyedLocks()
    holders: dict[str, int] = {}
    most = 0

    async def work(key: str) -> None:
        nonlocal most
        async with locks.hold(key):
            holders[key] = holders.get(key, 0) + 1
            most = max(most, holders[key])
            await asyncio.sleep(0)
            holders[key] -= 1

    async def main() -> None:
        await asyncio.gather(*(work(f"customer:{n % 50}") for n in range(500)))

    asyncio.run(main())
    assert most == 1  # never two holders of one key
    assert len(locks) == 0  # one lock per live conversation, not per customer ever seen


def test_sqlite_gets_in_process_locks_and_postgresql_advisory_locks(tmp_path: object) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/one.db")
    assert isinstance(locks_for(engine), KeyedLocks)
    with postgres_database() as url:
        pg = open_database(url)
        locks = locks_for(pg)
        assert isinstance(locks, AdvisoryLocks)
        locks.engine.dispose()
        pg.dispose()


def test_advisory_locks_exclude_each_other_across_processes() -> None:
    """Two AdvisoryLocks (two processes' worth of connections) on one key: never both inside."""
    with postgres_database() as url:
        engine = open_database(url)
        first, second = AdvisoryLocks(engine, concurrency=4), AdvisoryLocks(engine, concurrency=4)
        inside: list[int] = []
        most = 0

        async def hold(locks: AdvisoryLocks, key: str) -> None:
            nonlocal most
            async with locks.hold(key):
                inside.append(1)
                most = max(most, len(inside))
                await asyncio.sleep(0.01)
                inside.pop()

        async def main() -> int:
            nonlocal most
            await asyncio.gather(*(hold(first if n % 2 else second, "ticket:7") for n in range(20)))
            one_key, most = most, 0
            await asyncio.gather(*(hold(first if n % 2 else second, f"ticket:{n}") for n in range(20)))
            return one_key

        assert asyncio.run(main()) == 1  # one key: one holder at a time, whichever process
        assert most > 1 and len(first) == len(second) == 0  # different keys: side by side
        with first.engine.connect() as connection:  # every advisory lock was released
            from sqlalchemy import text

            held = connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
        assert held == 0
        for locks in (first, second):
            locks.engine.dispose()
        engine.dispose()


def test_one_key_is_held_by_one_process_at_a_time() -> None:
    with postgres_database() as url:
        engine = open_database(url)
        first, second = AdvisoryLocks(engine), AdvisoryLocks(engine)
        events: list[str] = []

        async def hold(locks: AdvisoryLocks, name: str, pause: float) -> None:
            async with locks.hold("customer:test:alice"):
                events.append(f"{name} in")
                await asyncio.sleep(pause)
                events.append(f"{name} out")

        async def main() -> None:
            await asyncio.gather(hold(first, "a", 0.2), hold(second, "b", 0.0))

        asyncio.run(main())
        assert events in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
        for locks in (first, second):
            locks.engine.dispose()
        engine.dispose()


# Receipts and job leases -------------------------------------------------------------------------


def test_a_receipt_lets_an_event_through_once_and_again_only_if_its_handler_died(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    one, two = stores
    assert one.begin_receipt("slack", "press/abc") is True
    assert two.begin_receipt("slack", "press/abc") is True  # still "handling": the first process died on it
    two.finish_receipt("slack", "press/abc")
    assert one.begin_receipt("slack", "press/abc") is False
    assert one.begin_receipt("discord", "press/abc") is True  # ids are per platform


def test_a_shared_job_runs_once_per_period_however_many_processes_ask(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    one, two = stores
    every = dt.timedelta(minutes=10)
    assert [one.take_job("report", "p1", every, T0), two.take_job("report", "p2", every, T0)] == [True, False]
    assert two.take_job("report", "p2", every, T0 + dt.timedelta(minutes=9)) is False
    assert [two.take_job("report", "p2", every, T0 + every), one.take_job("report", "p1", every, T0 + every)] == [True, False]
    lease = one.job("report")
    assert lease is not None and lease.holder == "p2"


# Outbox leases -----------------------------------------------------------------------------------


def test_an_item_is_its_writers_until_the_lease_runs_out_then_exactly_one_claimer_takes_it(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    one, two = stores
    [item] = queue(one, None, "card")
    assert two.claim_due() == []  # the writer is sending it now
    later = utcnow() + dt.timedelta(seconds=31)
    claims = [two.claim_due(later), one.claim_due(later)]
    assert [len(c) for c in claims] == [1, 0] and claims[0][0].outbox_id == item
    assert one.claim_due(later + dt.timedelta(seconds=31))[0].outbox_id == item  # claimed, then dropped: due again


def test_a_failed_send_backs_off_and_is_given_up_after_the_last_attempt(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    one, _ = stores
    [item] = queue(one, conversation(one, "alice"), "hello")
    now = utcnow()
    assert backoff(1) == dt.timedelta(0) and backoff(2) == dt.timedelta(seconds=5) and backoff(20) == dt.timedelta(minutes=5)
    for attempt in range(1, MAX_ATTEMPTS):
        assert one.mark_failed(item, "HTTPException 503", now) is False
        assert one.claim_due(now + backoff(attempt) - dt.timedelta(seconds=1) if attempt > 1 else now - dt.timedelta(1)) == []
        assert len(one.claim_due(now + backoff(attempt))) == 1
        now = now + backoff(attempt)
    assert one.mark_failed(item, "HTTPException 503", now) is True
    counts, latest = one.outbox_health()
    assert counts == {"pending": 0, "failed": 1} and latest[0].last_error == "HTTPException 503" and latest[0].attempts == MAX_ATTEMPTS
    assert one.claim_due(now + dt.timedelta(days=1)) == []


def test_a_conversations_items_wait_behind_an_earlier_one_that_is_not_due(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    one, _ = stores
    alice, bob = conversation(one, "alice"), conversation(one, "bob")
    first, second = queue(one, alice, "one", "two")
    [other] = queue(one, bob, "hi bob")
    now = utcnow() + dt.timedelta(seconds=31)
    one.claim_due(now)  # all three claimed for 30 s
    one.mark_failed(first, "Timeout", now + dt.timedelta(seconds=60))  # alice's first fails: due again at +60 s + 0
    one.mark_failed(first, "Timeout", now + dt.timedelta(seconds=60))  # and again: back-off 5 s
    due = one.claim_due(now + dt.timedelta(seconds=62))
    assert [item.outbox_id for item in due] == [other]  # alice's second waits behind her first
    due = one.claim_due(now + dt.timedelta(seconds=66))
    assert [item.outbox_id for item in due] == [first, second]


# Scheduler ---------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


class JobBot:
    """What a scheduler needs of a bot: the store and `db` (the jobs here are the test's own)."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    async def db(self, function, *args):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(function, *args)


def test_two_schedulers_run_a_shared_job_once_and_their_own_jobs_each(
    stores: tuple[ConversationStore, ConversationStore],
) -> None:
    runs: list[str] = []

    def counting(label: str):  # type: ignore[no-untyped-def]
        async def run(bot: object, now: dt.datetime) -> int:
            runs.append(f"{label}@{int((now - T0).total_seconds())}")
            return 1

        return run

    clock = Clock()
    schedulers = [
        Scheduler(
            JobBot(store),  # type: ignore[arg-type]
            {
                "weekly": Job("weekly", dt.timedelta(minutes=1), True, counting("weekly")),
                "local": Job("local", dt.timedelta(seconds=30), False, counting(f"local{n}")),
            },
            clock=clock,
            holder=f"p{n}",
        )
        for n, store in enumerate(stores)
    ]

    async def tick(seconds: int) -> None:
        clock.now = T0 + dt.timedelta(seconds=seconds)
        for scheduler in schedulers:
            await scheduler.run_due()

    async def main() -> None:
        for seconds in (0, 10, 30, 59, 60, 90):
            await tick(seconds)

    asyncio.run(main())
    assert sorted(r for r in runs if r.startswith("weekly")) == ["weekly@0", "weekly@60"]
    assert [r for r in runs if r.startswith("local0")] == ["local0@0", "local0@30", "local0@60", "local0@90"]
    assert [r for r in runs if r.startswith("local1")] == ["local1@0", "local1@30", "local1@60", "local1@90"]


def test_a_failing_job_is_logged_and_the_others_still_run(stores: tuple[ConversationStore, ConversationStore]) -> None:
    async def broken(bot: object, now: dt.datetime) -> int:
        raise RuntimeError("boom")

    async def fine(bot: object, now: dt.datetime) -> int:
        return 3

    scheduler = Scheduler(
        JobBot(stores[0]),  # type: ignore[arg-type]
        {"a": Job("a", dt.timedelta(seconds=1), True, broken), "b": Job("b", dt.timedelta(seconds=1), False, fine)},
        clock=Clock(),
    )
    assert asyncio.run(scheduler.run_due()) == {"b": 3}
    with Session(stores[0].engine) as session:
        assert session.exec(select(OutboxItem)).all() == []
