"""End-to-end latency of a customer message through the conversation core, on SQLite and PostgreSQL,
against the classifier alone, measured in one run (each message timed three ways back to back).

    python -m benchmarks.conversation_latency [--model DIR] [--messages 300]

Messages are the bundled test split, three per simulated customer, so later messages carry history
(and some go to an agent's ticket after an escalation). Series per message:
- classifier: `IntentClassifier.classify` alone;
- models: the classifier plus the knowledge base's query embedding (the two transformer passes an
  answered message needs);
- end to end: `SupportBot.handle` (store, classify, sentiment, triggers, tier, resolve, reply, decision).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, discard, scratch_postgres, write_result
from bot.config import BUNDLED_INTENTS_TEST, load_settings
from bot.core.app import SupportBot
from bot.core.events import CustomerMessage, Person, Place
from bot.runtime import build_bot
from bot.storage import describe
from bot.storage.tables import Decision
from models.charts import pyplot, save_png
from models.dataset import load_data


def percentiles(values: list[float]) -> dict[str, float]:
    array = np.array(values)
    return {"p50_ms": round(float(np.percentile(array, 50)), 2), "p99_ms": round(float(np.percentile(array, 99)), 2)}


async def measure(bot: SupportBot, texts: list[str], label: str) -> dict[str, Any]:
    classifier, index = bot.services.classifier, bot.services.index
    series: dict[str, list[float]] = {"classifier": [], "models": [], "end_to_end": []}
    await bot.handle(CustomerMessage(f"{label}-warm", Person("bench", "warm"), Place("bench", "warm"), "hello"))
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        classifier.classify(text)
        t1 = time.perf_counter()
        classifier.classify(text)
        index.embed_query(text)
        t2 = time.perf_counter()
        customer = Person("bench", f"{label}-{i // 3}")
        await bot.handle(CustomerMessage(f"{label}-{i}", customer, Place("bench", f"dm-{label}-{i // 3}"), text))
        t3 = time.perf_counter()
        series["classifier"].append((t1 - t0) * 1000)
        series["models"].append((t2 - t1) * 1000)
        series["end_to_end"].append((t3 - t2) * 1000)
    from sqlmodel import Session, select

    with Session(bot.store.engine) as session:
        outcomes = Counter(d.outcome for d in session.exec(select(Decision)).all())
    result: dict[str, Any] = {name: percentiles(values) for name, values in series.items()}
    for p in ("p50_ms", "p99_ms"):
        result[f"ratio_to_classifier_{p[:3]}"] = round(result["end_to_end"][p] / result["classifier"][p], 2)
        result[f"ratio_to_models_{p[:3]}"] = round(result["end_to_end"][p] / result["models"][p], 2)
    result["outcomes"] = dict(outcomes)
    result["series"] = series  # for the chart; dropped before writing the JSON
    return result


def chart(results: dict[str, Any], path: Path) -> Path:
    """Latency distributions per database: classifier alone, both model passes, end to end."""
    plt = pyplot()
    backends = [b for b in ("sqlite", "postgresql") if b in results]
    fig, axes = plt.subplots(1, len(backends), figsize=(6 * len(backends), 4), sharey=True)
    for ax, backend in zip(np.atleast_1d(axes), backends, strict=True):
        series = results[backend]["series"]
        ax.boxplot([series["classifier"], series["models"], series["end_to_end"]], whis=(1, 99), showfliers=False)
        ax.set_xticks([1, 2, 3], ["classifier", "both models", "end to end"])
        ax.set_title(f"{backend} (p50 ×{results[backend]['ratio_to_classifier_p50']} of the classifier)")
        ax.set_ylabel("ms per message (whiskers: p1–p99)")
    return save_png(fig, path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: SUPPORTBOT_MODEL_DIR")
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    texts = [e.text for e in load_data(BUNDLED_INTENTS_TEST).examples][: args.messages]
    results: dict[str, Any] = {"messages": len(texts), "command": "python -m benchmarks.conversation_latency"}
    with tempfile.TemporaryDirectory() as scratch, scratch_postgres() as postgres:
        for backend, url in (("sqlite", f"sqlite:///{scratch}/latency.db"), ("postgresql", postgres)):
            settings = load_settings().model_copy(update={"database_url": url})
            bot = build_bot(settings, args.model)
            bot.attach(discard)
            results[backend] = asyncio.run(measure(bot, texts, backend))
            results[backend]["database"] = describe(url)
            bot.store.engine.dispose()
            r = results[backend]
            print(
                f"{backend}: end to end p50 {r['end_to_end']['p50_ms']} ms / p99 {r['end_to_end']['p99_ms']} ms; "
                f"classifier alone p50 {r['classifier']['p50_ms']} / p99 {r['classifier']['p99_ms']} "
                f"(x{r['ratio_to_classifier_p50']} / x{r['ratio_to_classifier_p99']}); "
                f"both models p50 {r['models']['p50_ms']} (x{r['ratio_to_models_p50']})"
            )
    chart(results, RESULTS / "conversation_latency.png")
    for backend in ("sqlite", "postgresql"):
        results[backend].pop("series", None)
    write_result("conversation_latency", results)


if __name__ == "__main__":
    main()
