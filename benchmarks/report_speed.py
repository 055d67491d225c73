"""`supportbot report` on a year of traffic: 500,000 decisions in a scratch PostgreSQL, timed per query.

    python -m benchmarks.report_speed [--decisions 500000] [--repeats 3] [--seed 7] [--keep-html FILE]

Seeds a year of traffic ending now (benchmarks/report_seed.py: conversations, messages, decisions, tickets,
drafts, ratings, knowledge gaps and quality reviews, with COPY). Then ANALYZE (as autovacuum would have), and the
report for the last 7 days, 30 days and the whole year: "cold" is the first run on a new connection
after the seed (no plan or catalogue cache; the server's buffers are not emptied: that needs a restart),
"warm" the median of the next `--repeats`. Results: benchmarks/results/report_speed.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from benchmarks.common import scratch_postgres, write_result
from benchmarks.report_seed import INTENTS, seed
from bot.core.policy import load_policy
from bot.reporting.render_html import render_html
from bot.reporting.report import build_report
from bot.reporting.sql import Window
from bot.storage import make_engine, open_database


def timed_reports(url: str, end: dt.datetime, repeats: int, days: int, training: dict[str, int]) -> dict[str, Any]:
    policy = load_policy()
    window = Window(end - dt.timedelta(days=days), end)
    engine = make_engine(url)  # a new pool: the first run pays for planning and the catalogue, not for connecting
    runs = []
    try:
        for _ in range(repeats + 1):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                started = time.perf_counter()
                report = build_report(connection, window, policy, training, end)
                runs.append((time.perf_counter() - started, report))
    finally:
        engine.dispose()
    cold_seconds, cold = runs[0]
    warm = runs[1:]
    per_query = {name: statistics.median(r.timings_ms[name] for _, r in warm) for name in cold.timings_ms}
    return {
        "window_days": days,
        "turns_in_window": cold.turns.handled,
        "cold_ms": round(cold_seconds * 1000, 1),
        "warm_ms": round(statistics.median(s for s, _ in warm) * 1000, 1),
        "cold_per_query_ms": cold.timings_ms,
        "warm_per_query_ms": {k: round(v, 1) for k, v in per_query.items()},
        "report": cold,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Time `supportbot report` on a year of traffic in PostgreSQL.")
    parser.add_argument("--decisions", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-html", type=Path, help="write the 30-day report's HTML here")
    args = parser.parse_args()
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    training = {name: 70 for name in INTENTS} | {"out_of_scope": 280}
    results: dict[str, Any] = {"decisions": args.decisions, "load_average_at_start": os.getloadavg()}
    with scratch_postgres() as url:
        open_database(url).dispose()  # the migrated schema
        started = time.perf_counter()
        results["rows"] = seed(url, args.decisions, end, np.random.default_rng(args.seed))
        results["seed_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _analyze(url)
        results["analyze_seconds"] = round(time.perf_counter() - started, 1)
        print(f"seeded {results['rows']} in {results['seed_seconds']} s, ANALYZE {results['analyze_seconds']} s")
        results["windows"] = []
        for days in (7, 30, 365):
            timing = timed_reports(url, end, args.repeats, days, training)
            report = timing.pop("report")
            if days == 30:
                started = time.perf_counter()
                page = render_html(report)
                results["html_render_ms_30d"] = round((time.perf_counter() - started) * 1000, 1)
                if args.keep_html:
                    args.keep_html.write_text(page, encoding="utf-8")
            results["windows"].append(timing)
            print(
                f"{days:>3} days: {timing['turns_in_window']:>7,} turns  "
                f"cold {timing['cold_ms']:8.1f} ms  warm {timing['warm_ms']:8.1f} ms"
            )
            for name, ms in timing["warm_per_query_ms"].items():
                print(f"      {name:<14} cold {timing['cold_per_query_ms'][name]:8.1f} ms  warm {ms:8.1f} ms")
    results["load_average_at_end"] = os.getloadavg()
    command = f"python -m benchmarks.report_speed --decisions {args.decisions} --repeats {args.repeats} --seed {args.seed}"
    print(f"results: {write_result('report_speed', {'command': command, **results})}")


def _analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute("ANALYZE")


if __name__ == "__main__":
    main()
