"""Serving cost of a trained model on this machine: load time, memory, single-message latency, throughput.

    python -m benchmarks.latency [--model DIR] [--threads 2]

Messages come from the bundled test split (real support-length texts, short and long). When the model
has a signals head, single-message calls alternate between the model as served (intents + signals read
in a conversation context) and the same loaded weights with the signals head skipped, so the signals'
cost is measured in one run, under the same noise.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import current_rss_mib, write_result
from bot.config import BUNDLED_INTENTS_TEST, load_settings
from models.classifier import IntentClassifier
from models.context import TurnContext
from models.dataset import load_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: SUPPORTBOT_MODEL_DIR")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=600, help="single-message calls to time")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model_dir = args.model or load_settings().model_dir
    texts = [e.text for e in load_data(BUNDLED_INTENTS_TEST).examples]

    rss_before = current_rss_mib()
    started = time.perf_counter()
    classifier = IntentClassifier.load(model_dir)
    load_seconds = time.perf_counter() - started
    classifier.classify("warm up")
    rss_loaded = current_rss_mib()

    intents_only = classifier.without_signals()
    timings: list[float] = []
    without: list[float] = []
    for i in range(args.single):
        text = texts[i % len(texts)]
        context = TurnContext(bot_last="answered", turn_index=1, earlier_texts=(texts[(i + 1) % len(texts)],))
        for target, into in ((classifier, timings), (intents_only, without))[:: 1 if i % 2 else -1]:
            t0 = time.perf_counter()
            target.classify(text, context)
            into.append((time.perf_counter() - t0) * 1000)
    single = np.array(timings)
    plain = np.array(without)

    batch_texts = (texts * (2048 // len(texts) + 1))[:2048]
    classifier.batch_size = args.batch_size
    t0 = time.perf_counter()
    classifier.classify_many(batch_texts)
    throughput = len(batch_texts) / (time.perf_counter() - t0)

    result = {
        "command": f"python -m benchmarks.latency --model {args.model or '$SUPPORTBOT_MODEL_DIR'} --threads {args.threads}",
        "model": str(model_dir),
        "threads": args.threads,
        "load_seconds": round(load_seconds, 3),
        "rss_of_loaded_model_mib": round(rss_loaded - rss_before, 1),
        "process_rss_mib": round(rss_loaded, 1),
        "single_ms_p50": round(float(np.percentile(single, 50)), 2),
        "single_ms_p99": round(float(np.percentile(single, 99)), 2),
        "single_ms_mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "signals": classifier.signal_names,
        "without_signals_ms_p50": round(float(np.percentile(plain, 50)), 2),
        "without_signals_ms_p99": round(float(np.percentile(plain, 99)), 2),
        "signals_cost_ms_p50": round(float(np.percentile(single, 50) - np.percentile(plain, 50)), 2),
        "signals_cost_ms_p99": round(float(np.percentile(single, 99) - np.percentile(plain, 99)), 2),
        "batched_messages_per_second": round(throughput, 1),
        "batch_size": args.batch_size,
    }
    print(json.dumps(result, indent=2))
    print(f"written: {write_result(f'latency_{Path(model_dir).name}', result)}")


if __name__ == "__main__":
    main()
