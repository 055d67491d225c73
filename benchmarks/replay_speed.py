"""`supportbot replay`: time per 1,000 tickets through the real core, and the batched readings checked
against the live path.

    python -m benchmarks.replay_speed [--tickets 10000] [--check 500] [--concurrency 16]

Generates `--tickets` sample tickets (the seeded generator behind examples/history/), writes them as a
native CSV and loads them as the command does, then times each stage of one replay under the bundled
policy: loading the model, knowledge base and answer gate; the needed-work labels; the batched
classification; the replay itself (every ticket through `SupportBot.handle` on a throwaway SQLite
database); a second replay under another policy (low_confidence.threshold 0.5), as a what-if or each
sweep value costs. The first `--check` tickets are then replayed again with the model called once per message,
as the live bot calls it, and every decision (and stored confidence) is compared.
Results: benchmarks/results/replay_speed.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from benchmarks.common import peak_rss_mib, write_result
from bot.config import Settings
from bot.core.policy import load_policy
from bot.history.reader import load_history
from bot.replay.engine import CONCURRENCY, Replayer
from bot.replay.labels import label_tickets
from bot.replay.result import TicketDecision
from examples.history.generate import generate_tickets, write_native_csv


def per_1000(seconds: float, tickets: int) -> float:
    return round(seconds / max(tickets, 1) * 1000, 1)


def decided(d: TicketDecision) -> tuple[str, str, tuple[str, ...], str]:
    return d.outcome, d.intent, d.triggers, d.tier


def main() -> None:
    parser = argparse.ArgumentParser(description="Time `supportbot replay` per 1,000 tickets.")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--check", type=int, default=500, help="tickets replayed again unbatched and compared (0: none)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args()
    load_before = os.getloadavg()
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of this process, all threads: fairer than wall time on a shared machine
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tickets.csv"
        write_native_csv(generate_tickets(args.tickets), path)
        started = time.perf_counter()
        tickets = load_history(path).tickets
        stages["load_history"] = time.perf_counter() - started
    settings = Settings()
    started = time.perf_counter()
    replayer = Replayer.load(settings)
    stages["load_bot"] = time.perf_counter() - started
    policy = load_policy(settings.policy_file)
    started = time.perf_counter()
    label_tickets(tickets, replayer.intents, replayer.tiers(policy).tier)
    stages["labels"] = time.perf_counter() - started
    cpu_started = time.process_time()
    stages["classify_batched"] = replayer.prepare(tickets)
    cpu["classify_batched"] = time.process_time() - cpu_started
    started, cpu_started = time.perf_counter(), time.process_time()
    decisions = replayer.replay(policy, tickets, concurrency=args.concurrency)
    stages["replay"] = time.perf_counter() - started
    cpu["replay"] = time.process_time() - cpu_started
    policy_b = policy.model_copy(update={"low_confidence": policy.low_confidence.model_copy(update={"threshold": 0.5})})
    started, cpu_started = time.perf_counter(), time.process_time()
    replayer.replay(policy_b, tickets, concurrency=args.concurrency)  # a second policy: the query embeddings remembered
    stages["replay_second_policy"] = time.perf_counter() - started
    cpu["replay_second_policy"] = time.process_time() - cpu_started
    served, computed = replayer.cached.served, replayer.cached.computed
    command = f"python -m benchmarks.replay_speed --tickets {args.tickets} --check {args.check} --concurrency {args.concurrency}"
    result: dict[str, Any] = {
        "command": command,
        "tickets": len(tickets),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "concurrency": args.concurrency,
        "seconds": {name: round(value, 2) for name, value in stages.items()},
        "per_1000_tickets_seconds": {
            "classify_batched": per_1000(stages["classify_batched"], len(tickets)),
            "replay": per_1000(stages["replay"], len(tickets)),
            "one_policy": per_1000(stages["classify_batched"] + stages["replay"] + stages["labels"], len(tickets)),
            "each_further_policy": per_1000(stages["replay_second_policy"], len(tickets)),
        },
        "cpu_per_1000_tickets_seconds": {name: per_1000(value, len(tickets)) for name, value in cpu.items()},
        "readings": {"served_from_batches": served, "computed_by_the_model": computed},
        "failed": sum(d.outcome == "failed" for d in decisions),
        "peak_rss_mib": round(peak_rss_mib()),
    }
    if args.check:
        sample = tickets[: args.check]
        started = time.perf_counter()
        live = replayer.replay(policy, sample, batched=False, concurrency=args.concurrency)
        live_seconds = time.perf_counter() - started
        pairs = list(zip(decisions[: args.check], live, strict=True))
        different = [d.ticket_id for d, e in pairs if decided(d) != decided(e)]
        result["check"] = {
            "tickets": len(sample),
            "same_decision": len(sample) - len(different),  # outcome, intent, triggers and tier
            "different": different[:20],
            "same_confidence": sum(d.confidence == e.confidence for d, e in pairs),
            "largest_confidence_difference": max((abs(d.confidence - e.confidence) for d, e in pairs), default=0.0),
            "unbatched_per_1000_tickets_seconds": per_1000(live_seconds, len(sample)),
        }
    result["load_average"] = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    for name, value in result["per_1000_tickets_seconds"].items():
        print(f"{name:22} {value:7.1f} s per 1,000 tickets")
    for name, value in result["cpu_per_1000_tickets_seconds"].items():
        print(f"{name:22} {value:7.1f} CPU s per 1,000 tickets")
    if "check" in result:
        c = result["check"]
        print(f"check: {c['same_decision']} of {c['tickets']} decisions the same as on the live path "
              f"(confidence equal on {c['same_confidence']}, at most {c['largest_confidence_difference']:.4f} apart); "
              f"unbatched {c['unbatched_per_1000_tickets_seconds']:.1f} s per 1,000")  # fmt: skip
    print(f"results: {write_result('replay_speed', result)}")


if __name__ == "__main__":
    main()
