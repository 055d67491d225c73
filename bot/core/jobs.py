"""Work the bot does on a clock, not on an event: retrying the outbox, re-running turns a process died
on, purging old conversation text. Each job is registered by name with how often it runs and whether
it is shared: a shared job runs once across all processes on the database (whichever takes its lease
in `job_lease` first), the others run in every process (the outbox is safe to work from several: each
item is claimed before it is sent).

The clock is injectable, so tests drive the schedule without sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.retention import purge_older_than
from bot.storage.tables import utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.jobs")
JobRun = Callable[["SupportBot", dt.datetime], Awaitable[int]]  # returns how many things it did


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    shared: bool
    run: JobRun


JOBS: dict[str, Job] = {}


def job(name: str, every: dt.timedelta, shared: bool = True) -> Callable[[JobRun], JobRun]:
    def register(run: JobRun) -> JobRun:
        JOBS[name] = Job(name, every, shared, run)
        return run

    return register


@job("outbox.retry", dt.timedelta(seconds=5), shared=False)
async def _retry_outbox(bot: SupportBot, now: dt.datetime) -> int:
    """Sends whose first try failed or whose process died, once their lease and back-off ran out."""
    return await bot.resend_pending()


@job("turns.recover", dt.timedelta(seconds=30))
async def _recover_turns(bot: SupportBot, now: dt.datetime) -> int:
    """Customer turns stored but never decided (their process died mid-turn) and not re-delivered."""
    return await bot.recover()


@job("retention.purge", dt.timedelta(hours=6))
async def _purge(bot: SupportBot, now: dt.datetime) -> int:
    """Conversation text older than the retention setting is blanked; the aggregates stay."""
    if not bot.retention_days:
        return 0
    counts = await bot.db(purge_older_than, bot.store.engine, bot.retention_days, now)
    return counts.total


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(
        self,
        bot: SupportBot,
        jobs: dict[str, Job] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        tick: float = 1.0,
        holder: str | None = None,
    ) -> None:
        self.bot = bot
        self.jobs = dict(JOBS if jobs is None else jobs)
        self.clock = clock
        self.tick = tick
        self.holder = holder or holder_name()
        self._due: dict[str, dt.datetime] = {}  # the next run of this process's own (unshared) jobs

    async def run_due(self) -> dict[str, int]:
        """Run every job that is due now (and that this process won, for shared ones)."""
        ran: dict[str, int] = {}
        now = self.clock()
        for item in self.jobs.values():
            if not await self._take(item, now):
                continue
            try:
                ran[item.name] = await item.run(self.bot, now)
            except Exception as exc:  # one failing job never stops the others or the schedule
                log.exception("job.failed name=%s error=%s", item.name, type(exc).__name__)
                continue
            if ran[item.name]:
                log.info("job.ran name=%s count=%s", item.name, ran[item.name])
        return ran

    async def _take(self, item: Job, now: dt.datetime) -> bool:
        if item.shared:
            try:
                return await self.bot.db(self.bot.store.take_job, item.name, self.holder, item.every, now)
            except Exception as exc:  # the database is away (restarting): try again on the next tick
                log.warning("job.lease_failed name=%s error=%s", item.name, type(exc).__name__)
                return False
        if now < self._due.get(item.name, now):
            return False
        self._due[item.name] = now + item.every
        return True

    async def run_forever(self) -> None:
        while True:
            await self.run_due()
            await asyncio.sleep(self.tick)
