"""Loading a ticket-history export: time per 1,000 tickets for CSV and JSON lines.

    python -m benchmarks.history_load [--tickets 10000] [--repeats 3]

Writes `--tickets` sample tickets (the seeded generator behind examples/history/, scaled up) to a temporary
folder as native CSV, JSON lines and a Zendesk-layout CSV (durations in minutes, space-separated tags), then
times `load_history` on each, best of `--repeats`. Results: benchmarks/results/history_load.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import write_result
from bot.history.reader import load_history
from examples.history.generate import generate_tickets, write_native_csv, write_native_jsonl, write_zendesk_csv


def best_seconds(path: Path, repeats: int) -> tuple[float, int]:
    timings, loaded = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        history = load_history(path)
        timings.append(time.perf_counter() - start)
        loaded = len(history.tickets)
    return min(timings), loaded


def main() -> None:
    parser = argparse.ArgumentParser(description="Time loading a ticket-history export.")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tickets = generate_tickets(args.tickets)
    results: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {"native.csv": write_native_csv, "native.jsonl": write_native_jsonl, "zendesk.csv": write_zendesk_csv}
        for name, write in files.items():
            path = Path(folder) / name
            write(tickets, path)
            seconds, loaded = best_seconds(path, args.repeats)
            results[name] = {
                "tickets": loaded,
                "megabytes": round(path.stat().st_size / 2**20, 2),
                "seconds": round(seconds, 3),
                "ms_per_1000_tickets": round(seconds * 1000 / loaded * 1000, 1),
            }
            print(f"{name:14} {loaded:>6} tickets  {results[name]['megabytes']:>5} MB  {seconds:6.3f} s  "
                  f"{results[name]['ms_per_1000_tickets']:6.1f} ms per 1,000 tickets")  # fmt: skip
    command = f"python -m benchmarks.history_load --tickets {args.tickets} --repeats {args.repeats}"
    print(f"results: {write_result('history_load', {'command': command, 'files': results})}")


if __name__ == "__main__":
    main()
