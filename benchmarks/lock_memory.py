"""Memory of the per-conversation lock table over 100,000 distinct customers.

    python -m benchmarks.lock_memory [--customers 100000] [--concurrency 500]

Events for `--customers` distinct customers go through `KeyedLocks.hold` (the in-process table that
`AdvisoryLocks` also keeps), `--concurrency` at a time, each holding its lock across an await as a real
event does. Reported: the table's size and the process's RSS before, at the peak and after, beside a
table that never forgets a key (what a `defaultdict(asyncio.Lock)` does), measured in the same run.
Results: benchmarks/results/lock_memory.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections import defaultdict
from typing import Any

from benchmarks.common import current_rss_mib, write_result
from bot.core.locks import KeyedLocks


async def through(locks: KeyedLocks, customers: int, concurrency: int) -> int:
    """Every customer's event takes and releases its lock; the largest table size seen."""
    largest = 0

    async def one(n: int) -> None:
        nonlocal largest
        async with locks.hold(f"customer:slack:U{n:08d}"):
            largest = max(largest, len(locks))
            await asyncio.sleep(0)

    for start in range(0, customers, concurrency):
        await asyncio.gather(*(one(n) for n in range(start, min(customers, start + concurrency))))
    return largest


async def never_forgetting(customers: int) -> int:
    table: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
    for n in range(customers):
        async with table[f"customer:slack:U{n:08d}"]:
            pass
    size = len(table)
    rss = current_rss_mib()
    del table
    return int(rss) if size else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=500)
    args = parser.parse_args()
    gc.collect()
    before = current_rss_mib()
    locks = KeyedLocks()
    largest = asyncio.run(through(locks, args.customers, args.concurrency))
    gc.collect()
    after = current_rss_mib()
    unbounded_rss = asyncio.run(never_forgetting(args.customers))
    result: dict[str, Any] = {
        "command": "python -m benchmarks.lock_memory " + " ".join(sys.argv[1:]),
        "customers": args.customers,
        "concurrency": args.concurrency,
        "table_size_largest": largest,
        "table_size_after": len(locks),
        "rss_mib_before": round(before, 1),
        "rss_mib_after": round(after, 1),
        "rss_growth_mib": round(after - before, 1),
        "never_forgetting_table_rss_mib": unbounded_rss,
        "never_forgetting_growth_mib": round(unbounded_rss - after, 1),
    }
    print(result)
    print(f"→ {write_result('lock_memory', result)}")


if __name__ == "__main__":
    main()
