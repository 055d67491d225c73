"""The audit run once on the small export (real model, real encoder) for the tests that read its result."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.audit.audit import AuditOptions, run_audit
from bot.audit.result import AuditResult
from bot.core.policy import Policy, load_policy
from bot.history.reader import load_history
from knowledge.embedding import SentenceEncoder
from models.classifier import IntentClassifier
from tests.audit.fixture_export import write_export


@pytest.fixture(scope="session")
def classifier(bundled_model_dir: Path) -> IntentClassifier:
    return IntentClassifier.load(bundled_model_dir)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_export(tmp_path_factory.mktemp("audit") / "tickets.csv")


@pytest.fixture(scope="session")
def small_audit(export: Path, classifier: IntentClassifier, encoder: SentenceEncoder, policy: Policy) -> AuditResult:
    return run_audit(load_history(export), classifier, encoder, policy, AuditOptions(min_cluster=3), model_name="bundled")
