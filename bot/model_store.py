"""Making sure the bundled model exists and matches the intents file before the bot serves.

Training runs in a child process (`python -m bot train`) so the serving process never imports the
training code.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from bot.config import Settings
from models.artifact import CARD_JSON, FORMAT_VERSION, MANIFEST
from models.dataset import load_data
from models.signal_data import load_signal_data

log = logging.getLogger(__name__)


class ModelTrainingFailed(Exception):
    """The child training process did not produce a model."""


def model_is_current(settings: Settings) -> bool:
    """True when the model directory exists and was trained on the current intents (and signals) file
    and base model."""
    card_path = settings.model_dir / CARD_JSON
    if not (settings.model_dir / MANIFEST).is_file() or not card_path.is_file():
        return False
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        manifest = json.loads((settings.model_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if manifest.get("format_version") != FORMAT_VERSION:
        return False  # written by an older supportbot: retrain rather than fail to load
    data = load_data(settings.intents_file)
    signals = load_signal_data(settings.signals_data).content_hash() if settings.signals_data else None
    # A model retrained with confirmed feedback records the intents file it started from.
    trained_on = card.get("feedback", {}).get("intents_sha256") or card.get("data", {}).get("sha256")
    return bool(
        trained_on == data.content_hash()
        and card.get("signals", {}).get("sha256") == signals
        and card.get("base_model") == settings.base_model
    )


def ensure_model(settings: Settings) -> None:
    if model_is_current(settings):
        return
    print(f"No current model in {settings.model_dir}: training one on {settings.intents_file} (a few minutes, once).")
    log.info("model.training_started dir=%s", settings.model_dir)
    completed = subprocess.run([sys.executable, "-m", "bot", "train"], check=False)
    if completed.returncode != 0:
        raise ModelTrainingFailed(
            f"training the bundled model failed (exit {completed.returncode}); the messages above say why, "
            "and `supportbot train` reruns it"
        )
