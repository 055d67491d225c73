import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import BUNDLED_SIGNALS, Settings
from bot.model_store import model_is_current
from models.dataset import load_data
from models.training import TrainResult

INTENTS = 'intents:\n  greeting:\n    examples: ["hi", "hello"]\n  thanks:\n    examples: ["thanks", "cheers"]\n'


def test_the_model_is_retrained_when_missing_or_when_intents_or_base_change(tiny_model: TrainResult, tmp_path: Path) -> None:
    intents = tmp_path / "intents.yaml"
    intents.write_text(INTENTS)
    model_dir = tmp_path / "model"
    settings = Settings(intents_file=intents, model_dir=model_dir, base_model="base-a", signals_data=None)
    assert not model_is_current(settings)

    shutil.copytree(tiny_model.directory, model_dir)
    card = json.loads((model_dir / "model_card.json").read_text())
    card["data"]["sha256"] = load_data(intents).content_hash()
    card["base_model"] = "base-a"
    (model_dir / "model_card.json").write_text(json.dumps(card))
    assert model_is_current(settings)

    assert not model_is_current(Settings(intents_file=intents, model_dir=model_dir, base_model="base-b", signals_data=None))
    assert not model_is_current(settings.model_copy(update={"signals_data": BUNDLED_SIGNALS}))  # signals wanted, none trained
    intents.write_text(INTENTS.replace('"cheers"', '"cheers mate"'))
    assert not model_is_current(settings)


def test_home_directory_in_settings_is_expanded() -> None:
    assert not str(Settings(model_dir=Path("~/models")).model_dir).startswith("~")


def test_a_failed_first_run_training_is_reported_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPORTBOT_INTENTS_FILE", str(tmp_path / "intents.yaml"))
    (tmp_path / "intents.yaml").write_text(INTENTS)
    monkeypatch.setenv("SUPPORTBOT_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SUPPORTBOT_BASE_MODEL", str(tmp_path / "no-such-encoder"))
    assert main(["chat"]) == 2
    assert "training the bundled model failed (exit 2)" in capsys.readouterr().err
