"""What the fake platform servers (slack_fake, discord_fake) share: the plumbing, not the platform.

Each fake is an aiohttp server that runs on its own event loop in a daemon thread, so a test can drive the real
client library with asyncio.run() on the main thread while the fake answers. The pieces here are the parts of that
arrangement that do not depend on which platform is faked: the loop thread, the local listening sockets, the spec file
look-up and the thread-safe waits. Keeping them in one place keeps the two fakes' lifecycles (and their leak checks)
from drifting apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, Protocol, Self, TypeVar

from aiohttp import web

T = TypeVar("T")
C = TypeVar("C")
F = TypeVar("F", bound="RunnableFake")

POLL_INTERVAL_S = 0.01  # how often the waits look again: short next to any test's timeout, long enough not to spin


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, or None: tells a fake whether it is called from its own loop."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# --------------------------------------------------------------------------------------------- ids


class IncreasingClock:
    """Readings of a clock that never repeat or go back, across threads.

    Platform ids (Slack's message ts, Discord's snowflakes) sort by creation time and must be unique; two made in the
    same tick, or after the wall clock stepped back, take the last one plus one. Subclasses turn `tick()` into the
    platform's format.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def tick(self, now: int) -> int:
        """`now` (the clock in the id's unit), unless an id at or after it was already given out."""
        with self._lock:
            self._last = max(now, self._last + 1)
            return self._last


# --------------------------------------------------------------------------------------------- spec files


def find_spec_file(env_var: str, filename: str, label: str) -> Path:
    """An OpenAPI file: $`env_var`, else shared/specs/`filename` next to or above the repo (a worktree keeps it above).

    The fakes check every request against the platform's published spec, so a missing file is an error naming every
    place tried rather than a silently unchecked fake.
    """
    root = Path(__file__).resolve().parents[2]
    candidates = [Path(os.environ[env_var])] if env_var in os.environ else []
    candidates += [base / "shared" / "specs" / filename for base in (root, root.parent)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{label} OpenAPI spec not found; tried {[str(c) for c in candidates]} (set {env_var})")


@functools.cache
def load_spec(path: Path) -> dict[str, Any]:
    """The parsed spec, read once per path: the files are megabytes and every fake (one a test) wants one."""
    return dict(json.loads(path.read_text()))


# --------------------------------------------------------------------------------------------- servers


def listening_socket() -> socket.socket:
    """A socket on 127.0.0.1 with an OS-picked port, so parallel tests never collide."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class LocalServer:
    """One aiohttp application on its own local port (`port` is 0 until started)."""

    def __init__(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        self.port = 0

    async def start(self) -> None:
        await self._runner.setup()
        sock = listening_socket()
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        await self._runner.cleanup()


# --------------------------------------------------------------------------------------------- waiting


class FakeServer(Generic[C]):
    """The part of a fake that tests touch from any thread: recorded calls, `async with`, and the waits.

    The fake's state changes on its own loop (in a LoopThread) while the test runs elsewhere, so reads copy under
    `_lock`, and the waits come twice: blocking ones for other threads, *_async ones for any event loop. A blocking
    wait called from the fake's own loop would stop the very thing it waits for, so it refuses with a pointer to the
    *_async variant instead of deadlocking until the timeout.

    A subclass sets `_lock`, `_calls` and `_loop` (the loop while started, else None) in __init__, and provides
    start(), stop(), describe_calls() and _poll_context().
    """

    _lock: threading.RLock
    _calls: list[C]
    _loop: asyncio.AbstractEventLoop | None

    async def start(self) -> Self:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def calls(self) -> list[C]:
        with self._lock:
            return list(self._calls)

    def describe_calls(self) -> str:
        raise NotImplementedError

    def _poll_context(self) -> str:
        """What a failed `_poll_*` wait adds to its message, to show what did happen instead."""
        raise NotImplementedError

    def wait_for(self, predicate: Callable[[list[C]], T], timeout: float = 5.0) -> T:
        """Poll the recorded calls until `predicate(calls)` is truthy; return its value or fail listing the calls."""
        self._refuse_own_loop()
        deadline = time.monotonic() + timeout
        while not (result := predicate(self.calls)):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s; calls:\n{self.describe_calls()}")
            time.sleep(POLL_INTERVAL_S)
        return result

    async def wait_for_async(self, predicate: Callable[[list[C]], T], timeout: float = 5.0) -> T:
        deadline = time.monotonic() + timeout
        while not (result := predicate(self.calls)):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s; calls:\n{self.describe_calls()}")
            await asyncio.sleep(POLL_INTERVAL_S)
        return result

    def _refuse_own_loop(self) -> None:
        if self._loop is not None and running_loop() is self._loop:
            raise RuntimeError("a blocking wait in the fake's own event loop would deadlock; use the *_async variant")

    def _poll_blocking(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        """Call `probe` until it answers something truthy and return that; fail naming `what` was awaited."""
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout}s; {self._poll_context()}")
            time.sleep(POLL_INTERVAL_S)
        return result

    async def _poll_async(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout}s; {self._poll_context()}")
            await asyncio.sleep(POLL_INTERVAL_S)
        return result


# --------------------------------------------------------------------------------------------- running in a thread


class LoopThread:
    """An event loop in a daemon thread (a fake's, or a bot's in a benchmark); `leaked_tasks` counts tasks still
    pending at close, which close() cancels and awaits so nothing is destroyed pending.

    Cancelling can schedule more tasks (a client dispatching its last events), so close() goes again, up to
    `cancel_rounds` times.
    """

    def __init__(self, name: str = "loop-thread", cancel_rounds: int = 5) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()
        self.leaked_tasks = 0
        self._cancel_rounds = cancel_rounds

    def run(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.leaked_tasks = self.run(self._cancel_leftovers(self._cancel_rounds))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    @staticmethod
    async def _cancel_leftovers(rounds: int) -> int:
        """Cancel and await what is left, again if cancelling scheduled more; return how many there were."""
        count = 0
        for _round in range(rounds):
            leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if not leftovers:
                break
            for task in leftovers:
                task.cancel()
            await asyncio.gather(*leftovers, return_exceptions=True)
            count += len(leftovers)
            await asyncio.sleep(0)
        return count


class RunnableFake(Protocol):
    """What `running_in_thread` needs of a fake: async start/stop, and somewhere to report leaked tasks."""

    leaked_tasks: int

    async def start(self) -> Any: ...

    async def stop(self) -> None: ...


@contextlib.contextmanager
def running_in_thread(fake: F, runner: LoopThread) -> Iterator[F]:
    """`fake` started on `runner`'s loop; on exit stopped (servers, tasks, thread), with `fake.leaked_tasks` set.

    Stopping is best effort: a test that already failed should report its own error, not the teardown's.
    """
    try:
        runner.run(fake.start())
        yield fake
    finally:
        with contextlib.suppress(Exception):
            runner.run(fake.stop())
        runner.close()
        fake.leaked_tasks = runner.leaked_tasks
