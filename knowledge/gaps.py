"""The knowledge-gap loop: record what the bot could not answer, then group it into a review list.

Unanswered questions, escalations and negative ratings are stored as events; `cluster_gaps` groups
paraphrases (embedding similarity, leaders picked by density as in sentence-transformers' community
detection) and ranks the groups by volume, each with examples and the closest existing article.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, select

from knowledge.embedding import SentenceEncoder
from knowledge.index import KnowledgeIndex

# none_fits: no offered article fitted; quality_bad: an agent judged an automated answer wrong (the weekly sample)
GAP_KINDS = ("unanswered", "escalation", "negative_rating", "none_fits", "quality_bad")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class KnowledgeGap(SQLModel, table=True):
    __tablename__ = "knowledge_gap"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=_now, index=True)  # UTC
    kind: str = Field(max_length=32)
    text: str
    intent: str | None = Field(default=None, max_length=64)
    best_article_id: str | None = Field(default=None, max_length=100)
    best_score: float | None = None
    conversation_id: str | None = Field(default=None, max_length=64)


class GapLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        SQLModel.metadata.create_all(engine, tables=[KnowledgeGap.__table__])  # type: ignore[attr-defined]

    def record(
        self,
        kind: str,
        text: str,
        intent: str | None = None,
        best_article_id: str | None = None,
        best_score: float | None = None,
        conversation_id: str | None = None,
        at: dt.datetime | None = None,
    ) -> KnowledgeGap:
        if kind not in GAP_KINDS:
            raise ValueError(f"unknown gap kind '{kind}'; valid: {', '.join(GAP_KINDS)}")
        event = KnowledgeGap(
            kind=kind,
            text=text[:4000],
            intent=intent,
            best_article_id=best_article_id,
            best_score=best_score,
            conversation_id=conversation_id,
            created_at=at or _now(),
        )
        with Session(self.engine) as session:
            session.add(event)
            session.commit()
            session.refresh(event)
        return event

    def since(self, days: float | None = None) -> list[KnowledgeGap]:
        with Session(self.engine) as session:
            query = select(KnowledgeGap).order_by(KnowledgeGap.created_at)  # type: ignore[arg-type]
            if days is not None:
                query = query.where(KnowledgeGap.created_at >= _now() - dt.timedelta(days=days))
            return list(session.exec(query).all())


@dataclass(frozen=True)
class GapCluster:
    size: int
    examples: tuple[str, ...]
    kinds: dict[str, int]
    intents: dict[str, int]
    closest_article_id: str | None
    closest_similarity: float


def cluster_gaps(
    events: list[KnowledgeGap],
    encoder: SentenceEncoder,
    index: KnowledgeIndex | None = None,
    threshold: float = 0.5,
    max_examples: int = 3,
) -> list[GapCluster]:
    """Groups of similar questions, largest first."""
    if not events:
        return []
    vectors = encoder.encode([e.text for e in events])
    similarity = vectors @ vectors.T
    density = (similarity >= threshold).sum(axis=1)
    assigned = np.full(len(events), -1)
    groups: list[list[int]] = []
    for leader in np.argsort(-density, kind="stable"):
        if assigned[leader] >= 0:
            continue
        members = [int(j) for j in np.nonzero((similarity[leader] >= threshold) & (assigned < 0))[0]]
        if leader not in members:
            members.insert(0, int(leader))
        assigned[members] = len(groups)
        groups.append(sorted(members, key=lambda j: -similarity[leader, j]))
    clusters = []
    for members in groups:
        texts = [events[j].text for j in members]
        closest_id, closest = None, 0.0
        if index is not None:
            centroid = vectors[members].mean(axis=0)
            centroid /= np.linalg.norm(centroid) or 1.0
            hits = index.search(texts[0], k=1, query_vector=centroid)
            if hits:
                closest_id, closest = hits[0].article_id, hits[0].dense
        clusters.append(
            GapCluster(
                size=len(members),
                examples=tuple(dict.fromkeys(texts))[:max_examples],
                kinds=dict(Counter(events[j].kind for j in members)),
                intents=dict(Counter(events[j].intent or "unknown" for j in members).most_common(3)),
                closest_article_id=closest_id,
                closest_similarity=round(float(closest), 4),
            )
        )
    return sorted(clusters, key=lambda c: (-c.size, c.examples[0]))
