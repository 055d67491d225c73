"""Sustained throughput of the whole core on PostgreSQL with 1, 2 and 4 bot processes: messages per second,
reply time percentiles, and memory per process, under the same seeded traffic.

    python -m benchmarks.throughput [--processes 1 2 4] [--customers 100] [--per-customer 10]

Each run starts its processes on a fresh scratch database (benchmarks.cluster: the real core and model in
each, a webhook platform that answers once the event is handled), then `--customers` customers write side
by side, each waiting for the answer before the next message, as people do. Messages per second is the
events over the wall time from the first send to the last answer; reply time is each event's send to its
answer. On a 2-core machine more processes mostly add contention: the figure says how much.
Results: benchmarks/results/throughput.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

from benchmarks.cluster import Cluster, Collector, check, customer_messages, drive, settle
from benchmarks.common import scratch_postgres, write_result
from bot.storage import open_database


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def one_run(processes: int, args: argparse.Namespace) -> dict[str, Any]:
    collector = Collector()
    await collector.start()
    written = customer_messages(args.customers, args.per_customer, seed=args.seed)
    warm = customer_messages(processes * 4, 2, seed=args.seed + 1)
    warm = {f"warm-{user}": [{**m, "id": f"warm-{m['id']}", "user": f"warm-{user}"} for m in ms] for user, ms in warm.items()}
    try:
        with scratch_postgres("supportbot_throughput") as url:
            engine = open_database(url)
            cluster = Cluster(url, collector.url)
            await asyncio.to_thread(cluster.prepare)
            await asyncio.to_thread(cluster.start, processes)
            try:
                await drive(cluster, warm, duplicate_share=0.0)  # first forward passes, outside the figures
                started = time.monotonic()
                times = await drive(cluster, written, duplicate_share=0.0, seed=args.seed)
                wall = time.monotonic() - started
                await settle(engine)
                rss = cluster.rss_mib()
            finally:
                cluster.stop()
            tally = check(engine, written, collector)
            engine.dispose()
    finally:
        await collector.stop()
    events = len(times)
    return {
        "processes": processes,
        "events": events,
        "wall_s": round(wall, 2),
        "messages_per_s": round(events / wall, 1),
        "reply_p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "reply_p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "rss_mib_per_process": [round(x) for x in rss],
        "lost": tally.lost,
        "doubled": tally.doubled_decisions + tally.doubled_sends + tally.doubled_messages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for processes in args.processes:
        print(f"{processes} process(es) …", flush=True)
        runs.append(asyncio.run(one_run(processes, args)))
        print(runs[-1], flush=True)
    base = runs[0]["messages_per_s"]
    for run in runs:
        run["throughput_vs_first"] = round(run["messages_per_s"] / base, 2) if base else None
    result = {
        "command": "python -m benchmarks.throughput " + " ".join(sys.argv[1:]),
        "machine": f"{os.cpu_count()} CPU cores; torch with 1 thread per process; the driver and PostgreSQL on the same machine",
        "runs": runs,
    }
    print(f"→ {write_result('throughput', result)}")


if __name__ == "__main__":
    main()
