"""Settings from the environment and `.env` (every one documented in `.env.example`)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.encoder import DEFAULT_BASE_MODEL

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_INTENTS = REPO_ROOT / "models" / "intents" / "orbitask.yaml"
BUNDLED_INTENTS_TEST = REPO_ROOT / "models" / "intents" / "orbitask.test.yaml"


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "supportbot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_", env_file=".env", extra="ignore")

    intents_file: Path = Field(default=BUNDLED_INTENTS, description="intents YAML the bundled model is trained on")
    model_dir: Path = Field(default_factory=lambda: _cache_home() / "models" / "bundled")
    base_model: str = DEFAULT_BASE_MODEL
    torch_threads: int = Field(default=2, ge=0, description="0 leaves torch's default")
    seed: int = 13
    log_level: str = "INFO"

    @field_validator("intents_file", "model_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        levels = ("DEBUG", "INFO", "WARNING", "ERROR")
        if value.upper() not in levels:
            raise ValueError(f"must be one of {', '.join(levels)}")
        return value.upper()


class ConfigError(Exception):
    """Settings that cannot be used; the message names each bad setting."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "SUPPORTBOT_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
