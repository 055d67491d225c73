"""Four real bot processes on one PostgreSQL behave as one bot.

2,000 customer messages from 200 customers, written side by side (each customer one message after
another, as people do), each delivered to a random process and 10% of them delivered twice at the same
moment to two different processes. The database must hold exactly one stored message, at most one
decision and every reply sent once per event, in the order each customer wrote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from benchmarks.cluster import Cluster, Collector, check, client, customer_messages, drive, settle
from bot.storage import open_database
from bot.storage.tables import AuditEntry
from tests.databases import postgres_database


@pytest.fixture(scope="module")
def database(bundled_model_dir: Path) -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_four_processes_handle_each_event_once_and_in_order(database: str) -> None:
    engine = open_database(database)
    collector = Collector()
    written = customer_messages(customers=200, per_customer=10)

    async def run() -> list[float]:
        cluster = Cluster(database, await collector.start())
        await asyncio.to_thread(cluster.prepare)
        await asyncio.to_thread(cluster.start, 4)
        try:
            times = await drive(cluster, written, duplicate_share=0.1)
            await settle(engine)
            return times
        finally:
            cluster.stop()
            await collector.stop()

    times = asyncio.run(run())
    tally = check(engine, written, collector)
    assert len(times) == 2000
    assert tally.as_dict() == {
        **tally.as_dict(),
        "sent": 2000,
        "stored": 2000,
        "answered": 2000,
        "lost": 0,
        "doubled_messages": 0,
        "doubled_decisions": 0,
        "doubled_sends": 0,
        "out_of_order": 0,
        "pending": 0,
        "failed": 0,
    }
    assert tally.decided >= 1500  # the rest were relayed to an agent who has the conversation
    workers = {item["_worker"] for item in collector.received}
    assert len(workers) == 4  # every process did its share
    by_place = collector.customer_texts()
    assert len(by_place) == 200 and all(by_place.values())  # a customer's replies went to their own place only
    engine.dispose()


def test_a_slash_command_delivered_to_two_processes_runs_once(database: str) -> None:
    engine = open_database(database)
    collector = Collector()

    async def run() -> list[int]:
        cluster = Cluster(database, await collector.start(), env={"SUPPORTBOT_ADMIN_IDS": "web:root"})
        await asyncio.to_thread(cluster.start, 2)
        try:
            body = {"kind": "command", "id": "trigger-42", "user": "root", "name": "tier", "text": "password_reset auto"}
            async with client() as http:
                return list(await asyncio.gather(cluster.post(http, 0, body), cluster.post(http, 1, body)))
        finally:
            cluster.stop()
            await collector.stop()

    assert asyncio.run(run()) == [200, 200]
    with Session(engine) as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.command == "tier")).all()
    assert len(audited) == 1
    assert [item["__type__"] for item in collector.received] == ["CommandResponse"]
    engine.dispose()
