"""Assembling the knowledge base, its index, actions and resolver from settings."""

from __future__ import annotations

from bot.config import Settings
from knowledge.actions import load_actions
from knowledge.base import load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.index import IndexUpdate, KnowledgeIndex
from knowledge.resolver import Resolver
from models.dataset import load_data


def known_intents(settings: Settings) -> list[str]:
    return load_data(settings.intents_file).labels


def open_index(
    settings: Settings, progress: bool = False, encoder: SentenceEncoder | None = None
) -> tuple[KnowledgeIndex, IndexUpdate]:
    kb = load_knowledge_base(settings.kb_dir, known_intents(settings))
    return KnowledgeIndex.build(kb, encoder or SentenceEncoder(settings.base_model), settings.kb_index_dir, progress=progress)


def build_resolver(settings: Settings, index: KnowledgeIndex) -> Resolver:
    actions = load_actions(settings.actions_file, set(known_intents(settings)))
    return Resolver(index, actions, base_url=settings.kb_base_url, min_similarity=settings.kb_min_similarity)
