"""Short, stable names for the model and knowledge base that are serving, for `supportbot_build_info`.

A fingerprint of what was loaded rather than a file date: two processes on the same model report the
same value, and a `/model reload` or `/kb reload` that changed something shows up as a new one.
"""

from __future__ import annotations

import hashlib

from knowledge.index import KnowledgeIndex
from models.classifier import IntentClassifier


def model_version(classifier: IntentClassifier) -> str:
    """The manifest's digest: labels, calibration and thresholds change with every training."""
    return hashlib.sha256(classifier.manifest.to_json().encode()).hexdigest()[:12]


def kb_version(index: KnowledgeIndex) -> str:
    """`<articles>-<digest>`: the article count, and a digest of each article's id, title, intents and body."""
    digest = hashlib.sha256()
    articles = index.kb.articles
    for article_id in sorted(articles):
        article = articles[article_id]
        for part in (article_id, article.title, ",".join(article.intents), article.body):
            digest.update(part.encode())
            digest.update(b"\0")
    return f"{len(articles)}-{digest.hexdigest()[:12]}"
