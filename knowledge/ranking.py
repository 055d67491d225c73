"""Which article answers a question: the intent model's beliefs and open retrieval, in one ranking.

P(article | question) mixes two views:
- intent-led: each likely intent passes its probability to the articles it maps to, shared between
  them by how well each one's text matches the question (login trouble → "fix login problems" or
  "login loop", decided by retrieval);
- open retrieval over every customer article, which also catches what the intent model missed.
The intent model's unassigned mass (the intents outside its top few) goes to retrieval as well.
The ranking's top article is the answer; the next ones are what a clarifying question offers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.index import KnowledgeIndex
from knowledge.types import Candidate, IntentBelief

# Chosen on knowledge/eval/answers.yaml (the gate's validation set), never on the held-out benchmark.
WITHIN_INTENT_TEMPERATURE = 0.1
OPEN_TEMPERATURE = 0.08
RETRIEVAL_SHARE = 0.4  # the weight of open retrieval against the intent-led view


@dataclass(frozen=True)
class Ranking:
    candidates: tuple[Candidate, ...]  # best first; every customer article with a share
    open_top: str | None  # open retrieval's own first choice

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def margin(self) -> float:
        """How far the best article is ahead of the runner-up."""
        if not self.candidates:
            return 0.0
        second = self.candidates[1].share if len(self.candidates) > 1 else 0.0
        return self.candidates[0].share - second

    def options(self, most: int = 3, floor: float = 0.05) -> tuple[Candidate, ...]:
        """The articles worth offering in a clarifying question (at least the best one)."""
        kept = [c for c in self.candidates[:most] if c.share >= floor]
        return tuple(kept or self.candidates[:1])


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    scaled = (values - values.max()) / temperature
    weights = np.exp(scaled)
    return weights / weights.sum()


def rank_articles(index: KnowledgeIndex, query: str, vector: np.ndarray, beliefs: tuple[IntentBelief, ...]) -> Ranking:
    scores = index.article_scores(query, vector)
    if not scores.article_ids:
        return Ranking((), None)
    ids = scores.article_ids
    position = {a: i for i, a in enumerate(ids)}
    open_view = _softmax(scores.fused, OPEN_TEMPERATURE)
    intent_view = np.zeros(len(ids))
    assigned = 0.0
    for belief in beliefs:
        mapped = [position[a.id] for a in index.kb.for_intent(belief.intent) if a.id in position]
        if not mapped:
            continue  # an intent without articles (greeting, talk to a person): its mass stays unassigned
        rows = np.array(mapped)
        intent_view[rows] += belief.probability * _softmax(scores.fused[rows], WITHIN_INTENT_TEMPERATURE)
        assigned += belief.probability
    from_intent = (1 - RETRIEVAL_SHARE) * intent_view
    share = from_intent + (1 - (1 - RETRIEVAL_SHARE) * assigned) * open_view
    order = np.argsort(-share, kind="stable")
    candidates = tuple(
        Candidate(ids[j], index.kb.articles[ids[j]].title, float(share[j]), float(scores.dense[j]), float(from_intent[j]))
        for j in order
    )
    return Ranking(candidates, ids[int(np.argmax(scores.fused))])
