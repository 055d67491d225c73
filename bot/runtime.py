"""Assembling a running `SupportBot` from settings: database, model, knowledge base, policy."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import torch
from sqlmodel import Session

from bot.answer_gate import prepare_gate
from bot.config import Settings
from bot.core.access import Access
from bot.core.app import SupportBot
from bot.core.directory import CustomerDirectory
from bot.core.policy import load_policy
from bot.core.roster import Roster, load_roster
from bot.core.sentiment import SentimentAnalyzer
from bot.core.services import Services
from bot.core.store import ConversationStore
from bot.core.tiers import TierTable
from bot.knowledge_service import build_resolver, open_index
from bot.storage import describe, open_database
from knowledge.embedding import SentenceEncoder
from knowledge.gaps import GapLog
from knowledge.gate import AnswerGate
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from models.classifier import IntentClassifier

log = logging.getLogger("supportbot.runtime")


def build_bot(
    settings: Settings, model_dir: Path | None = None, progress: bool = False, extra_admins: frozenset[str] = frozenset()
) -> SupportBot:
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    directory = model_dir or settings.model_dir
    classifier = IntentClassifier.load(directory)
    encoder = SentenceEncoder(settings.base_model)

    def load_knowledge() -> tuple[KnowledgeIndex, Resolver]:
        index, _ = open_index(settings, progress=False, encoder=encoder)
        return index, build_resolver(settings, index)

    policy = load_policy(settings.policy_file)

    def load_gate(model: IntentClassifier, resolver: Resolver) -> AnswerGate | None:
        floor = policy.low_confidence.threshold if policy.low_confidence.enabled else None
        return prepare_gate(model, resolver, directory, settings.answer_set, policy.answer.max_wrong_rate, floor)

    index, _ = open_index(settings, progress=progress, encoder=encoder)
    resolver = build_resolver(settings, index)
    resolver.gate = load_gate(classifier, resolver)
    services = Services(
        classifier=classifier,
        index=index,
        resolver=resolver,
        sentiment=SentimentAnalyzer(),
        load_classifier=lambda: IntentClassifier.load(directory),
        load_knowledge=load_knowledge,
        load_gate=load_gate,
    )
    policy.check_intents(set(classifier.intents))
    roster = load_roster(settings.agents_file) if settings.agents_file else Roster()
    roster.check_intents(set(classifier.intents))
    agent_ids = settings.id_set(settings.agent_ids)
    unlisted = [a.key for a in roster.agents if agent_ids and a.key not in agent_ids]
    if unlisted:
        log.warning(
            "roster.agents_not_allowed ids=%s: tickets are routed to them, but SUPPORTBOT_AGENT_IDS does not let them act",
            ",".join(unlisted),
        )
    missing = policy.check_signals(classifier.signal_names)
    if missing:
        log.warning(
            "model.signals_missing dir=%s signals=%s: the policy's phrase and keyword rules decide alone for them "
            "(train with SUPPORTBOT_SIGNALS_DATA to add them)",
            directory,
            ",".join(missing),
        )
    engine = open_database(settings.database_url)
    tiers = TierTable({name: meta.tier for name, meta in classifier.manifest.intents.items()}, policy)
    access = Access(settings.id_set(settings.admin_ids) | extra_admins, agent_ids)
    customers = CustomerDirectory.from_settings(settings)
    bot = SupportBot(
        ConversationStore(engine),
        services,
        policy,
        tiers,
        access,
        GapLog(engine),
        max_message_chars=settings.max_message_chars,
        product_name=settings.product_name,
        directory=customers,
        describe_setup=lambda: [
            f"database: {describe(settings.database_url)}",
            f"model: {directory}",
            f"knowledge base: {settings.kb_dir}",
            customers.describe(),
            f"agents file: {settings.agents_file or 'none (cards name nobody)'}",
        ],
    )
    bot.retention_days = settings.retention_days
    bot.weekly_digest = _weekly_digest(bot, settings)
    bot.roster = roster
    return bot


def _weekly_digest(bot: SupportBot, settings: Settings) -> Callable[[Session, dt.datetime], str]:
    """The weekly report's text with the live policy; drift is also judged against the training data's mix."""
    from bot.reporting.digest import weekly_digest
    from bot.reporting.drift import training_labels

    try:
        training: dict[str, int] | None = training_labels(settings.intents_file)
    except Exception as exc:  # the report still compares weeks with each other
        log.warning("report.training_mix_unavailable error=%s", type(exc).__name__)
        training = None
    return lambda session, now: weekly_digest(session, now, bot.policy, training)
