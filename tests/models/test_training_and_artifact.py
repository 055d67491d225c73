import json
import shutil
from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from models.artifact import BANK, MANIFEST, WEIGHTS
from models.classifier import IntentClassifier
from models.dataset import LabelledData
from models.errors import ModelDirectoryError
from models.labels import OUT_OF_SCOPE
from models.training import TrainResult, train_model
from tests.conftest import tiny_config

PROBES = ["reset my password please", "copy of my invoice", "hello there", "tell me a joke"]


def test_training_writes_a_complete_directory_with_card_and_charts(tiny_model: TrainResult) -> None:
    names = {p.name for p in tiny_model.directory.iterdir()}
    assert {MANIFEST, WEIGHTS, BANK, "config.json", "tokenizer.json", "model_card.json", "MODEL_CARD.md"} <= names
    assert {"training_curve.png", "confusion_matrix_validation.png"} <= names
    card = json.loads((tiny_model.directory / "model_card.json").read_text())
    assert card["data"]["sha256"] and card["data"]["train_examples"] + card["data"]["validation_examples"] == 48
    assert card["training"]["seconds"] > 0 and card["base_model"].endswith("tiny-base0")
    assert tiny_model.manifest.labels[-1] == OUT_OF_SCOPE
    assert "Out-of-scope scorers measured" in (tiny_model.directory / "MODEL_CARD.md").read_text()


def test_tiny_model_learns_the_toy_task(tiny_model: TrainResult) -> None:
    assert tiny_model.validation.closed_set_accuracy >= 0.75
    assert tiny_model.history.losses[-1] < tiny_model.history.losses[0]


def test_save_load_round_trip_gives_identical_predictions(tiny_model: TrainResult) -> None:
    loaded = IntentClassifier.load(tiny_model.directory)
    before = tiny_model.classifier.classify_many(PROBES)
    after = loaded.classify_many(PROBES)
    assert before == after


def test_same_data_and_seed_give_the_same_metrics(tiny_base: Path, tiny_data: LabelledData, tmp_path: Path) -> None:
    first = train_model(tiny_data, tmp_path / "a", tiny_config(tiny_base, epochs=2), progress=False)
    second = train_model(tiny_data, tmp_path / "b", tiny_config(tiny_base, epochs=2), progress=False)
    assert first.validation.summary() == second.validation.summary()
    assert first.manifest.temperature == second.manifest.temperature


@pytest.fixture
def model_copy(tiny_model: TrainResult, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_model.directory, tmp_path / "copy"))


def test_missing_directory_and_missing_files_are_named(model_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelDirectoryError, match="does not exist; train one"):
        IntentClassifier.load(tmp_path / "nowhere")
    (model_copy / WEIGHTS).unlink()
    with pytest.raises(ModelDirectoryError, match=f"missing {WEIGHTS}"):
        IntentClassifier.load(model_copy)


def test_incompatible_format_version_says_retrain(model_copy: Path) -> None:
    manifest = json.loads((model_copy / MANIFEST).read_text())
    manifest["format_version"] = 99
    (model_copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelDirectoryError, match=r"format version 99.*retrain"):
        IntentClassifier.load(model_copy)


def test_corrupt_manifest_and_truncated_weights(model_copy: Path) -> None:
    (model_copy / MANIFEST).write_text("{not json")
    with pytest.raises(ModelDirectoryError, match="unreadable"):
        IntentClassifier.load(model_copy)


def test_truncated_weights(model_copy: Path) -> None:
    data = (model_copy / WEIGHTS).read_bytes()
    (model_copy / WEIGHTS).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelDirectoryError, match="weights unreadable"):
        IntentClassifier.load(model_copy)


def test_labels_that_do_not_match_the_head(model_copy: Path) -> None:
    manifest = json.loads((model_copy / MANIFEST).read_text())
    manifest["labels"] = [*manifest["labels"], "extra_intent"]
    (model_copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelDirectoryError, match="manifest lists 5 labels"):
        IntentClassifier.load(model_copy)


def test_bank_with_wrong_width(model_copy: Path) -> None:
    bank = load_file(str(model_copy / BANK))["embeddings"]
    save_file({"embeddings": bank[:, :10].contiguous()}, str(model_copy / BANK))
    with pytest.raises(ModelDirectoryError, match=r"knn_bank\.safetensors has shape"):
        IntentClassifier.load(model_copy)
