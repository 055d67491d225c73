"""The trained-model directory: what is in it, how it is written, and how it is checked on load.

supportbot-model.json   manifest: format version, labels, temperature, out-of-scope config, intents,
                        and (when trained with them) the signals' calibration and thresholds
model.safetensors       encoder + intent head (+ signals head) weights
knn_bank.safetensors    in-scope training embeddings for the nearest-neighbour score
config.json, tokenizer  encoder architecture and tokenizer (Hugging Face format)
model_card.json/.md     data hash and sizes, metrics, date, training time, base model
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from models.errors import ModelDirectoryError
from models.network import IntentNetwork
from models.ood import OodConfig
from models.signal_scoring import SignalConfig

FORMAT_VERSION = 2  # 2: the optional signals head (attention pooling + context)
MANIFEST = "supportbot-model.json"
WEIGHTS = "model.safetensors"
BANK = "knn_bank.safetensors"
CARD_JSON = "model_card.json"
REQUIRED = (MANIFEST, WEIGHTS, BANK, "config.json")


@dataclass(frozen=True)
class IntentMeta:
    description: str = ""
    tier: str | None = None


@dataclass(frozen=True)
class Manifest:
    labels: list[str]  # class order of the head; may include OUT_OF_SCOPE
    base_model: str
    max_length: int
    temperature: float
    ood: OodConfig
    intents: dict[str, IntentMeta] = field(default_factory=dict)
    signals: SignalConfig | None = None  # None: trained without conversation signals
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, path: Path) -> Manifest:
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelDirectoryError(path.parent, f"{MANIFEST} is unreadable: {exc}") from exc
        version = raw.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelDirectoryError(
                path.parent,
                f"format version {version!r}, this supportbot reads version {FORMAT_VERSION}: retrain with `supportbot train`",
            )
        try:
            return cls(
                labels=list(raw["labels"]),
                base_model=str(raw["base_model"]),
                max_length=int(raw["max_length"]),
                temperature=float(raw["temperature"]),
                ood=OodConfig(**raw["ood"]),
                intents={name: IntentMeta(**meta) for name, meta in raw.get("intents", {}).items()},
                signals=SignalConfig(**raw["signals"]) if raw.get("signals") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelDirectoryError(path.parent, f"{MANIFEST} is missing or has a bad field: {exc}") from exc


@dataclass
class LoadedModel:
    manifest: Manifest
    network: IntentNetwork
    tokenizer: PreTrainedTokenizerBase
    bank: torch.Tensor


def save_model(
    directory: Path,
    manifest: Manifest,
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    bank: torch.Tensor,
    card: dict[str, Any],
    card_markdown: str,
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    network.encoder.config.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    state = {name: tensor.detach().contiguous() for name, tensor in network.state_dict().items()}
    save_file(state, str(directory / WEIGHTS))
    save_file({"embeddings": bank.contiguous()}, str(directory / BANK))
    (directory / CARD_JSON).write_text(json.dumps(card, indent=2, sort_keys=True, default=str), encoding="utf-8")
    (directory / "MODEL_CARD.md").write_text(card_markdown, encoding="utf-8")
    # The manifest goes last: a directory without it is an interrupted save, not a model.
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")


def load_model(directory: Path | str) -> LoadedModel:
    """Load and check a model directory; every failure names the directory and what to do."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelDirectoryError(directory, "does not exist; train one with `supportbot train`")
    missing = [name for name in REQUIRED if not (directory / name).is_file()]
    if missing:
        raise ModelDirectoryError(directory, f"missing {', '.join(missing)}: not a complete supportbot model")
    manifest = Manifest.from_json(directory / MANIFEST)
    try:
        config = AutoConfig.from_pretrained(directory, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        encoder = AutoModel.from_config(config)
    except (OSError, ValueError) as exc:
        raise ModelDirectoryError(directory, f"encoder config or tokenizer unreadable: {exc}") from exc
    signals = manifest.signals
    shape = (signals.context_features, len(signals.names)) if signals else None
    network = IntentNetwork(encoder, n_classes=len(manifest.labels), signals=shape)
    try:
        state = load_file(str(directory / WEIGHTS))
        bank = load_file(str(directory / BANK))["embeddings"]
    except Exception as exc:  # safetensors raises its own error types for truncated files
        raise ModelDirectoryError(directory, f"weights unreadable ({type(exc).__name__}: {exc})") from exc
    head = state.get("head.weight")
    if head is None or head.shape[0] != len(manifest.labels):
        found = "no head" if head is None else f"{head.shape[0]} outputs"
        raise ModelDirectoryError(directory, f"weights have {found} but the manifest lists {len(manifest.labels)} labels")
    try:
        network.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelDirectoryError(directory, f"weights do not match the encoder config: {str(exc)[:300]}") from exc
    if bank.ndim != 2 or bank.shape[1] != int(config.hidden_size):
        raise ModelDirectoryError(directory, f"{BANK} has shape {tuple(bank.shape)}, expected (n, {config.hidden_size})")
    network.eval()
    return LoadedModel(manifest=manifest, network=network, tokenizer=tokenizer, bank=bank.float())
