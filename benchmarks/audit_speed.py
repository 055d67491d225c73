"""`supportbot audit` speed: seconds per 1,000 tickets, end to end, on the machine it runs on.

    python -m benchmarks.audit_speed [--tickets 5000]

Writes `--tickets` sample tickets (the seeded generator behind examples/history/, scaled up, so the mix of
known intents and uncovered topics is the sample's) to a temporary CSV, then times each step the command
takes: loading the export, loading the model and encoder, the audit itself (classifying every ticket with
its escalation triggers, embedding and clustering the unknown ones, pattern scores, tiers, baseline), and
rendering the text and HTML reports. Results: benchmarks/results/audit_speed.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import peak_rss_mib, write_result
from bot.audit.audit import run_audit
from bot.audit.render_html import render_html
from bot.audit.render_text import render_text
from bot.cli.audit import ENCODER_TOKENS
from bot.config import load_settings
from bot.core.policy import load_policy
from bot.history.reader import load_history
from examples.history.generate import generate_tickets, write_native_csv
from knowledge.embedding import SentenceEncoder
from models.classifier import IntentClassifier


def main() -> None:
    parser = argparse.ArgumentParser(description="Time `supportbot audit` per 1,000 tickets.")
    parser.add_argument("--tickets", type=int, default=5_000)
    args = parser.parse_args()
    settings = load_settings()
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tickets.csv"
        write_native_csv(generate_tickets(args.tickets), path)
        start = time.perf_counter()
        history = load_history(path)
        steps["load export"] = time.perf_counter() - start
    start = time.perf_counter()
    classifier = IntentClassifier.load(settings.model_dir)
    encoder = SentenceEncoder(settings.base_model, max_length=ENCODER_TOKENS)
    steps["load model and encoder"] = time.perf_counter() - start
    start = time.perf_counter()
    result = run_audit(history, classifier, encoder, load_policy(settings.policy_file), progress=True)
    steps["audit"] = time.perf_counter() - start
    start = time.perf_counter()
    render_text(result)
    render_html(result)
    steps["render text and HTML"] = time.perf_counter() - start
    total = sum(steps.values())
    n = result.tickets
    for step, seconds in steps.items():
        print(f"{step:24} {seconds:8.1f} s  {seconds * 1000 / n:6.2f} s per 1,000 tickets")
    print(f"{'total':24} {total:8.1f} s  {total * 1000 / n:6.2f} s per 1,000 tickets", end="  ")
    print(f"({n:,} tickets, {result.unknown:,} unknown, {len(result.topics)} topics)")
    command = f"python -m benchmarks.audit_speed --tickets {args.tickets}"
    record = {
        "command": command,
        "tickets": n,
        "unknown": result.unknown,
        "topics": len(result.topics),
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "seconds": {step: round(seconds, 2) for step, seconds in steps.items()},
        "seconds_per_1000_tickets": round(total * 1000 / n, 2),
        "audit_seconds_per_1000_tickets": round(steps["audit"] * 1000 / n, 2),
    }
    print(f"results: {write_result('audit_speed', record)}")


if __name__ == "__main__":
    main()
