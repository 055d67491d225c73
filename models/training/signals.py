"""The signals side of training: turn the labelled conversations into tensors, and after fine-tuning
fit each signal's calibration and threshold on the validation conversations and measure them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from models.charts import pyplot, save_png
from models.context import BOT_ACTIONS, PRESSES, feature_count
from models.forward import context_tensor, encode_all, signal_logits
from models.network import IntentNetwork
from models.signal_data import SignalData
from models.signal_scoring import (
    THRESHOLD_GRID,
    SignalConfig,
    SignalScores,
    binary_scores,
    choose_threshold,
    fit_platt,
    score_signals,
)
from models.training.loop import SignalTraining


def training_set(data: SignalData, weight: float) -> SignalTraining:
    turns = data.turns
    names = data.names
    labels = torch.tensor([[1.0 if name in t.labels else 0.0 for name in names] for t in turns])
    positives = labels.sum(0).clamp(min=1.0)
    start = len(BOT_ACTIONS) + len(PRESSES)
    return SignalTraining(
        texts=[t.text for t in turns],
        context=context_tensor([t.text for t in turns], [t.context for t in turns], names),
        labels=labels,
        pos_weight=((len(turns) - positives) / positives).sqrt(),  # square root: a nudge, not full balancing
        previous=slice(start, start + len(names)),
        weight=weight,
    )


@dataclass(frozen=True)
class SignalFit:
    config: SignalConfig
    validation: list[SignalScores]
    ece_before: dict[str, float]
    probabilities: np.ndarray  # validation turns x signals, calibrated
    gold: np.ndarray


def raw_logits(network: IntentNetwork, tokenizer: PreTrainedTokenizerBase, data: SignalData, max_length: int) -> torch.Tensor:
    turns = data.turns
    texts = [t.text for t in turns]
    _, _, features = encode_all(network, tokenizer, texts, max_length)
    assert features is not None, "raw_logits needs a network with a signals head"
    return signal_logits(network, features, texts, [t.context for t in turns], data.names)


def fit_signals(network: IntentNetwork, tokenizer: PreTrainedTokenizerBase, validation: SignalData, max_length: int) -> SignalFit:
    """Platt scaling and an F1-best threshold per signal, both on the validation conversations."""
    names = list(validation.names)
    logits = raw_logits(network, tokenizer, validation, max_length).numpy()
    gold = np.array([[name in t.labels for name in names] for t in validation.turns], dtype=bool)
    slopes, biases = [], []
    for i in range(len(names)):
        slope, bias = fit_platt(logits[:, i], gold[:, i].astype(float))
        slopes.append(slope)
        biases.append(bias)
    uncalibrated = 1 / (1 + np.exp(-logits))
    config = SignalConfig(names, slopes, biases, [0.5] * len(names), feature_count(names))
    probs = config.probabilities(torch.tensor(logits)).numpy()
    thresholds = [choose_threshold(probs[:, i], gold[:, i]) for i in range(len(names))]
    config = SignalConfig(names, slopes, biases, thresholds, config.context_features)
    before = score_signals(uncalibrated, gold, names, thresholds)
    return SignalFit(config, score_signals(probs, gold, names, thresholds), {s.name: s.ece for s in before}, probs, gold)


def threshold_chart(probs: np.ndarray, gold: np.ndarray, names: Sequence[str], chosen: Sequence[float], path: Path) -> Path:
    """Precision and recall of each signal against its threshold, the chosen one marked."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 3.2), sharey=True)
    for i, (axis, name) in enumerate(zip(np.atleast_1d(axes), names, strict=True)):
        curves = np.array([binary_scores(probs[:, i], gold[:, i], float(t)) for t in THRESHOLD_GRID])
        axis.plot(THRESHOLD_GRID, curves[:, 0], label="precision", color="#55a868")
        axis.plot(THRESHOLD_GRID, curves[:, 1], label="recall", color="#c44e52")
        axis.axvline(chosen[i], color="#444", linestyle="--", linewidth=1)
        axis.set_title(f"{name} (n+={int(gold[:, i].sum())}, t={chosen[i]:.2f})", fontsize=9)
        axis.set_xlabel("threshold")
        axis.set_ylim(0, 1.05)
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8)
    return save_png(fig, path)
