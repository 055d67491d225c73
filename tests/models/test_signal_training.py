"""Training the signals head alongside the intents (tiny encoder, real code path), and its artifact."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from models.artifact import CARD_JSON, MANIFEST, load_model
from models.classifier import IntentClassifier
from models.context import TurnContext
from models.dataset import LabelledData
from models.errors import ModelDirectoryError
from models.signal_data import load_signal_data
from models.training import TrainResult, train_model
from tests.conftest import tiny_config

ANGRY = ["this is useless", "still broken, terrible", "worst service ever", "fed up with this", "absolutely ridiculous"]
CALM = ["reset my password", "copy of my invoice", "hello there", "where are my invoices", "good morning"]


@pytest.fixture(scope="module")
def signal_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(0)
    lines = ["signals: [frustrated, closing]", "conversations:"]
    for i in range(60):
        angry = rng.random() < 0.5
        first = rng.choice(CALM)
        second = rng.choice(ANGRY) if angry else "thanks, that fixed it"
        label = "[frustrated]" if angry else "[closing]"
        lines += [
            f"  - id: c{i}",
            "    turns:",
            f'      - {{text: "{first}", signals: [], bot: answered}}',
            f'      - {{text: "{second}", signals: {label}}}',
        ]
    path = tmp_path_factory.mktemp("signals") / "signals.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def signal_model(
    tiny_base: Path, tiny_data: LabelledData, signal_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> TrainResult:
    out = tmp_path_factory.mktemp("signal-model")
    return train_model(tiny_data, out, tiny_config(tiny_base), progress=False, signal_data=load_signal_data(signal_file))


def test_the_model_directory_records_signals_with_calibration_and_thresholds(signal_model: TrainResult) -> None:
    manifest = json.loads((signal_model.directory / MANIFEST).read_text())
    assert manifest["signals"]["names"] == ["frustrated", "closing"]
    assert all(0.05 <= t <= 0.95 for t in manifest["signals"]["thresholds"])
    card = json.loads((signal_model.directory / CARD_JSON).read_text())
    assert card["signals"]["validation"]["conversations"] >= 1
    assert {m["name"] for m in card["signals"]["metrics"]} == {"frustrated", "closing"}
    assert "## Conversation signals" in (signal_model.directory / "MODEL_CARD.md").read_text()
    assert (signal_model.directory / "signals_thresholds_validation.png").stat().st_size > 5000


def test_the_toy_signals_are_learned_and_survive_a_reload(signal_model: TrainResult) -> None:
    reloaded = IntentClassifier.load(signal_model.directory)
    after = TurnContext(bot_last="answered", turn_index=1)
    angry = reloaded.classify("still broken, terrible", after).signal("frustrated")
    calm = reloaded.classify("thanks, that fixed it", after).signal("frustrated")
    assert angry is not None and calm is not None
    assert angry.probability > calm.probability
    trained = signal_model.classifier.classify("still broken, terrible", after)
    assert trained.signals == reloaded.classify("still broken, terrible", after).signals


def test_intents_only_models_have_no_signals(tiny_model: TrainResult) -> None:
    prediction = tiny_model.classifier.classify("reset my password")
    assert prediction.signals == () and prediction.signal("frustrated") is None
    assert tiny_model.classifier.signal_names == []


def test_a_manifest_whose_signals_do_not_match_the_weights_is_refused(signal_model: TrainResult, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(signal_model.directory, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["signals"]["names"].append("risk")
    for key in ("slope", "bias", "thresholds"):
        manifest["signals"][key].append(0.5)
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelDirectoryError, match="weights do not match"):
        load_model(copy)
