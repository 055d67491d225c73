"""One audit from end to end: categorise every ticket, discover topics among the unknown ones, score and
recommend each category, and measure the baseline. Pure given its inputs (a loaded model, an encoder,
the policy), so tests and the command line run the same thing."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.audit.agreement import agreement
from bot.audit.baseline import baseline, levels
from bot.audit.categorise import Reading, categorise
from bot.audit.clusters import SIMILARITY, discover
from bot.audit.pattern import pattern_score
from bot.audit.recommend import Evidence, TierRule, recommend
from bot.audit.result import DISCOVERED, INTENT, OTHER, AuditResult, CategoryRow, Deflection, LabelCount, Method, TopicRow
from bot.core.policy import Policy
from bot.core.tiers import TierTable
from bot.history.tickets import HistoricalTicket, HistoryFile
from knowledge.embedding import SentenceEncoder
from models.classifier import IntentClassifier

RISKY_TRIGGERS = frozenset({"risk", "business_rules"})
OTHER_NAME = "other (unknown, no topic)"


@dataclass(frozen=True)
class AuditOptions:
    min_cluster: int | None = None  # None: 5 tickets or 0.5% of the history, whichever is more
    similarity: float = SIMILARITY
    rule: TierRule = field(default_factory=TierRule)

    def cluster_floor(self, tickets: int) -> int:
        return self.min_cluster if self.min_cluster is not None else max(5, math.ceil(0.005 * tickets))


def run_audit(
    history: HistoryFile,
    classifier: IntentClassifier,
    encoder: SentenceEncoder,
    policy: Policy,
    options: AuditOptions | None = None,
    *,
    model_name: str = "",
    progress: bool = False,
) -> AuditResult:
    options = options or AuditOptions()
    tickets = history.tickets
    readings = categorise(tickets, classifier, policy, progress=progress)
    tiers = TierTable({name: meta.tier for name, meta in classifier.manifest.intents.items()}, policy)
    rows: list[CategoryRow] = []
    by_intent: dict[str, list[int]] = {}
    for i, reading in enumerate(readings):
        if reading.intent is not None:
            by_intent.setdefault(reading.intent, []).append(i)
    for intent, members in by_intent.items():
        tier = tiers.tier(intent)
        decided = f"{tier} tier in the model or policy" if tier in ("human", "off") else None
        if decided is None and intent in policy.roles.money:
            decided = "a money intent in the policy"
        rows.append(_row(intent, INTENT, members, tickets, readings, options.rule, tier, decided))
    unknown = [i for i, r in enumerate(readings) if r.unknown]
    floor = options.cluster_floor(len(tickets))
    topics: list[TopicRow] = []
    other = unknown
    if unknown:
        found = discover(
            [tickets[i].text for i in unknown],
            [tickets[i].subject for i in unknown],
            [t.text for t, r in zip(tickets, readings, strict=True) if not r.unknown],
            encoder,
            floor,
            options.similarity,
            progress=progress,
        )
        for topic in found.topics:
            members = [unknown[i] for i in topic.members]
            labels = Counter(label for i in members if (label := tickets[i].category))
            shown = tuple(LabelCount(label, n) for label, n in sorted(labels.items(), key=lambda x: (-x[1], x[0]))[:3])
            topics.append(TopicRow(topic.name, topic.words, len(members), topic.cohesion, topic.examples, shown))
            rows.append(_row(topic.name, DISCOVERED, members, tickets, readings, options.rule, None, None))
        other = [unknown[i] for i in found.other]
    rows.sort(key=lambda r: (-r.tickets, r.name))
    if other:
        rows.append(_row(OTHER_NAME, OTHER, other, tickets, readings, options.rule, None, "no topic: a person reads these"))
    known = [r for r in rows if r.kind == INTENT]
    total = len(tickets)
    return AuditResult(
        source=str(history.path),
        tickets=total,
        skipped=len(history.skipped),
        categorised=total - len(unknown),
        unknown=len(unknown),
        categories=tuple(rows),
        topics=tuple(topics),
        deflection=Deflection(
            now=_deflected(known, total),
            with_new_intents=_deflected([r for r in rows if r.kind != OTHER], total),
            auto_categories=sum(r.tier == "auto" for r in rows),
            assisted_categories=sum(r.tier == "assisted" for r in rows),
            human_categories=sum(r.tier == "human" for r in rows),
        ),
        agreement=agreement(tickets, readings, classifier.intents),
        baseline=baseline(tickets),
        method=Method(
            model=model_name,
            confidence_threshold=policy.low_confidence.threshold if policy.low_confidence.enabled else None,
            similarity=options.similarity,
            min_cluster=floor,
            rule=options.rule,
        ),
    )


def _row(
    name: str,
    kind: str,
    members: Sequence[int],
    tickets: Sequence[HistoricalTicket],
    readings: Sequence[Reading],
    rule: TierRule,
    current_tier: str | None,
    decided: str | None,
) -> CategoryRow:
    chosen = [tickets[i] for i in members]
    read = [readings[i] for i in members]
    answered = [t for t in chosen if t.agent_reply.strip()]
    pattern = pattern_score([t.agent_reply for t in answered], [t.agent for t in answered])
    ratings = [t.csat for t in chosen if t.csat is not None]
    service = levels(name, chosen)
    evidence = Evidence(
        tickets=len(chosen),
        pattern=pattern,
        replies=len(answered),
        confidence=round(statistics.fmean(r.confidence for r in read), 4) if kind == INTENT else None,
        ratings=len(ratings),
        low_ratings=sum(r <= 2 for r in ratings),
        risky=sum(bool(RISKY_TRIGGERS & set(r.triggers)) for r in read),
        deflectable=sum(not r.triggers for r in read),
        decided=decided,
    )
    advice = recommend(evidence, rule)
    return CategoryRow(
        name=name,
        kind=kind,
        tickets=len(chosen),
        share=round(len(chosen) / len(tickets), 4),
        first_response_hours=service.first_response_hours,
        resolution_hours=service.resolution_hours,
        csat=service.csat,
        rated=service.rated,
        confidence=evidence.confidence,
        pattern=pattern,
        replies=len(answered),
        escalating=round(sum(bool(r.triggers) for r in read) / len(read), 4),
        current_tier=current_tier,
        tier=advice.tier,
        reasons=advice.reasons,
        deflection=round(advice.deflection, 4),
    )


def _deflected(rows: Sequence[CategoryRow], total: int) -> float:
    return round(sum(r.deflection * r.tickets for r in rows) / total, 4) if total else 0.0
