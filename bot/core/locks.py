"""One event at a time per conversation or ticket: in this process, and across processes on PostgreSQL.

`KeyedLocks` orders events inside one process with an asyncio lock per key, kept only while someone
holds or waits for it, so the table is as large as the live conversations, not as every customer ever.

`AdvisoryLocks` adds a PostgreSQL session advisory lock on the same key, so that several bot processes
on one database behave as one bot. The lock is held on a connection of its own for the length of the
event and is taken with `pg_try_advisory_lock` in a polling loop: a waiting event never parks a worker
thread (the threads are what the lock holder needs to finish). A process that dies loses its
connection, and PostgreSQL releases its locks at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text

log = logging.getLogger("supportbot.locks")
FIRST_POLL, LONGEST_POLL = 0.002, 0.05  # seconds between tries for a lock another process holds


class EventLocks(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[float]:
        """Enter when the key is ours; yields how long we waited (seconds)."""
        ...

    def __len__(self) -> int: ...


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[float]:
        started = time.perf_counter()
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield time.perf_counter() - started
        finally:  # forget the lock once nobody holds or waits for it
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


def advisory_key(key: str) -> int:
    """A stable signed 64-bit number for a lock key (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class AdvisoryLocks:
    """`KeyedLocks` plus a PostgreSQL advisory lock. At most `concurrency` events of this process hold
    or wait for one at a time, each on its own pooled connection (the pool never has to grow)."""

    def __init__(self, engine: Engine, concurrency: int = 8) -> None:
        self.local = KeyedLocks()
        self.engine = create_engine(engine.url, pool_size=concurrency, max_overflow=0, pool_pre_ping=True)
        self._slots = asyncio.Semaphore(concurrency)

    def __len__(self) -> int:
        return len(self.local)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[float]:
        started = time.perf_counter()
        number = advisory_key(key)
        async with self.local.hold(key), self._slots:  # one contender per key takes a slot
            connection = await asyncio.to_thread(self.engine.connect)
            try:
                await self._acquire(connection, number)
                yield time.perf_counter() - started
            finally:
                await asyncio.to_thread(self._release, connection, number)

    @staticmethod
    async def _acquire(connection: Connection, number: int) -> None:
        delay = FIRST_POLL
        while not await asyncio.to_thread(_try_lock, connection, number):
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_POLL)

    @staticmethod
    def _release(connection: Connection, number: int) -> None:
        """Unlock and return the connection; one that failed (the server restarted) is thrown away,
        and its locks went with it."""
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": number})
            connection.commit()
        except Exception as exc:
            log.warning("locks.release_failed error=%s", type(exc).__name__)
            connection.invalidate()
        finally:
            connection.close()


def _try_lock(connection: Connection, number: int) -> bool:
    taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": number}).scalar())
    connection.commit()  # end the statement's transaction: the lock is the session's, not the transaction's
    return taken


def locks_for(engine: Engine, concurrency: int = 8) -> EventLocks:
    """Advisory locks on PostgreSQL (several processes may share it); in-process locks on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLocks(engine, concurrency)
    return KeyedLocks()
