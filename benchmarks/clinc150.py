"""CLINC150 benchmark: fine-tune on train, choose every setting on val, report on test.

    python -m benchmarks.clinc150 [--data-dir ../shared/data/clinc150] [--variant full|oos_plus]

Reports in-scope accuracy and out-of-scope recall/precision/F1/AUROC on test for the chosen
out-of-scope scorer and, for comparison in the same run, every other scorer at its own val-chosen
threshold; fine-tuning time and peak memory on this machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import RESULTS, SHARED, peak_rss_mib, write_result
from models import ood
from models.artifact import LoadedModel
from models.charts import confusion_matrix_png
from models.dataset import Example, LabelledData
from models.evaluation import evaluate
from models.forward import encode
from models.labels import OUT_OF_SCOPE, normalise_label
from models.metrics import auroc
from models.training import TrainConfig, train_model


def load_clinc(data_dir: Path, variant: str) -> dict[str, LabelledData]:
    path = data_dir / ("data_full.json" if variant == "full" else "data_oos_plus.json")
    raw = json.loads(path.read_text())
    splits = {}
    for split in ("train", "val", "test"):
        rows = raw[split] + raw[f"oos_{split}"]
        examples = [Example(text, normalise_label(label), n) for n, (text, label) in enumerate(rows, 1)]
        splits[split] = LabelledData(source=Path(f"{path}#{split}"), examples=examples)
    return splits


def _operating_points(
    loaded: LoadedModel, val: LabelledData, test_inputs: ood.ScoreInputs, test_oos: np.ndarray, test_correct: np.ndarray
) -> list[dict[str, object]]:
    """Each selection criterion's scorer and threshold, chosen on val, applied to test."""
    val_gold = [e.label for e in val.examples]
    logits, embeddings = encode(loaded.network, loaded.tokenizer, [e.text for e in val.examples], loaded.manifest.max_length)
    val_inputs = ood.ScoreInputs(logits / loaded.manifest.temperature, embeddings, test_inputs.in_scope, loaded.bank)
    val_correct = ood.in_scope_correct(val_inputs, loaded.manifest.labels, val_gold)
    val_oos = np.array([g == OUT_OF_SCOPE for g in val_gold])
    points = []
    for criterion in sorted(ood.CRITERIA):
        cfg, _ = ood.choose(val_inputs, val_oos, val_correct, criterion=criterion)
        flagged = ood.is_out_of_scope(test_inputs, cfg)
        points.append(
            {
                "criterion": criterion,
                "scorer": cfg.scorer,
                "k": cfg.k,
                "test_in_scope_accuracy": float((test_correct & ~flagged)[~test_oos].mean()),
                "test_oos_recall": float(flagged[test_oos].mean()),
                "test_oos_precision": float((flagged & test_oos).sum() / max(flagged.sum(), 1)),
            }
        )
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED / "data" / "clinc150")
    parser.add_argument("--variant", choices=("full", "oos_plus"), default="full")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--criterion", default="balanced", choices=sorted(ood.CRITERIA))
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "supportbot" / "benchmarks" / "clinc150")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    data = load_clinc(args.data_dir, args.variant)
    config = TrainConfig(threads=args.threads, epochs=args.epochs, ood_criterion=args.criterion)
    started = time.perf_counter()
    result = train_model(data["train"], args.out, config, val_data=data["val"])
    train_seconds = time.perf_counter() - started

    test = data["test"]
    texts = [e.text for e in test.examples]
    gold = [e.label for e in test.examples]
    predictions = result.classifier.classify_many(texts)
    labels = [label for label in result.manifest.labels if label != OUT_OF_SCOPE]
    report = evaluate(predictions, gold, labels)
    confusion_matrix_png(
        gold, [p.intent for p in predictions], result.manifest.labels, RESULTS / f"clinc150_{args.variant}_confusion.png"
    )

    # Every candidate scorer at its own validation-chosen threshold, on the same test logits.
    loaded = result.classifier._model  # the benchmark inspects internals on purpose
    logits, embeddings = encode(loaded.network, loaded.tokenizer, texts, loaded.manifest.max_length)
    in_mask = torch.tensor([label != OUT_OF_SCOPE for label in loaded.manifest.labels])
    inputs = ood.ScoreInputs(logits / loaded.manifest.temperature, embeddings, in_mask, loaded.bank)
    gold_oos = np.array([g == OUT_OF_SCOPE for g in gold])
    correct = ood.in_scope_correct(inputs, loaded.manifest.labels, gold)
    comparison = []
    operating_points = _operating_points(loaded, data["val"], inputs, gold_oos, correct)
    for candidate in result.candidates:
        cfg = candidate.config()
        scores = ood.score(inputs, cfg)
        flagged = ood.is_out_of_scope(inputs, cfg)
        comparison.append(
            {
                "scorer": cfg.scorer,
                "k": cfg.k,
                "val_auroc": candidate.auroc,
                "test_auroc": auroc(scores[~gold_oos], scores[gold_oos]),
                "test_in_scope_accuracy": float((correct & ~flagged)[~gold_oos].mean()),
                "test_oos_recall": float(flagged[gold_oos].mean()),
            }
        )

    summary = {
        "command": (
            f"python -m benchmarks.clinc150 --variant {args.variant} --threads {args.threads} --criterion {args.criterion}"
            + (f" --epochs {args.epochs}" if args.epochs else "")
        ),
        "variant": args.variant,
        "criterion": args.criterion,
        "chosen_scorer": result.manifest.ood.scorer,
        "chosen_k": result.manifest.ood.k,
        "threshold": result.manifest.ood.threshold,
        "temperature": result.manifest.temperature,
        "test": report.summary(),
        "validation": result.validation.summary(),
        "scorers_on_test": comparison,
        "operating_points_on_test": operating_points,
        "fine_tune_seconds": round(train_seconds, 1),
        "epochs": result.history.epochs,
        "steps": result.history.total_steps,
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "threads": args.threads,
        "most_confused_test": report.most_confused,
    }
    path = write_result(f"clinc150_{args.variant}_{args.criterion}", summary)
    print(json.dumps({k: summary[k] for k in ("test", "chosen_scorer", "fine_tune_seconds", "peak_rss_mib")}, indent=2))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
