"""Settings from the environment and `.env` (every one documented in `.env.example`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge import BUNDLED_ARTICLES
from models.encoder import DEFAULT_BASE_MODEL

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_INTENTS = REPO_ROOT / "models" / "intents" / "orbitask.yaml"
BUNDLED_INTENTS_TEST = REPO_ROOT / "models" / "intents" / "orbitask.test.yaml"
BUNDLED_SIGNALS = REPO_ROOT / "models" / "signals"  # a directory: one YAML file per author
BUNDLED_ANSWER_SET = REPO_ROOT / "knowledge" / "eval" / "answers.yaml"  # the answer gate's validation questions
# Written apart from the training conversations, by someone who never read them: the signals' test set
# (v2: also written after the model was finished, and never used for a decision; BENCHMARKS.md).
HELDOUT_ANSWERS = REPO_ROOT / "benchmarks" / "data" / "answers_heldout.yaml"
HELDOUT_SIGNALS = REPO_ROOT / "benchmarks" / "data" / "escalation_heldout_v2.yaml"


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "supportbot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_", env_file=".env", extra="ignore")

    intents_file: Path = Field(default=BUNDLED_INTENTS, description="intents YAML the bundled model is trained on")
    signals_data: Path | None = Field(
        default=BUNDLED_SIGNALS, description="signal YAML file or directory, trained with the intents; empty: intents only"
    )
    model_dir: Path = Field(default_factory=lambda: cache_home() / "models" / "bundled")
    base_model: str = DEFAULT_BASE_MODEL
    torch_threads: int = Field(default=2, ge=0, description="0 leaves torch's default")
    seed: int = 13
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(default="text", description="json: one object per line, for a log pipeline")
    ops_port: int | None = Field(default=9108, ge=0, le=65535, description="/metrics, /healthz, /readyz; 0 or empty: off")
    ops_host: str = Field(default="127.0.0.1", description="the ops port's address; 0.0.0.0 to be scraped from elsewhere")

    kb_dir: Path = Field(default=BUNDLED_ARTICLES, description="directory of Markdown articles")
    kb_index_dir: Path = Field(default_factory=lambda: cache_home() / "kb-index")
    kb_base_url: str = "https://help.orbitask.com/articles"
    kb_stale_days: int = Field(default=180, ge=1)
    kb_min_similarity: float = Field(default=0.45, ge=0.0, le=1.0)
    answer_set: Path | None = Field(
        default=BUNDLED_ANSWER_SET,
        description="questions labelled with their article, to fit the answer gate; empty: no gate (intent mapping decides)",
    )
    actions_file: Path | None = None
    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{cache_home() / 'supportbot.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "SUPPORTBOT_DATABASE_URL"),
    )
    retention_days: int | None = Field(
        default=None, ge=1, description="conversation text older than this many days is blanked; unset: kept forever"
    )

    agent_desk: str | None = Field(default=None, description="slack | discord: where agents work when several platforms run")
    product_name: str = Field(default="Orbitask", min_length=1, max_length=80, description="the product the bot supports")
    policy_file: Path | None = Field(default=None, description="escalation and automation policy YAML (default: bundled)")
    agents_file: Path | None = Field(default=None, description="agents and groups YAML: skills, hours, caps; routes new tickets")
    admin_ids: str = Field(default="", description="comma-separated platform:user ids allowed to run admin commands")
    agent_ids: str = Field(default="", description="comma-separated platform:user ids of agents; empty: the agents' channel")
    max_message_chars: int = Field(default=4000, ge=100, description="longer messages are stored whole, read up to this")
    customer_directory: Path | None = Field(default=None, description="YAML or CSV of companies: tier, role, value by key")
    crm_url: str | None = Field(default=None, description="CRM lookup: GET URL?key=KEY answers {company, tier, ...}")
    crm_headers: str = Field(default="", description="JSON object of CRM request headers; values may use ${ENV_VAR}")
    crm_timeout_seconds: float = Field(default=2.0, gt=0, le=30, description="the most one message waits for the CRM")
    crm_cache_seconds: float = Field(default=300.0, ge=0, description="how long CRM answers, hits and misses, are reused")

    @field_validator("admin_ids", "agent_ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            platform, _, user = item.partition(":")
            if not platform or not user:
                raise ValueError(f"'{item}' is not platform:user_id (e.g. slack:U0123ABCD, discord:80351110224678912)")
        return value

    def id_set(self, value: str) -> frozenset[str]:
        return frozenset(filter(None, (part.strip() for part in value.split(","))))

    @field_validator("signals_data", "answer_set", "ops_port", "retention_days", "agents_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "intents_file",
        "signals_data",
        "answer_set",
        "model_dir",
        "kb_dir",
        "kb_index_dir",
        "actions_file",
        "policy_file",
        "agents_file",
    )
    @classmethod
    def _expand_home(cls, value: Path | None) -> Path | None:
        try:
            return value.expanduser() if value is not None else None
        except RuntimeError:  # `~someone/…` for a user this machine does not have
            raise ValueError(f"cannot expand '~' in {value}: no such user's home directory") from None

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
