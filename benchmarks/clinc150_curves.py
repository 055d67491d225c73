"""Trade-off chart for a CLINC150 model trained by `benchmarks.clinc150`: in-scope accuracy against
out-of-scope recall on test as the threshold moves, one curve per out-of-scope scorer.

    python -m benchmarks.clinc150_curves [--model ~/.cache/supportbot/benchmarks/clinc150]

Writes benchmarks/results/clinc150_tradeoff.png. The curves sweep thresholds on test itself, so they show
what each score can do, not a result: the reported figures use thresholds chosen on val.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from benchmarks.clinc150 import load_clinc
from benchmarks.common import RESULTS, SHARED
from models import ood
from models.artifact import load_model
from models.charts import pyplot, save_png
from models.forward import encode
from models.labels import OUT_OF_SCOPE

SCORERS = (("max_softmax", 1), ("energy", 1), ("oos_class", 1), ("knn", 1), ("knn+softmax", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path.home() / ".cache" / "supportbot" / "benchmarks" / "clinc150")
    parser.add_argument("--data-dir", type=Path, default=SHARED / "data" / "clinc150")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    loaded = load_model(args.model)
    labels = loaded.manifest.labels
    mask = torch.tensor([label != OUT_OF_SCOPE for label in labels])
    test = load_clinc(args.data_dir, "full")["test"]
    gold = [e.label for e in test.examples]
    logits, embeddings = encode(loaded.network, loaded.tokenizer, [e.text for e in test.examples], loaded.manifest.max_length)
    inputs = ood.ScoreInputs(logits / loaded.manifest.temperature, embeddings, mask, loaded.bank)
    is_oos = np.array([g == OUT_OF_SCOPE for g in gold])
    correct = ood.in_scope_correct(inputs, labels, gold)
    veto = ood.vetoed(inputs)

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    for scorer, k in SCORERS:
        cfg = ood.OodConfig(scorer, 0.0, k=k, norm=loaded.manifest.ood.norm if scorer == loaded.manifest.ood.scorer else {})
        if scorer == "knn+softmax":
            cfg = ood.with_norm(inputs, ~is_oos, cfg)  # standardise on test in-scope rows: a curve, not a result
        values = np.where(veto, -np.inf, ood.score(inputs, cfg))
        thresholds, accuracy, recall = ood.threshold_sweep(values[~is_oos], correct[~is_oos] & ~veto[~is_oos], values[is_oos])
        keep = np.isfinite(thresholds)
        ax.plot(recall[keep] * 100, accuracy[keep] * 100, label=f"{scorer} (k={k})" if "knn" in scorer else scorer, linewidth=1.4)
    ax.scatter([52.3, 40.3], [96.2, 96.9], color="black", marker="x", zorder=5, label="BERT-base (Larson et al. 2019)")
    ax.axhline(96.0, color="grey", linestyle=":", linewidth=1)
    ax.axvline(80.0, color="grey", linestyle=":", linewidth=1)
    ax.set_xlim(30, 100)
    ax.set_ylim(85, 97.5)
    ax.set_xlabel("out-of-scope recall on test (%)")
    ax.set_ylabel("in-scope accuracy on test (%)")
    ax.set_title("CLINC150: what each out-of-scope score trades (all-MiniLM-L6-v2, fine-tuned)")
    ax.legend(loc="lower left", fontsize=8)
    path = save_png(fig, RESULTS / "clinc150_tradeoff.png")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
