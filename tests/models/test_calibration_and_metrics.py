import numpy as np
import pytest
import torch

from models.calibration import expected_calibration_error, fit_temperature
from models.metrics import auroc, confused_pairs, confusion_matrix, per_label_scores


def test_temperature_recovers_the_scale_that_generated_the_labels() -> None:
    generator = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 5, generator=generator) * 2
    labels = torch.multinomial(torch.softmax(true_logits, -1), 1, generator=generator).squeeze(1)
    overconfident = true_logits * 3.0  # a model that is 3x too sure of itself
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)


def test_temperature_scaling_lowers_calibration_error() -> None:
    generator = torch.Generator().manual_seed(1)
    true_logits = torch.randn(4000, 5, generator=generator) * 2
    labels = torch.multinomial(torch.softmax(true_logits, -1), 1, generator=generator).squeeze(1)
    logits = true_logits * 4.0
    t = fit_temperature(logits, labels)

    def ece(scaled: torch.Tensor) -> float:
        probs = torch.softmax(scaled, -1)
        conf, pred = probs.max(-1)
        return expected_calibration_error(conf.numpy(), (pred == labels).numpy())

    assert ece(logits / t) < ece(logits) / 3


def test_ece_of_a_perfectly_calibrated_bin_is_zero() -> None:
    confidences = np.full(10, 0.7)
    correct = np.array([1] * 7 + [0] * 3, dtype=bool)
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([False, False])) == pytest.approx(0.9)


def test_auroc_known_values() -> None:
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert auroc(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.5
    assert auroc(np.array([1.0, 3.0]), np.array([2.0])) == 0.5


def test_per_label_scores_and_confusions() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    rows = {row.label: row for row in per_label_scores(gold, pred, ["a", "b", "c"])}
    assert rows["a"].precision == 0.5 and rows["a"].recall == 0.5
    assert rows["b"].precision == pytest.approx(2 / 3) and rows["b"].recall == 1.0
    assert rows["c"].f1 == 0.0
    assert confused_pairs(gold, pred) == [("a", "b", 1), ("c", "a", 1)]
    assert confusion_matrix(gold, pred, ["a", "b", "c"]).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
