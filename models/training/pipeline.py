"""From labelled data to a trained-model directory: split, fine-tune, calibrate, choose the
out-of-scope score and threshold on validation data, measure, write the directory and its card.

Given conversation-signal data too, the same fine-tuning trains the signals head, and each signal's
calibration and threshold are chosen on validation conversations split off whole."""

from __future__ import annotations

import platform
import random
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoTokenizer

from models import ood
from models.artifact import IntentMeta, LoadedModel, Manifest, save_model
from models.calibration import expected_calibration_error, fit_temperature
from models.charts import confusion_matrix_png, training_curve_png
from models.classifier import IntentClassifier
from models.context import feature_count
from models.dataset import Example, LabelledData, require_examples_per_label
from models.encoder import resolve_base_model
from models.evaluation import EvalReport, evaluate
from models.forward import encode
from models.labels import OUT_OF_SCOPE
from models.network import IntentNetwork
from models.signal_data import SignalData
from models.signal_scoring import as_rows
from models.training.card import render_card
from models.training.config import TrainConfig
from models.training.loop import History, fit
from models.training.signals import SignalFit, fit_signals, threshold_chart, training_set
from models.training.splits import stratified_split


@dataclass
class TrainResult:
    directory: Path
    manifest: Manifest
    validation: EvalReport
    candidates: list[ood.Candidate]
    history: History
    seconds: float
    classifier: IntentClassifier
    signals: SignalFit | None = None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_model(
    data: LabelledData,
    out: Path,
    config: TrainConfig | None = None,
    val_data: LabelledData | None = None,
    progress: bool = True,
    signal_data: SignalData | None = None,
) -> TrainResult:
    config = config or TrainConfig()
    started = time.perf_counter()
    if config.threads:
        torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    if val_data is None:
        require_examples_per_label(data, 2)
        train_rows, val_rows = stratified_split(data, config.val_fraction, config.seed)
    else:
        train_rows, val_rows = list(data.examples), list(val_data.examples)

    labels = sorted({e.label for e in train_rows if e.label != OUT_OF_SCOPE})
    if any(e.label == OUT_OF_SCOPE for e in train_rows):
        labels.append(OUT_OF_SCOPE)
    label_index = {label: i for i, label in enumerate(labels)}
    unknown = sorted({e.label for e in val_rows} - set(labels) - {OUT_OF_SCOPE})
    if unknown:
        raise ValueError(f"validation labels not in the training data: {', '.join(unknown)}")

    base_path = resolve_base_model(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(str(base_path), local_files_only=True)
    signal_train, signal_val = signal_data.split(config.val_fraction, config.seed) if signal_data else (None, None)
    shape = (feature_count(signal_data.names), len(signal_data.names)) if signal_data else None
    network = IntentNetwork.from_encoder_dir(str(base_path), n_classes=len(labels), dropout=config.dropout, signals=shape)
    val_texts = [e.text for e in val_rows]
    val_gold = [e.label for e in val_rows]

    def val_accuracy() -> float:
        logits, _ = encode(network, tokenizer, val_texts, config.max_length)
        in_rows = [i for i, g in enumerate(val_gold) if g in label_index]
        predicted = logits.argmax(-1)
        return float(np.mean([int(predicted[i]) == label_index[val_gold[i]] for i in in_rows])) if in_rows else 0.0

    history = fit(
        network,
        tokenizer,
        [e.text for e in train_rows],
        [label_index[e.label] for e in train_rows],
        config,
        validate=val_accuracy,
        progress=progress,
        signals=training_set(signal_train, config.signal_weight) if signal_train else None,
    )

    manifest, candidates, ece_before, bank = _calibrate_and_choose(network, tokenizer, train_rows, val_rows, labels, config, data)
    signal_fit = fit_signals(network, tokenizer, signal_val, config.max_length) if signal_val else None
    if signal_fit is not None:
        manifest = replace(manifest, signals=signal_fit.config)
    classifier = IntentClassifier(LoadedModel(manifest, network, tokenizer, bank))
    predictions = classifier.classify_many(val_texts)
    report = evaluate(predictions, val_gold, [label for label in labels if label != OUT_OF_SCOPE])
    seconds = time.perf_counter() - started

    out.mkdir(parents=True, exist_ok=True)
    training_curve_png(history.steps, history.losses, history.epoch_steps, history.val_accuracy, out / "training_curve.png")
    confusion_matrix_png(val_gold, [p.intent for p in predictions], labels, out / "confusion_matrix_validation.png")
    card = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": config.base_model,
        "data": {
            "source": str(data.source),
            "sha256": data.content_hash(),
            "train_examples": len(train_rows),
            "validation_examples": len(val_rows),
            "validation_source": str(val_data.source) if val_data else f"{config.val_fraction:.0%} stratified hold-out",
            "intents": len([label for label in labels if label != OUT_OF_SCOPE]),
            "out_of_scope_class": OUT_OF_SCOPE in labels,
        },
        "training": {
            **asdict(config),
            "epochs_run": history.epochs,
            "steps": history.total_steps,
            "seconds": round(seconds, 1),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "python": platform.python_version(),
        },
        "calibration": {"temperature": manifest.temperature, "ece_before": ece_before, "ece_after": report.calibration_error},
        "out_of_scope": {"chosen": asdict(manifest.ood), "candidates": [asdict(c) for c in candidates]},
        "validation": report.summary(),
        "most_confused": report.most_confused,
    }
    if signal_data is not None and signal_train is not None and signal_val is not None and signal_fit is not None:
        threshold_chart(
            signal_fit.probabilities,
            signal_fit.gold,
            signal_fit.config.names,
            signal_fit.config.thresholds,
            out / "signals_thresholds_validation.png",
        )
        card["signals"] = {
            "source": str(signal_data.source),
            "sha256": signal_data.content_hash(),
            "names": list(signal_data.names),
            "train": _sizes(signal_train),
            "validation": _sizes(signal_val),
            "loss_weight": config.signal_weight,
            "calibration": {"method": "Platt scaling per signal", "ece_before": signal_fit.ece_before},
            "metrics": as_rows(signal_fit.validation),
        }
    save_model(out, manifest, network, tokenizer, bank, card, render_card(card))
    return TrainResult(out, manifest, report, candidates, history, seconds, classifier, signal_fit)


def _sizes(data: SignalData) -> dict[str, object]:
    return {"conversations": len(data.conversations), "turns": len(data.turns), "positives": data.positives()}


def _calibrate_and_choose(
    network: IntentNetwork,
    tokenizer: transformers.PreTrainedTokenizerBase,
    train_rows: list[Example],
    val_rows: list[Example],
    labels: list[str],
    config: TrainConfig,
    data: LabelledData,
) -> tuple[Manifest, list[ood.Candidate], float, torch.Tensor]:
    """Temperature on validation logits, the k-NN bank from training embeddings, then the OOD choice."""
    label_index = {label: i for i, label in enumerate(labels)}
    in_scope_mask = torch.tensor([label != OUT_OF_SCOPE for label in labels])
    logits, embeddings = encode(network, tokenizer, [e.text for e in val_rows], config.max_length)
    _, bank = encode(network, tokenizer, [e.text for e in train_rows if e.label != OUT_OF_SCOPE], config.max_length)

    fit_rows = [i for i, e in enumerate(val_rows) if e.label in label_index]
    fit_labels = torch.tensor([label_index[val_rows[i].label] for i in fit_rows], dtype=torch.long)
    temperature = fit_temperature(logits[fit_rows], fit_labels)

    gold = [e.label for e in val_rows]
    gold_is_oos = np.array([label == OUT_OF_SCOPE for label in gold])
    raw = ood.ScoreInputs(logits, embeddings, in_scope_mask, bank)
    correct = ood.in_scope_correct(raw, labels, gold)
    raw_conf = torch.softmax(logits, -1).gather(1, ood.best_in_scope(raw).unsqueeze(1)).squeeze(1).numpy()
    ece_before = expected_calibration_error(raw_conf[~gold_is_oos], correct[~gold_is_oos])

    inputs = ood.ScoreInputs(logits / temperature, embeddings, in_scope_mask, bank)
    chosen, candidates = ood.choose(inputs, gold_is_oos, correct, criterion=config.ood_criterion)
    manifest = Manifest(
        labels=labels,
        base_model=config.base_model,
        max_length=config.max_length,
        temperature=temperature,
        ood=chosen,
        intents={name: IntentMeta(info.description, info.tier) for name, info in data.intents.items()},
    )
    return manifest, candidates, ece_before, bank
