"""Slow on a fresh machine: the bundled model (fine-tuned once, shared with the conversation tests)
checked on held-out figures against floors.

The floors sit well below the measured figures (BENCHMARKS.md) so that noise does not fail the
build, but a broken data file, loss, calibration or threshold choice does.
"""

from pathlib import Path

import pytest

from bot.config import BUNDLED_INTENTS_TEST
from models.classifier import IntentClassifier
from models.dataset import load_data
from models.evaluation import evaluate


@pytest.mark.slow
def test_bundled_model_meets_accuracy_and_out_of_scope_floors(bundled_model_dir: Path) -> None:
    test = load_data(BUNDLED_INTENTS_TEST)
    classifier = IntentClassifier.load(bundled_model_dir)
    predictions = classifier.classify_many([e.text for e in test.examples])
    report = evaluate(predictions, [e.label for e in test.examples], classifier.intents)

    assert report.closed_set_accuracy >= 0.88
    assert report.in_scope_accuracy >= 0.80
    assert report.macro_f1 >= 0.80
    assert report.oos_recall is not None and report.oos_recall >= 0.60
    assert report.oos_auroc is not None and report.oos_auroc >= 0.85
    assert report.calibration_error <= 0.10
    assert classifier.manifest.ood.scorer != ""  # a scorer was chosen on validation data
