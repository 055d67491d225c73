"""The bundled Orbitask intents: fine-tune on the training file, report on the held-out test file.

python -m benchmarks.bundled [--threads 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.common import RESULTS, write_result
from bot.config import BUNDLED_INTENTS, BUNDLED_INTENTS_TEST
from models.charts import confusion_matrix_png
from models.dataset import load_data
from models.evaluation import evaluate
from models.labels import OUT_OF_SCOPE
from models.training import TrainConfig, train_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "supportbot" / "benchmarks" / "bundled")
    args = parser.parse_args()
    train = load_data(BUNDLED_INTENTS)
    test = load_data(BUNDLED_INTENTS_TEST)
    result = train_model(train, args.out, TrainConfig(threads=args.threads))
    gold = [e.label for e in test.examples]
    predictions = result.classifier.classify_many([e.text for e in test.examples])
    report = evaluate(predictions, gold, [label for label in result.manifest.labels if label != OUT_OF_SCOPE])
    confusion_matrix_png(gold, [p.intent for p in predictions], result.manifest.labels, RESULTS / "bundled_test_confusion.png")
    summary = {
        "command": f"python -m benchmarks.bundled --threads {args.threads}",
        "train_examples": len(train.examples),
        "test_examples": len(test.examples),
        "intents": len(train.labels),
        "fine_tune_seconds": round(result.seconds, 1),
        "chosen_scorer": result.manifest.ood.scorer,
        "temperature": result.manifest.temperature,
        "test": report.summary(),
        "validation": result.validation.summary(),
        "most_confused_test": report.most_confused,
    }
    print(json.dumps(summary, indent=2))
    print(f"written: {write_result('bundled', summary)}")


if __name__ == "__main__":
    main()
